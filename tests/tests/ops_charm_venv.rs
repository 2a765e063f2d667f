//! The Python ops charm runs from a staged charm dir with the pinned `ops` venv, without
//! goops-sim: stub hook tools on PATH log what ops calls (see tests/ops-charm/record/).
//!
//! These tests need Python 3.10+ with `venv` and PyPI access; without them they fail with a
//! message saying so. They never skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use goops_tests::{OPS_VERSION, TempDir, ops_charm_src, ops_python, stage_ops_charm, stage_stub_tools};
use serde_json::{Value, json};

const UNIT: &str = "ops-compat/0";
const MODEL_UUID: &str = "a5b3f4c2-8e1d-4f6a-9b7c-0d2e4f6a8b1c";

/// A staged charm plus stub tools, in one temp dir.
struct Staged {
    dir: TempDir,
    charm: PathBuf,
    bin: PathBuf,
}

fn stage() -> Staged {
    let python = ops_python();
    let dir = TempDir::new("goops-ops-charm");
    let charm = dir.path().join("charm");
    let bin = dir.path().join("bin");
    let dispatch = stage_ops_charm(&charm, &python);
    assert_eq!(dispatch, charm.join("dispatch"));
    stage_stub_tools(&bin, &python);
    Staged { dir, charm, bin }
}

/// One recorded hook-tool call.
#[derive(Debug)]
struct Call {
    argv: Vec<String>,
    stdin: Option<String>,
    files: serde_json::Map<String, Value>,
}

impl Staged {
    /// Runs `dispatch` with the environment Juju 3.6 sets (docs/hook-tools.md §3) for
    /// `dispatch_path`, plus `extra`; `responses` are stub rules (record/stub_tool.py).
    fn run(&self, dispatch_path: &str, extra: &[(&str, &str)], responses: Value) -> (Output, Vec<Call>) {
        let name = dispatch_path.rsplit('/').next().unwrap();
        let hook_name = if dispatch_path.starts_with("hooks/") { name } else { "" };
        let log = self.dir.path().join(format!("{name}.jsonl"));
        let rules = self.dir.path().join(format!("{name}-responses.json"));
        std::fs::write(&rules, responses.to_string()).unwrap();
        let mut cmd = Command::new(self.charm.join("dispatch"));
        cmd.current_dir(&self.charm)
            .env_clear()
            .env("CHARM_DIR", &self.charm)
            .env("JUJU_CHARM_DIR", &self.charm)
            .env("JUJU_CONTEXT_ID", format!("{UNIT}-{name}-0123456789abcdef0123456789abcdef"))
            .env("JUJU_HOOK_NAME", hook_name)
            .env("JUJU_DISPATCH_PATH", dispatch_path)
            .env("JUJU_AGENT_SOCKET_ADDRESS", "@/var/lib/juju/agents/unit-ops-compat-0/agent.socket")
            .env("JUJU_AGENT_SOCKET_NETWORK", "unix")
            .env("JUJU_UNIT_NAME", UNIT)
            .env("JUJU_MODEL_UUID", MODEL_UUID)
            .env("JUJU_MODEL_NAME", "compat")
            .env("JUJU_API_ADDRESSES", "10.0.0.1:17070")
            .env("JUJU_MACHINE_ID", "0")
            .env("JUJU_PRINCIPAL_UNIT", "")
            .env("JUJU_AVAILABILITY_ZONE", "")
            .env("JUJU_VERSION", "3.6.9")
            .env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin.display()))
            .env("LANG", "C.UTF-8")
            .env("STUB_LOG", &log)
            .env("STUB_RESPONSES", &rules)
            .envs(extra.iter().copied());
        let out = cmd.output().expect("run the staged dispatch");
        (out, read_calls(&log))
    }
}

fn read_calls(log: &Path) -> Vec<Call> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("stub log line is JSON");
            Call {
                argv: v["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
                stdin: v["stdin"].as_str().map(str::to_owned),
                files: v["files"].as_object().unwrap().clone(),
            }
        })
        .collect()
}

fn argvs(calls: &[Call]) -> Vec<Vec<&str>> {
    calls.iter().map(|c| c.argv.iter().map(String::as_str).collect()).collect()
}

fn assert_success(out: &Output, calls: &[Call]) {
    assert!(
        out.status.success(),
        "dispatch failed: {}\n--- stderr ---\n{}\n--- calls ---\n{:#?}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        argvs(calls)
    );
}

#[test]
fn install_adds_the_secret_through_files_and_reports_status() {
    let staged = stage();
    let (out, calls) = staged.run("hooks/install", &[], json!([]));
    assert_success(&out, &calls);
    let argvs = argvs(&calls);

    assert_eq!(argvs[0], ["juju-log", "--log-level", "DEBUG", "--", &format!("ops {OPS_VERSION} up and running.")]);
    assert!(argvs.contains(&vec!["status-set", "--application=False", "maintenance", "--", "installing"]));
    assert!(argvs.contains(&vec!["application-version-set", "--", "1.0.0"]));
    assert!(argvs.contains(&vec!["is-leader", "--format=json"]));

    let adds: Vec<&Call> = calls.iter().filter(|c| c.argv[0] == "secret-add").collect();
    assert_eq!(adds.len(), 1, "one secret-add: {argvs:#?}");
    let add = adds[0];
    assert_eq!(
        add.argv[..7],
        ["secret-add", "--label", "compat-token", "--description", "token shared over db", "--owner", "application"]
    );
    let content_args = &add.argv[7..];
    assert_eq!(content_args.len(), 2, "{content_args:?}");
    assert!(content_args[0].starts_with("token#file=/"), "{content_args:?}");
    assert!(content_args[1].starts_with("generation#file=/"), "{content_args:?}");
    // The content is in the files, and nowhere on any argv.
    let file_of = |arg: &str| add.files[arg.split_once("#file=").unwrap().1].as_str().unwrap().to_owned();
    assert_eq!(file_of(&content_args[0]), "token-value-1");
    assert_eq!(file_of(&content_args[1]), "1");
    for call in &calls {
        assert!(!call.argv.iter().any(|a| a.contains("token-value-")), "secret value on argv: {:?}", call.argv);
    }
    // ops removes its 0700 temp dir after the call.
    let dir = Path::new(content_args[0].split_once("#file=").unwrap().1).parent().unwrap();
    assert!(!dir.exists(), "{} still exists", dir.display());

    assert!(argvs.contains(&vec!["secret-get", "--format=json", "--label", "compat-token"]));
    assert_eq!(
        argvs.last().unwrap(),
        &["status-set", "--application=False", "active", "--", "installed; token generation 1"]
    );
    assert!(staged.charm.join(".unit-state.db").exists(), "ops keeps its state in the charm dir");
}

#[test]
fn relation_changed_writes_unit_and_app_data_on_stdin() {
    let staged = stage();
    let responses = json!([
        {"tool": "relation-ids", "args": ["db"], "stdout": "[\"db:5\"]\n"},
        {"tool": "relation-list", "args": ["--app"], "stdout": "\"client\"\n"},
        {"tool": "relation-list", "args": [], "stdout": "[\"client/0\"]\n"},
        {"tool": "relation-get", "args": ["client/0"], "stdout": "{\"request\": \"ping\"}\n"},
    ]);
    let relation_env = [
        ("JUJU_RELATION", "db"),
        ("JUJU_RELATION_ID", "db:5"),
        ("JUJU_REMOTE_UNIT", "client/0"),
        ("JUJU_REMOTE_APP", "client"),
    ];
    let (out, calls) = staged.run("hooks/db-relation-changed", &relation_env, responses);
    assert_success(&out, &calls);
    let argvs = argvs(&calls);

    assert!(argvs.contains(&vec!["relation-get", "--format=json", "-r", "db:5", "-", "client/0"]), "{argvs:#?}");
    let sets: Vec<&Call> = calls.iter().filter(|c| c.argv[0] == "relation-set").collect();
    assert_eq!(sets.len(), 2, "{argvs:#?}");
    assert_eq!(sets[0].argv, ["relation-set", "-r", "db:5", "--file", "-"]);
    let unit_bag: Value = serde_json::from_str(sets[0].stdin.as_deref().unwrap()).unwrap();
    assert_eq!(unit_bag, json!({"reply": "hello, ping"}));
    assert_eq!(sets[1].argv, ["relation-set", "-r", "db:5", "--app", "--file", "-"]);
    let app_bag: Value = serde_json::from_str(sets[1].stdin.as_deref().unwrap()).unwrap();
    let secret_uri = format!("secret://{MODEL_UUID}/cn0s4cu5gdbs7e2q5l4g");
    assert_eq!(app_bag, json!({"token-secret-id": secret_uri, "served-by": UNIT}));
    assert!(argvs.contains(&vec!["secret-grant", "--relation", "5", &secret_uri]), "{argvs:#?}");
    assert_eq!(argvs.last().unwrap(), &["status-set", "--application=False", "active", "--", "serving client"]);
}

#[test]
fn failing_action_calls_action_fail_and_exits_zero() {
    let staged = stage();
    let responses = json!([{"tool": "action-get", "args": [], "stdout": "{\"reason\": \"disk full\"}\n"}]);
    let action_env = [("JUJU_ACTION_NAME", "fail-always"), ("JUJU_ACTION_UUID", "8"), ("JUJU_ACTION_TAG", "action-8")];
    let (out, calls) = staged.run("actions/fail-always", &action_env, responses);
    assert_success(&out, &calls);
    let argvs = argvs(&calls);
    let tail: Vec<&Vec<&str>> = argvs.iter().filter(|a| a[0].starts_with("action-")).collect();
    assert_eq!(
        tail,
        [
            &vec!["action-get", "--format=json"],
            &vec!["action-log", "--", "about to fail"],
            &vec!["action-set", "partial=yes"],
            &vec!["action-fail", "--", "failed as requested: disk full"],
        ]
    );
}

/// ops reads metadata.yaml/config.yaml/actions.yaml at run time; they must say what
/// charmcraft.yaml says (checked with the venv's PyYAML, which ops depends on).
#[test]
fn split_metadata_files_agree_with_charmcraft_yaml() {
    let python = ops_python();
    let check = r#"
import sys, yaml
root = sys.argv[1]
load = lambda name: yaml.safe_load(open(f'{root}/{name}'))
cc = load('charmcraft.yaml')
meta = load('metadata.yaml')
for key in ('name', 'summary', 'description', 'provides', 'requires', 'peers'):
    assert meta.get(key) == cc.get(key), f'metadata.yaml {key}: {meta.get(key)!r} != {cc.get(key)!r}'
assert load('config.yaml') == cc['config'], 'config.yaml differs from charmcraft.yaml config'
assert load('actions.yaml') == cc['actions'], 'actions.yaml differs from charmcraft.yaml actions'
import ops
m = ops.CharmMeta.from_charm_root(root)
assert sorted(m.actions) == ['fail-always', 'get-info'], sorted(m.actions)
assert m.config['token-generation'].type == 'int' and m.config['greeting'].type == 'string'
assert list(m.provides) == ['db'] and list(m.peers) == ['cluster']
print('ok')
"#;
    let out = Command::new(&python).args(["-c", check]).arg(ops_charm_src()).output().expect("run the venv's python");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "ok",
        "metadata check failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ops_python_is_the_pinned_venv_and_is_reused() {
    let first = ops_python();
    assert!(first.ends_with(format!("ops-venv-{OPS_VERSION}/bin/python")), "{}", first.display());
    assert_eq!(ops_python(), first);
    let marker = first.parent().unwrap().parent().unwrap().join(".goops-ready");
    assert_eq!(std::fs::read_to_string(marker).unwrap(), format!("ops=={OPS_VERSION}"));
}

/// `RECORDED_ARGV.md` (what goops-sim must accept) is what ops does today: re-running the
/// recorder in `--check` mode reproduces it byte for byte, every step succeeds, and no secret
/// value reaches an argv.
#[test]
fn recorded_argv_transcript_is_current() {
    let python = ops_python();
    let script = ops_charm_src().join("record").join("record.py");
    let out = Command::new(&python).arg(&script).arg("--check").output().expect("run record.py");
    assert!(
        out.status.success(),
        "record.py --check failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
