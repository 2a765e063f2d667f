//! Process-level tests: real executables (shell scripts) on a private PATH, run by
//! `ProcessTools`. They prove that secret content travels as 0600 files in a 0700 directory
//! that is gone after the call, that no secret value reaches argv, an error or a log line, and
//! that a missing tool says the program is not running inside a Juju hook.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use common::TempDir;
use goops_runtime::hookcmds::{relation, secret};
use goops_runtime::{
    Bag, Context, Error, Event, HookTools, JujuEnv, ProcessTools, RelationId, SecretAddOptions, SecretContent,
    SecretSetOptions, SecretString,
};

const SECRET: &str = "s3cr3t-value-that-must-not-leak";

struct Bin {
    dir: TempDir,
    report: PathBuf,
}

impl Bin {
    fn new(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let report = dir.path().join("report.txt");
        std::fs::create_dir(dir.path().join("bin")).expect("bin dir");
        Bin { dir, report }
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Install `body` as the tool `name`; `$REPORT` is the report file.
    fn tool(&self, name: &str, body: &str) {
        let path = self.bin().join(name);
        let script = format!("#!/bin/sh\nPATH=/usr/bin:/bin\nREPORT='{}'\n{body}\n", self.report.display());
        std::fs::write(&path, script).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    fn tools(&self) -> ProcessTools {
        ProcessTools::with_path(self.bin())
    }

    fn report(&self) -> String {
        std::fs::read_to_string(&self.report).unwrap_or_default()
    }
}

/// A tool that records its argv and, for each `key#file=PATH`, whether the file exists, its
/// mode, its directory's mode and its content.
const RECORD_FILES: &str = r#"
echo "argv: $*" >> "$REPORT"
for arg in "$@"; do
  case "$arg" in
    *'#file='*)
      path="${arg#*#file=}"
      dir="$(dirname "$path")"
      if [ -f "$path" ]; then
        echo "file: $(stat -c %a "$path") dir: $(stat -c %a "$dir") path: $path content: $(cat "$path")" >> "$REPORT"
      else
        echo "missing: $path" >> "$REPORT"
      fi
      ;;
  esac
done
"#;

fn content() -> SecretContent {
    [("password".to_owned(), SecretString::from(SECRET)), ("username".to_owned(), SecretString::from("admin"))].into()
}

fn file_paths(report: &str) -> Vec<PathBuf> {
    report.lines().filter_map(|l| l.split(" path: ").nth(1)?.split(" content: ").next()).map(PathBuf::from).collect()
}

#[test]
fn secret_add_content_travels_as_private_files() {
    let bin = Bin::new("secret-add");
    bin.tool("secret-add", &format!("{RECORD_FILES}\necho secret:cn0s4cu5gdbs7e2q5l4g"));
    let uri = secret::secret_add(&bin.tools(), &content(), &SecretAddOptions::new().label("db")).expect("added");
    assert_eq!(uri, "secret:cn0s4cu5gdbs7e2q5l4g");

    let report = bin.report();
    let argv_line = report.lines().find(|l| l.starts_with("argv: ")).expect("argv recorded");
    assert!(!argv_line.contains(SECRET), "secret on argv: {argv_line}");
    assert!(argv_line.contains("--label db --owner application password#file="), "{argv_line}");
    assert!(report.contains("file: 600 dir: 700 path: "), "{report}");
    assert!(
        report.lines().any(|l| l.ends_with(&format!("content: {SECRET}"))),
        "the tool read the value from the file"
    );
    assert!(report.lines().any(|l| l.ends_with("content: admin")));
    assert!(!report.contains("missing:"), "{report}");
    let paths = file_paths(&report);
    assert_eq!(paths.len(), 2);
    for path in &paths {
        assert!(!path.exists(), "{} still exists", path.display());
        assert!(!path.parent().expect("dir").exists(), "the directory is removed");
        assert!(path.starts_with("/dev/shm") || path.starts_with(std::env::temp_dir()), "{}", path.display());
    }
}

#[test]
fn secret_set_failure_removes_files_and_never_echoes_the_value() {
    let bin = Bin::new("secret-set");
    // A tool that (hypothetically) echoes the content it read in its error.
    bin.tool(
        "secret-set",
        &format!(
            "{RECORD_FILES}\nfor a in \"$@\"; do case \"$a\" in password*) v=\"$(cat \"${{a#*#file=}}\")\";; esac; done\n\
             echo \"ERROR secret content $v is not valid\" >&2\nexit 1"
        ),
    );
    let err = secret::secret_set(&bin.tools(), "secret:abc", Some(&content()), &SecretSetOptions::new())
        .expect_err("the tool failed");
    assert!(matches!(err, Error::ToolFailed { code: 1, .. }), "{err:?}");
    assert!(!err.to_string().contains(SECRET), "{err}");
    assert!(!format!("{err:?}").contains(SECRET), "{err:?}");
    assert!(err.to_string().contains("[REDACTED]"), "{err}");
    let report = bin.report();
    assert!(report.contains("file: 600 dir: 700"), "{report}");
    for path in file_paths(&report) {
        assert!(!path.parent().expect("dir").exists(), "removed after a failed call");
    }
}

#[test]
fn relation_data_goes_on_stdin_not_argv() {
    let bin = Bin::new("relation-set");
    bin.tool("relation-set", "echo \"argv: $*\" >> \"$REPORT\"\necho \"stdin: $(cat)\" >> \"$REPORT\"");
    let data = [("password".to_owned(), SECRET.to_owned())].into();
    relation::relation_set(&bin.tools(), &RelationId::new("db", 4), Bag::App, &data).expect("set");
    let report = bin.report();
    assert!(report.contains("argv: -r db:4 --app --file -\n"), "{report}");
    assert!(report.contains(&format!("stdin: {{\"password\":\"{SECRET}\"}}")), "{report}");
}

#[test]
fn no_secret_in_log_lines_or_errors_through_the_context() {
    let bin = Bin::new("ctx");
    bin.tool("juju-log", "echo \"log: $*\" >> \"$REPORT\"");
    bin.tool("secret-get", &format!("echo '{{\"password\":\"{SECRET}\"}}'"));
    bin.tool("secret-add", &format!("{RECORD_FILES}\necho secret:new"));
    let env = JujuEnv::from_vars([("JUJU_UNIT_NAME", "app/0")]);
    let ctx = Context::new(env, Event::Install, bin.tools()).expect("a unit");
    let got =
        ctx.secret_get(&goops_runtime::SecretSelector::label("db"), Default::default()).expect("read").expect("exists");
    assert_eq!(got["password"].expose_secret(), SECRET);
    // Logging the content by mistake shows only the redaction marker (and `{}` does not
    // compile: `SecretString` has no `Display`).
    ctx.log_info(format!("got {got:?} and {:?}", got["password"]));
    ctx.secret_add(&got, &SecretAddOptions::new()).expect("added");
    let report = bin.report();
    assert!(report.contains("log: --log-level INFO -- got {\"password\": [REDACTED]} and [REDACTED]"), "{report}");
    for line in report.lines().filter(|l| l.starts_with("log: ") || l.starts_with("argv: ")) {
        assert!(!line.contains(SECRET), "leak: {line}");
    }
}

#[test]
fn missing_tool_says_not_in_a_juju_hook() {
    let bin = Bin::new("empty");
    let err = bin.tools().call("is-leader", &[], None).expect_err("no such tool");
    assert!(matches!(err, Error::ToolMissing { ref tool } if tool == "is-leader"), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("is-leader") && text.contains("not running inside a Juju hook"), "{text}");
    // Through the typed API too.
    let err = goops_runtime::hookcmds::leadership::is_leader(&bin.tools()).expect_err("no such tool");
    assert!(matches!(err, Error::ToolMissing { .. }));
}

#[test]
fn exit_codes_and_stderr_map_to_typed_errors() {
    let bin = Bin::new("codes");
    bin.tool("relation-get", "echo 'ERROR invalid value \"db:9\" for option -r: relation not found' >&2\nexit 2");
    bin.tool(
        "status-set",
        "echo 'ERROR invalid status \"x\", expected one of [maintenance blocked waiting active]' >&2\nexit 2",
    );
    let err = relation::relation_get(&bin.tools(), &RelationId::new("db", 9), "pg/0").expect_err("gone");
    assert!(err.is_not_found(), "{err:?}");
    let err = goops_runtime::hookcmds::status::status_set(&bin.tools(), &goops_runtime::Status::Active("x".into()))
        .expect_err("usage");
    assert!(matches!(err, Error::InvalidUsage { ref tool, .. } if tool == "status-set"), "{err:?}");
}

#[test]
fn long_multibyte_log_messages_fit_the_kernel_argument_limit() {
    // Linux refuses (E2BIG) any single argument of MAX_ARG_STRLEN = 131072 bytes or more,
    // terminating NUL included: the limit is in bytes, not characters.
    let bin = Bin::new("juju-log");
    bin.tool("juju-log", "echo \"$4\" | wc -c >> \"$REPORT\"");
    let message = "é".repeat(goops_runtime::hookcmds::log::MAX_LOG_LINE_LEN + 5);
    goops_runtime::hookcmds::log::juju_log(&bin.tools(), goops_runtime::LogLevel::Info, &message)
        .expect("every chunk reaches juju-log");
    let sizes: Vec<usize> =
        bin.report().lines().map(|l| l.trim().parse::<usize>().expect("a byte count") - 1).collect();
    assert!(sizes.iter().all(|&n| n <= goops_runtime::hookcmds::log::MAX_LOG_LINE_LEN), "{sizes:?}");
    // The header line, then the message's bytes in order.
    assert_eq!(sizes[1..].iter().sum::<usize>(), message.len(), "{sizes:?}");
}
