//! A real client: the Python `ops` charm in `tests/ops-charm`, unchanged, with the pinned
//! `ops` from PyPI, run event after event by the real `goops-sim run` binary, the state file
//! carried from each step to the next (the charm dir too: ops keeps `.unit-state.db` there).
//!
//! Each step checks what Juju would show afterwards: the output state (status, relation data,
//! secrets and their revisions, tracked revisions, action results) and the report on stderr.
//! A second test swaps in a probe `charm.py` for ops APIs the compat charm does not use.
//!
//! Needs Python 3.10+ with `venv` and PyPI access (see `goops_tests::ops_python`); without them
//! it fails with a message saying so. It never skips.

use std::path::{Path, PathBuf};
use std::process::Output;

use goops_sim::State;
use goops_sim::state::{Relation, Secret, SecretGrant, SecretOwner, SecretRevision};
use goops_tests::{TempDir, goops_sim_binary, ops_python, sim_run, stage_ops_charm};
use serde_json::json;

const UNIT: &str = "ops-compat/0";
const MODEL_UUID: &str = "a5b3f4c2-8e1d-4f6a-9b7c-0d2e4f6a8b1c";
/// The secret the remote application (`client`) shares with us over `db`.
const REMOTE_SECRET: &str = "secret:d1fa9k3vrgbs7e2q5m10";

/// A staged charm dir and the state file that goes from step to step.
struct Scenario {
    _dir: TempDir,
    charm: PathBuf,
    state: PathBuf,
    sim: PathBuf,
    steps: usize,
}

/// What one `goops-sim run` left behind.
struct Step {
    state: State,
    report: String,
}

impl Scenario {
    fn new(initial: &State) -> Self {
        Self::with_charm_py(initial, None)
    }

    /// Stages tests/ops-charm; with `charm_py`, its `src/charm.py` is replaced (same metadata).
    fn with_charm_py(initial: &State, charm_py: Option<&str>) -> Self {
        let python = ops_python();
        let sim = goops_sim_binary();
        let dir = TempDir::new("goops-ops-sim");
        let charm = dir.path().join("charm");
        stage_ops_charm(&charm, &python);
        if let Some(code) = charm_py {
            std::fs::write(charm.join("src").join("charm.py"), code).unwrap();
        }
        let state = dir.path().join("state.json");
        std::fs::write(&state, initial.to_json()).unwrap();
        Scenario { _dir: dir, charm, state, sim, steps: 0 }
    }

    /// The state the last step wrote.
    fn current(&self) -> State {
        State::from_json(&std::fs::read_to_string(&self.state).unwrap()).expect("goops-sim wrote a valid state")
    }

    /// Changes the world between two hooks (as another unit, the operator or the controller).
    fn change(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.current();
        f(&mut state);
        std::fs::write(&self.state, state.to_json()).unwrap();
    }

    /// `goops-sim run <charm> <event> --state S --out S [args]`; the run must succeed.
    fn run(&mut self, event: &str, args: &[&str]) -> Step {
        self.steps += 1;
        let out = self.run_raw(event, args);
        let report = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "step {} ({event}) failed: {}\n{report}", self.steps, out.status);
        assert!(out.stdout.is_empty(), "with --out, nothing goes to stdout: {}", String::from_utf8_lossy(&out.stdout));
        Step { state: self.current(), report }
    }

    fn run_raw(&self, event: &str, args: &[&str]) -> Output {
        sim_run(&self.sim, &self.charm, event, &self.state)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.sim.display()))
    }
}

impl Step {
    fn assert_report(&self, line: &str) {
        assert!(self.report.lines().any(|l| l.trim() == line), "report lacks {line:?}:\n{}", self.report);
    }

    /// Messages of the `juju-log` records at `level` in the state (all steps so far).
    fn logs(&self, level: &str) -> Vec<&str> {
        self.state.juju_log.iter().filter(|r| r.level == level).map(|r| r.message.as_str()).collect()
    }

    fn status(&self) -> (&str, &str) {
        (self.state.unit_status.status.as_str(), &self.state.unit_status.message)
    }

    fn owned_token(&self) -> &Secret {
        let owned: Vec<&Secret> = self.state.secrets.iter().filter(|s| s.is_owned()).collect();
        assert_eq!(owned.len(), 1, "one owned secret: {:#?}", self.state.secrets);
        owned[0]
    }
}

fn content(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn initial_state() -> State {
    let mut state = State::default();
    state.model.name = "compat".into();
    state.model.uuid = MODEL_UUID.into();
    state.unit = UNIT.into();
    state.leader = true;
    state
}

/// Asserts that the ops run in the charm dir left its SQLite store there.
fn assert_ops_store(charm: &Path) {
    let db = charm.join(".unit-state.db");
    assert!(db.is_file(), "ops keeps its state in {}", db.display());
}

#[test]
fn ops_charm_runs_unchanged_under_goops_sim_run() {
    let mut sc = Scenario::new(&initial_state());

    // 1. install (leader): adds the app-owned secret and reads it back by label.
    let step = sc.run("install", &[]);
    assert_eq!(step.status(), ("active", "installed; token generation 1"));
    let history: Vec<(&str, &str)> =
        step.state.unit_status_history.iter().map(|s| (s.status.as_str(), s.message.as_str())).collect();
    assert!(history.contains(&("maintenance", "installing")), "{history:?}");
    assert_eq!(step.state.workload_version, "1.0.0");
    let token = step.owned_token().clone();
    assert_eq!(token.owner, Some(SecretOwner::Application));
    assert_eq!(token.label.as_deref(), Some("compat-token"));
    assert_eq!(token.description.as_deref(), Some("token shared over db"));
    assert_eq!(
        token.revisions,
        [SecretRevision {
            revision: 1,
            content: content(&[("token", "token-value-1"), ("generation", "1")]),
            ..SecretRevision::default()
        }]
    );
    assert!(token.id.starts_with("secret:"), "{}", token.id);
    let info = step.logs("INFO");
    assert_eq!(
        info,
        [format!("added secret compat-token as {}", token.id).as_str(), "read back secret compat-token generation 1"]
    );
    assert!(step.logs("DEBUG").contains(&"Emitting Juju event install."), "{:?}", step.logs("DEBUG"));
    step.assert_report("install on ops-compat/0: exit 0; changes committed");
    step.assert_report("unit status: active (\"installed; token generation 1\")");
    step.assert_report("workload version: \"1.0.0\"");
    step.assert_report(&format!("secret {} added (label \"compat-token\")", token.id));
    step.assert_report(&format!("INFO added secret compat-token as {}", token.id));
    assert_ops_store(&sc.charm);

    // 2. config-changed: the operator sets greeting and token-generation; the leader updates the
    //    secret's content (a new revision), keeping its label.
    sc.change(|s| {
        s.config.insert("greeting".into(), json!("bonjour"));
        s.config.insert("token-generation".into(), json!(2));
    });
    let step = sc.run("config-changed", &[]);
    assert_eq!(step.status(), ("active", "bonjour; token generation 2"));
    let token2 = step.owned_token();
    assert_eq!(token2.id, token.id);
    assert_eq!(token2.label.as_deref(), Some("compat-token"));
    assert_eq!(token2.latest(), 2);
    assert_eq!(token2.content(1), token.content(1), "revision 1 is kept");
    assert_eq!(token2.content(2), Some(&content(&[("token", "token-value-2"), ("generation", "2")])));
    assert_eq!(step.logs("INFO").last(), Some(&"updated secret compat-token from generation 1 to 2"));
    // The owner's read before set_content pinned revision 1: owners track revisions (rule 30).
    step.assert_report(&format!("secret {}: revision 1 -> 2; tracking revision 1", token.id));

    // 3. db-relation-changed: client/0 asks "ping", the client app shares a secret of its own.
    //    The unit replies in its bag; the leader grants its secret to the relation and publishes
    //    the id in the app bag; the remote secret is read as a consumer under a label.
    sc.change(|s| {
        let mut relation = Relation {
            id: 5,
            endpoint: "db".into(),
            interface: "compat-db".into(),
            remote_app: "client".into(),
            ..Relation::default()
        };
        relation.remote_units.insert("client/0".into(), content(&[("request", "ping")]));
        relation.remote_app_data.insert("secret-id".into(), REMOTE_SECRET.into());
        s.relations.push(relation);
        s.secrets.push(Secret {
            id: REMOTE_SECRET.into(),
            owner: None,
            revisions: vec![SecretRevision {
                revision: 1,
                content: content(&[("token", "remote-value-1"), ("generation", "1")]),
                ..SecretRevision::default()
            }],
            // The remote owner granted this application over the relation.
            grants: vec![SecretGrant { relation_id: 5, target: "ops-compat".into() }],
            ..Secret::default()
        });
    });
    let step = sc.run("db-relation-changed", &["--remote-unit", "client/0"]);
    assert_eq!(step.status(), ("active", "serving client; remote token generation 1"));
    let relation = step.state.relation(5).expect("the db relation");
    // The reply beside the settings Juju wrote on entering the scope.
    let mut expected = Relation::default().local_unit_data;
    expected.extend(content(&[("reply", "bonjour, ping")]));
    assert_eq!(relation.local_unit_data, expected);
    let published = format!("secret://{MODEL_UUID}/{}", token.id.trim_start_matches("secret:"));
    assert_eq!(relation.local_app_data, content(&[("token-secret-id", &published), ("served-by", UNIT)]));
    assert_eq!(step.owned_token().grants, [SecretGrant { relation_id: 5, target: "client".into() }]);
    let remote = step.state.secret(REMOTE_SECRET).expect("the remote secret");
    assert_eq!(remote.consumer_label.as_deref(), Some("remote-token"));
    assert_eq!(remote.tracked, Some(1), "the first read tracks the latest revision");
    let info = step.logs("INFO");
    assert!(
        info.ends_with(&[
            "db:5: replied to client/0 on db:5",
            "db:5: remote secret remote-token has keys generation,token"
        ]),
        "{info:?}"
    );
    step.assert_report("relation db:5 unit data: +reply=\"bonjour, ping\"");
    step.assert_report(&format!("relation db:5 app data: +token-secret-id={published:?}"));
    step.assert_report(&format!("secret {}: granted to [client on relation 5]", token.id));
    step.assert_report(&format!("secret {REMOTE_SECRET}: tracking revision 1; label changed"));

    // 4. secret-changed: the client publishes revision 2; the charm reads it with refresh, which
    //    moves the tracked revision.
    sc.change(|s| {
        let secret = s.secret_mut(REMOTE_SECRET).unwrap();
        secret.revisions.push(SecretRevision {
            revision: 2,
            content: content(&[("token", "remote-value-2"), ("generation", "2")]),
            ..SecretRevision::default()
        });
    });
    let step = sc.run("secret-changed", &["--secret", "remote-token"]);
    assert_eq!(step.status(), ("active", "secret remote-token generation 2"));
    assert_eq!(step.state.secret(REMOTE_SECRET).unwrap().tracked, Some(2));
    assert_eq!(step.logs("INFO").last(), Some(&"secret remote-token changed: now generation 2"));
    step.assert_report(&format!("secret {REMOTE_SECRET}: tracking revision 2"));

    // Juju (>= 3.1.7) sends secret-changed to consumers and to owner units that have read the
    // secret: this unit read the token it owns, so the event is accepted. Tried on the side (the
    // state file is put back), since the handler's refresh would move the pin step 5 reads.
    let before = std::fs::read_to_string(&sc.state).unwrap();
    let owned_read = sc.run_raw("secret-changed", &["--secret", "compat-token"]);
    let stderr = String::from_utf8_lossy(&owned_read.stderr);
    assert_eq!(owned_read.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("secret compat-token changed"), "{stderr}");
    std::fs::write(&sc.state, &before).unwrap();
    // An owned secret this unit never read tracks no revision: the event is refused (exit 2).
    sc.change(|s| s.secrets.iter_mut().filter(|x| x.is_owned()).for_each(|x| x.tracked = None));
    let refused = sc.run_raw("secret-changed", &["--secret", "compat-token"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("secret-changed goes to a secret's consumers"), "{stderr}");
    std::fs::write(&sc.state, before).unwrap();

    // 5. action get-info (verbose): results with dotted keys nested, the owned secret's tracked
    //    content (revision 1, pinned by its read in config-changed: owners track revisions, rule
    //    30) and canonical id; the action's log.
    let step = sc.run("action:get-info", &["--param", "verbose=true", "--action-id", "7"]);
    let action = step.state.action.as_ref().expect("the action's record");
    assert_eq!((action.name.as_str(), action.id.as_str(), action.status.as_str()), ("get-info", "7", "completed"));
    assert_eq!(action.failure, None);
    assert_eq!(action.logs, ["collecting info"]);
    assert_eq!(
        serde_json::Value::Object(action.results.clone()),
        json!({
            "unit": UNIT,
            "leader": "true",
            "config": {"greeting": "bonjour", "token-generation": "2"},
            "token-generation": "1",
            "token-secret-id": published,
            "return-code": "0",
        })
    );
    step.assert_report("action get-info (7): completed");
    step.assert_report("log: collecting info");

    // 6. action fail-always: partial results, then action-fail; the dispatch itself exits 0.
    let step = sc.run("action:fail-always", &["--param", "reason=disk full", "--action-id", "8"]);
    let action = step.state.action.as_ref().expect("the action's record");
    assert_eq!((action.name.as_str(), action.status.as_str()), ("fail-always", "failed"));
    assert_eq!(action.failure.as_deref(), Some("failed as requested: disk full"));
    assert_eq!(action.logs, ["about to fail"]);
    assert_eq!(serde_json::Value::Object(action.results.clone()), json!({"partial": "yes", "return-code": "0"}));
    step.assert_report("action fail-always (8): failed");
    step.assert_report("failure: failed as requested: disk full");

    // Parameters are checked against actions.yaml before the action runs, as `juju run` does
    // (which reads `verbose=yes` as YAML's true, and `verbose=maybe` as text).
    let refused = sc.run_raw("action:get-info", &["--param", "verbose=maybe"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\"verbose\" must be of type boolean, given \"maybe\""), "{stderr}");

    // Actions changed nothing else: the secrets are as the secret-changed step left them.
    let secrets = &step.state.secrets;
    assert_eq!(step.owned_token().latest(), 2);
    assert_eq!(secrets.len(), 2, "{secrets:#?}");

    // 7. The client goes away: client/0 departs, then the relation breaks. The charm observes
    //    neither; the relation leaves the state and so does the grant scoped to it.
    let step = sc.run("db-relation-departed", &["--remote-unit", "client/0"]);
    assert!(step.state.relation(5).unwrap().remote_units.is_empty());
    step.assert_report("relation db:5: client/0 departed");
    let step = sc.run("db-relation-broken", &[]);
    assert!(step.state.relation(5).is_none());
    assert!(step.owned_token().grants.is_empty(), "{:?}", step.owned_token().grants);
    step.assert_report("relation db:5: removed");
    assert!(
        step.logs("DEBUG").ends_with(&["db:5: Emitting Juju event db_relation_broken."]),
        "{:?}",
        step.logs("DEBUG")
    );

    // 8. config-changed on a unit that is no longer the leader: no secret writes.
    sc.change(|s| {
        s.leader = false;
        s.config.insert("token-generation".into(), json!(3));
    });
    let step = sc.run("config-changed", &[]);
    assert_eq!(step.status(), ("active", "bonjour; token generation 3"));
    assert_eq!(step.owned_token().latest(), 2, "only the leader writes the app's secret");
    assert_ops_store(&sc.charm);
}

/// More of the ops API than the compat charm uses, on the compat charm's metadata: goal-state
/// through `planned_units()`, application status, ports, peer application data, a deferred
/// event that ops re-emits from `.unit-state.db` on the next dispatch, and relation-broken.
const PROBE_CHARM: &str = r#"
import logging
import ops

logger = logging.getLogger(__name__)


class Probe(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(config_seen=0)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_relation_broken, self._on_db_relation_broken)

    def _on_update_status(self, event):
        planned = self.app.planned_units()
        peers = self.model.get_relation('cluster')
        names = sorted(u.name for u in peers.units)
        peers.data[self.app]['seen'] = ','.join(names)
        self.unit.set_ports(8080, ops.Port('udp', 53))
        self.app.status = ops.ActiveStatus(f'{planned} units planned')
        self.unit.status = ops.ActiveStatus(f'peers {",".join(names)}')

    def _on_config_changed(self, event):
        self._stored.config_seen += 1
        logger.info('config-changed seen %d times', self._stored.config_seen)
        if self._stored.config_seen == 1:
            event.defer()
            self.unit.status = ops.WaitingStatus('deferred')
        else:
            self.unit.status = ops.ActiveStatus(f'config seen {self._stored.config_seen} times')

    def _on_db_relation_broken(self, event):
        units = sorted(u.name for u in event.relation.units)
        app = event.relation.app.name if event.relation.app else '?'
        self.unit.status = ops.ActiveStatus(f'db broken; app {app}; units [{",".join(units)}]')


if __name__ == '__main__':
    ops.main(Probe)
"#;

#[test]
fn ops_planned_units_ports_peer_data_deferral_and_broken_under_goops_sim_run() {
    let mut state = initial_state();
    let mut peers =
        Relation { id: 1, endpoint: "cluster".into(), interface: "compat-cluster".into(), ..Relation::default() };
    peers.remote_units.insert("ops-compat/1".into(), Default::default());
    state.relations.push(peers);
    let mut sc = Scenario::with_charm_py(&state, Some(PROBE_CHARM));

    let step = sc.run("update-status", &[]);
    assert_eq!(step.status(), ("active", "peers ops-compat/1"));
    let app = &step.state.app_status;
    assert_eq!(
        (app.status.as_str(), app.message.as_str()),
        ("active", "2 units planned"),
        "goal-state lists both units"
    );
    assert_eq!(step.state.relation(1).unwrap().local_app_data, content(&[("seen", "ops-compat/1")]));
    let ports: Vec<(&str, u16)> = step.state.opened_ports.iter().map(|p| (p.protocol.as_str(), p.from)).collect();
    assert_eq!(ports, [("tcp", 8080), ("udp", 53)]);
    step.assert_report("app status: active (\"2 units planned\")");

    // config-changed is deferred once; the next dispatch re-emits it before its own event.
    let step = sc.run("config-changed", &[]);
    assert_eq!(step.status(), ("waiting", "deferred"));
    let step = sc.run("update-status", &[]);
    assert_eq!(step.status(), ("active", "peers ops-compat/1"));
    let seen: Vec<&str> = step.logs("INFO").into_iter().filter(|m| m.starts_with("config-changed seen")).collect();
    assert_eq!(seen, ["config-changed seen 1 times", "config-changed seen 2 times"]);
    let debug = step.logs("DEBUG");
    let tail = &debug[debug.len() - 2..];
    assert!(
        tail[0].starts_with("Re-emitting deferred event <ConfigChangedEvent via Probe/on/config_changed["),
        "{debug:?}"
    );
    assert_eq!(tail[1], "Emitting Juju event update_status.", "{debug:?}");

    // relation-broken (here without the departed hooks, whose units the state still holds):
    // Juju has no members left by then, and ops sees none.
    sc.change(|s| {
        let mut db = Relation { id: 7, endpoint: "db".into(), remote_app: "client".into(), ..Relation::default() };
        db.remote_units.insert("client/0".into(), Default::default());
        s.relations.push(db);
    });
    let step = sc.run("db-relation-broken", &[]);
    assert_eq!(step.status(), ("active", "db broken; app client; units []"));
    assert!(step.state.relation(7).is_none());
}
