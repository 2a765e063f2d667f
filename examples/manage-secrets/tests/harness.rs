//! The manage-secrets how-to charm on goops-sim's harness: what the Go code does, event by event.

use goops_sim::state::{SecretOwner, State};
use goops_sim::testing::{End, Harness, On, RunReport};
use manage_secrets::{CA_CERTIFICATE_SECRET_LABEL as LABEL, ManageSecrets};

fn harness() -> Harness<ManageSecrets> {
    Harness::for_charm(env!("CARGO_MANIFEST_DIR")).expect("charmcraft.yaml reads")
}

fn unit(leader: bool) -> State {
    State { unit: "manage-secrets/0".to_owned(), leader, ..State::default() }
}

#[test]
fn first_install_creates_the_secret() {
    let out = harness().run(On::install(), &unit(true)).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    assert_eq!(out.state.secrets.len(), 1);
    let secret = out.secret_by_label(LABEL).expect("labelled secret");
    assert_eq!(secret.owner, Some(SecretOwner::Application));
    assert_eq!(secret.description.as_deref(), Some("ca certificate and private key for the certificates charm"));
    assert_eq!(secret.rotate, Some(goops_sim::state::RotatePolicy::Never));
    let expected = chrono::Utc::now() + chrono::Months::new(12);
    let expire = secret.expire.expect("expiry set");
    assert!((expire - expected).num_minutes().abs() < 10, "expires a year ahead: {expire}");
    let content = secret.content(secret.latest()).expect("revision 1");
    assert_eq!(content["private-key"], "Example private key");
    assert_eq!(content["ca-certificate"], "Example CA certificate");
    assert_eq!(content.len(), 2);
    assert_eq!(
        out.log_messages(),
        [
            format!("could not get secret: secret {LABEL:?} not found").as_str(),
            format!("Created new secret with ID: {}", secret.id).as_str(),
        ]
    );
    // The Go code's calls, in order; content never on argv.
    let tools: Vec<&str> = out.tool_calls.iter().map(|c| c.tool.as_str()).collect();
    assert_eq!(tools, ["secret-get", "juju-log", "secret-add", "juju-log"]);
    assert!(out.calls_of("secret-get")[0].iter().any(|a| a == "--refresh"));
    assert!(!out.calls_of("secret-add")[0].iter().any(|a| a.contains("Example")));
}

#[test]
fn second_install_reads_the_info_and_creates_nothing() {
    let first = harness().run(On::install(), &unit(true)).unwrap();
    let second = harness().run(On::install(), &first.state).unwrap();
    assert_eq!(second.end, End::Completed, "{second:?}");
    assert!(second.calls_of("secret-add").is_empty());
    assert_eq!(second.calls_of("secret-info-get").len(), 1);
    assert!(second.logs.is_empty());
    assert_eq!(second.state.secrets.len(), 1);
    assert_eq!(second.state.secrets[0].latest(), 1);
}

#[test]
fn a_non_leader_fails_as_the_go_code_does() {
    // No secret yet: secret-add --owner application is refused to a non-leader; the hook fails
    // with the Go code's error chain and Juju will retry it.
    let out = harness().run(On::install(), &unit(false)).unwrap();
    match &out.end {
        End::HookFailed(message) => assert!(
            message.starts_with(
                "could not generate and store root certificate: could not add secret: secret-add: this unit is not the leader"
            ),
            "{message}"
        ),
        other => panic!("expected a failed hook, got {other:?}"),
    }
    assert!(!out.committed && out.state.secrets.is_empty());

    // The secret exists: a non-leader reads its content but may not see its metadata, so the hook
    // fails (Go's goops reports the lookup as an error, goops-rs as `None`: "secret info is nil").
    let leader = harness().run(On::install(), &unit(true)).unwrap();
    let mut state = leader.state.clone();
    state.leader = false;
    let out = harness().run(On::install(), &state).unwrap();
    assert_eq!(out.end, End::HookFailed("could not generate and store root certificate: secret info is nil".into()));
    assert!(out.calls_of("secret-add").is_empty());
}

#[test]
fn config_changed_and_upgrade_charm_run_the_same_code() {
    for event in [On::config_changed(), On::upgrade_charm()] {
        let out = harness().run(event, &unit(true)).unwrap();
        assert_eq!(out.end, End::Completed);
        assert!(out.secret_by_label(LABEL).is_some());
    }
    let out = harness().run(On::start(), &unit(true)).unwrap();
    assert_eq!(out.end, End::Skipped, "no handler for start");
    assert!(out.tool_calls.is_empty());
}

#[test]
fn install_as_a_real_process_does_the_same() {
    let process = harness().process(env!("CARGO_BIN_EXE_manage-secrets"));
    for leader in [true, false] {
        let in_process = harness().run(On::install(), &unit(leader)).unwrap();
        let out = process.run(On::install(), &unit(leader)).unwrap();
        assert_eq!(out.end, in_process.end);
        assert_eq!(out.committed, in_process.committed);
        let tools = |o: &RunReport| o.tool_calls.iter().map(|c| c.tool.clone()).collect::<Vec<_>>();
        assert_eq!(tools(&out), tools(&in_process));
        assert_eq!(out.logs.len(), in_process.logs.len());
        assert_eq!(out.state.secrets.len(), in_process.state.secrets.len());
        if leader {
            let secret = out.secret_by_label(LABEL).expect("created by the process");
            assert_eq!(secret.content(1).unwrap()["ca-certificate"], "Example CA certificate");
            assert_eq!(out.log_messages()[1], format!("Created new secret with ID: {}", secret.id));
        }
    }
}
