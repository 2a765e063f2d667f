//! The engine's handles and the session's end, seen from inside.

use super::*;

#[test]
fn a_reentrant_call_is_an_error_not_a_panic() {
    let e = engine(base(), "install");
    let inner = e.clone();
    let out = e.with(|_| inner.run("is-leader", &[], None)).unwrap();
    assert_eq!(
        (out.code, String::from_utf8_lossy(&out.stderr).into_owned()),
        (1, "ERROR bad request: hook context is finished or busy\n".to_owned())
    );
}

#[test]
fn committed_creates_move_into_the_state() {
    let e = engine(base(), "install");
    assert!(ok(&e, "secret-add", &["--label", "new", "key=value"]).starts_with("secret:"));
    let finished = e.finish_session(true).expect("not finished yet");
    assert!(finished.committed);
    assert!(finished.pending.secret_creates.is_empty(), "moved, not copied");
    assert!(finished.state.secrets.iter().any(|s| s.label.as_deref() == Some("new")));
    assert!(e.finish_session(true).is_none(), "finished once");
}

#[test]
fn a_rolled_back_hook_keeps_its_pending_writes_apart() {
    let e = engine(base(), "install");
    ok(&e, "state-set", &["k=v"]);
    let finished = e.finish_session(false).expect("not finished yet");
    assert!(!finished.committed);
    assert_eq!(finished.pending.unit_state.as_ref().map(|b| b["k"].as_str()), Some("v"));
    assert!(finished.state.unit_state.is_empty());
}
