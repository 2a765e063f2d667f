//! A Rust charm run in-process: goops_runtime's dispatch and Context on goops-sim's engine.

mod common;

use std::ffi::OsString;

use common::*;
use goops_runtime::{Charm, Context, Handler, HandlerKey, HookTools, IntoActionOutcome, IntoHookOutcome, dispatch};
use goops_sim::testing::{End, RunReport};

#[derive(Default)]
struct Demo;

fn tool(ctx: &Context, name: &str, args: &[&str], stdin: Option<&[u8]>) -> goops_runtime::Result<String> {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let out = ctx.tools().call(name, &args, stdin)?;
    out.check(name)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Demo {
    fn install(&self, ctx: &Context) -> goops_runtime::Result<()> {
        ctx.log(goops_runtime::LogLevel::Info, "installing");
        // Secret content travels in files, as the runtime sends it.
        let dir = temp_dir("engine-secret");
        let path = dir.join("password");
        std::fs::write(&path, "from-a-file").map_err(|e| goops_runtime::Error::invalid("file", e.to_string()))?;
        let uri = tool(ctx, "secret-add", &["--label", "pw", &format!("password#file={}", path.display())], None)?;
        let _ = std::fs::remove_dir_all(dir);
        tool(
            ctx,
            "relation-set",
            &["-r", "db:1", "--app", "--file", "-"],
            Some(format!("secret: {}", uri.trim()).as_bytes()),
        )?;
        tool(ctx, "status-set", &["active", "--", "installed"], None)?;
        Ok(())
    }

    fn update_status(&self, ctx: &Context) -> goops_runtime::Result<()> {
        tool(ctx, "state-set", &["lost=1"], None)?;
        tool(ctx, "secret-get", &["--label", "nope"], None)?;
        Ok(())
    }

    fn backup(&self, ctx: &Context) -> goops_runtime::Result<std::collections::BTreeMap<String, String>> {
        let target = tool(ctx, "action-get", &["target"], None)?;
        Ok([("saved-to".to_owned(), target.trim().to_owned())].into())
    }
}

impl Charm for Demo {
    const HANDLERS: &'static [Handler<Self>] = &[
        Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("update-status"), run: |c, ctx| c.update_status(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Action("backup"), run: |c, ctx| c.backup(ctx).into_action_outcome() },
    ];
}

fn run_charm(state: goops_sim::State, event: &str) -> RunReport {
    let engine = engine(state, event);
    let ctx = engine.context().expect("the engine's env is a valid Juju env");
    let outcome = dispatch::<Demo>(&ctx);
    drop(ctx);
    engine.finish(outcome.exit_code() == 0).expect("not finished yet")
}

#[test]
fn a_rust_charm_runs_in_process_and_commits() {
    let finished = run_charm(base(), "install");
    assert!(finished.committed);
    let state = finished.state;
    let secret = state.secrets.iter().find(|s| s.label.as_deref() == Some("pw")).expect("secret created");
    assert_eq!(secret.content(1).unwrap()["password"], "from-a-file");
    assert_eq!(state.relation(1).unwrap().local_app_data["secret"], secret.id);
    assert_eq!(state.unit_status.message, "installed");
    assert_eq!(state.juju_log[0].message, "installing");
    assert_eq!(finished.end, End::Completed);
    let calls: Vec<&str> = finished.tool_calls.iter().map(|c| c.tool.as_str()).collect();
    assert_eq!(calls, ["juju-log", "secret-add", "relation-set", "status-set"]);
}

#[test]
fn a_failing_hook_rolls_back_in_process() {
    let finished = run_charm(base(), "update-status");
    assert!(!finished.committed);
    // How it ended is read from the runtime's last ERROR line, as for a process.
    assert!(
        matches!(&finished.end, End::HookFailed(m) if m.contains("consumer label \"nope\" not found")),
        "{:?}",
        finished.end
    );
    assert!(finished.state.unit_state.is_empty());
    // The runtime logged the error chain through juju-log, which is immediate.
    let last = finished.state.juju_log.last().unwrap();
    assert_eq!(last.level, "ERROR");
    assert!(last.message.contains("consumer label \"nope\" not found"), "{}", last.message);
}

#[test]
fn an_action_sets_results_in_process() {
    let finished = run_charm(base(), "action:backup");
    let action = finished.action.unwrap();
    assert_eq!(action.status, "completed");
    assert_eq!(action.result("saved-to"), Some("/tmp"));
}

#[test]
fn a_finished_engine_refuses_more_calls() {
    let e = engine(base(), "install");
    let handle = e.clone();
    assert!(e.finish(true).is_some());
    assert!(handle.finish(true).is_none());
    let out = handle.call("is-leader", &[], None).unwrap();
    assert_eq!(out.code, 1);
}

/// A charm that adds and updates a secret through the runtime's typed API.
#[derive(Default)]
struct SecretCharm;

impl SecretCharm {
    fn install(&self, ctx: &Context) -> goops_runtime::Result<()> {
        let content = |v: &str| -> goops_runtime::SecretContent {
            [("password".to_owned(), goops_runtime::SecretString::from(v))].into()
        };
        let id = ctx.secret_add(&content("first"), &goops_runtime::SecretAddOptions::new().label("pw"))?;
        ctx.secret_set(&id, Some(&content("second")), &goops_runtime::SecretSetOptions::new())?;
        ctx.secret_set(&id, None, &goops_runtime::SecretSetOptions::new().description("metadata only"))?;
        Ok(())
    }
}

impl Charm for SecretCharm {
    const HANDLERS: &'static [Handler<Self>] =
        &[Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.install(ctx).into_hook_outcome() }];
}

#[test]
fn in_process_secret_content_is_read_from_the_files_the_runtime_stages() {
    let engine = engine(base(), "install");
    let ctx = engine.context().expect("valid env");
    let outcome = dispatch::<SecretCharm>(&ctx);
    drop(ctx);
    let finished = engine.finish(outcome.exit_code() == 0).expect("not finished yet");
    assert!(finished.committed, "{outcome:?}");
    let secret = finished.state.secrets.iter().find(|s| s.label.as_deref() == Some("pw")).expect("secret created");
    // A secret updated in the hook that created it keeps revision 1, with the new content.
    assert_eq!(secret.content(1).unwrap()["password"], "second");
    assert_eq!(secret.description.as_deref(), Some("metadata only"));
    // The argv has Juju's shape: `key#file=<absolute path>`, read by the engine as the agent
    // reads it; no value is on it, and the files are gone once the calls are done.
    let content_args: Vec<&String> =
        finished.tool_calls.iter().flat_map(|c| &c.args).filter(|a| a.contains("#file=")).collect();
    assert_eq!(content_args.len(), 2, "{content_args:?}");
    for arg in content_args {
        let path = arg.strip_prefix("password#file=").expect("one key per call");
        assert!(std::path::Path::new(path).is_absolute(), "{path}");
        assert!(!std::path::Path::new(path).exists(), "{path} removed after the call");
    }
    assert!(finished.tool_calls.iter().flat_map(|c| &c.args).all(|a| !a.contains("first") && !a.contains("second")));
}

/// In-process as in process mode (cli.rs), a tool argument that is not UTF-8 is refused, never
/// stored with its bytes replaced.
#[test]
fn non_utf8_tool_arguments_are_refused_in_process_too() {
    use std::os::unix::ffi::OsStringExt;
    let engine = engine(base(), "install");
    let args = [OsString::from("a=1"), OsString::from_vec(b"key=caf\xe9".to_vec())];
    let out = engine.call("state-set", &args, None).expect("the in-process engine answers");
    assert_eq!(out.code, 2);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ERROR argument 2 of state-set is not valid UTF-8: goops-sim refuses it rather than store altered bytes\n"
    );
    let report = engine.finish(true).expect("finished once");
    assert!(report.state.unit_state.is_empty(), "nothing stored: {:?}", report.state.unit_state);
}
