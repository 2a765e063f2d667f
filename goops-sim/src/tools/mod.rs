//! Every hook tool, run on a [`Session`] with Juju's flags, outputs, errors and rules.
//!
//! One module per tool family, named as goops-runtime's `hookcmds` modules. Each tool is a
//! `ToolDef`: its options and a function that does argument checks (usage errors, exit 2) and
//! then the work (run errors, exit 1).

use std::ffi::OsString;
use std::path::Path;

use goops_runtime::ToolOutput;

use crate::flags::{self, FlagError, FlagSpec, Parsed};
use crate::format::{self, Format, Val};
use crate::report::ToolCall;
use crate::session::Session;

mod action;
mod config;
mod credential;
mod goal_state;
mod leadership;
mod log;
mod metric;
mod network;
mod port;
mod reboot;
mod relation;
mod resource;
mod secret;
mod state;
mod status;
mod storage;
mod unit;

/// The result of running a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolResponse {
    /// The tool ran.
    Done(ToolOutput),
    /// The tool needs its stdin and none was supplied; the client should retry with it
    /// (Juju's `ErrNoStdin` protocol).
    NeedStdin,
}

impl ToolResponse {
    /// The output, treating a stdin request as Juju's client would if it had no stdin.
    pub(crate) fn into_output(self) -> ToolOutput {
        match self {
            ToolResponse::Done(out) => out,
            ToolResponse::NeedStdin => ToolOutput::error(1, "hook tool requires stdin, none supplied"),
        }
    }
}

/// How a tool failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolError {
    /// An option or argument error (exit 2).
    Usage(String),
    /// A run-time error (exit 1).
    Run(String),
    /// The tool needs stdin.
    NeedStdin,
}

pub(crate) fn usage(msg: impl Into<String>) -> ToolError {
    ToolError::Usage(msg.into())
}

pub(crate) fn fail(msg: impl Into<String>) -> ToolError {
    ToolError::Run(msg.into())
}

/// What a tool prints on success.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    /// Nothing.
    None,
    /// Raw bytes (no formatting).
    Raw(Vec<u8>),
    /// A value for the formatter.
    Value(Val),
    /// Different values for JSON and for YAML/smart (Go structs whose json and yaml tags differ).
    PerFormat {
        /// What `--format json` prints.
        json: Val,
        /// What `yaml` and `smart` print.
        yaml: Val,
    },
}

pub(crate) type ToolResult = Result<Out, ToolError>;

/// Which `--format` values a tool accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Formats {
    /// No `--format` option.
    None,
    /// smart|yaml|json, default smart.
    All,
    /// yaml|json, default yaml.
    YamlJson,
    /// A deprecated, ignored `--format` that only warns.
    Deprecated,
}

/// The context a tool runs in.
pub(crate) struct Call<'a> {
    pub parsed: Parsed<'a>,
    pub stdin: Option<&'a [u8]>,
    pub cwd: &'a Path,
}

impl<'a> Call<'a> {
    pub fn args(&self) -> &[&'a str] {
        self.parsed.positional.as_slice()
    }

    /// Read `--file`-style input: `-` is stdin (asking for it when not supplied), else a path
    /// relative to the caller's cwd.
    pub fn read_input(&self, path: &str) -> Result<Vec<u8>, ToolError> {
        if path == "-" {
            return self.stdin.map(<[u8]>::to_vec).ok_or(ToolError::NeedStdin);
        }
        let full = self.cwd.join(expand_home(path));
        crate::agent_file::read(&full).map_err(|e| fail(e.with_path(path)))
    }
}

pub(crate) fn expand_home(path: &str) -> std::path::PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return Path::new(&home).join(rest);
    }
    std::path::PathBuf::from(path)
}

/// One hook tool.
pub(crate) struct ToolDef {
    pub name: &'static str,
    pub args: &'static str,
    pub purpose: &'static str,
    pub flags: &'static [FlagSpec],
    pub formats: Formats,
    pub run: fn(&mut Session, &Call<'_>) -> ToolResult,
}

const FORMAT: FlagSpec = FlagSpec::value(&["format"], "FORMAT", "Specify output format");
const OUTPUT: FlagSpec = FlagSpec::value(&["o", "output"], "PATH", "Specify an output file");

/// Every tool, by family.
const FAMILIES: &[&[&ToolDef]] = &[
    action::TOOLS,
    config::TOOLS,
    credential::TOOLS,
    goal_state::TOOLS,
    leadership::TOOLS,
    log::TOOLS,
    metric::TOOLS,
    network::TOOLS,
    port::TOOLS,
    reboot::TOOLS,
    relation::TOOLS,
    resource::TOOLS,
    secret::TOOLS,
    state::TOOLS,
    status::TOOLS,
    storage::TOOLS,
    unit::TOOLS,
];

fn all_tools() -> impl Iterator<Item = &'static ToolDef> {
    FAMILIES.iter().flat_map(|family| family.iter().copied())
}

/// The names of every hook tool goops-sim implements.
pub(crate) fn tool_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = all_tools().map(|t| t.name).collect();
    names.sort_unstable();
    names
}

/// Run `tool` with `args` on `session`, called from the hook's working directory (the charm dir),
/// as the in-process engine does.
pub(crate) fn run(session: &mut Session, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> ToolResponse {
    // Lend `charm_dir` to the call as its cwd instead of cloning it per call (add-metric, the
    // one tool that reads the charm dir, looks there while it is lent).
    let cwd = std::mem::take(&mut session.charm_dir);
    let response = run_in(session, tool, args, stdin, &cwd);
    session.charm_dir = cwd;
    response
}

/// A tool's arguments as text, or the refusal naming the first that is not UTF-8. goops-sim
/// refuses such bytes rather than alter them, in process and in-process alike. (Juju's Go client
/// passes argv bytes through, but what reaches the controller is JSON, whose encoder replaces
/// invalid UTF-8 with U+FFFD for relation data, status and logs; only secret content, sent
/// base64, would keep its bytes. The state file holds text: silently storing different bytes,
/// secret content included, would be worse than a clear refusal.)
pub(crate) fn utf8_args(tool: &str, args: &[OsString]) -> Result<Vec<String>, String> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            arg.to_str().map(str::to_owned).ok_or_else(|| {
                format!(
                    "argument {} of {tool} is not valid UTF-8: goops-sim refuses it rather than store altered bytes",
                    i + 1
                )
            })
        })
        .collect()
}

/// Run `tool` with `args` on `session`. `cwd` is the caller's directory (for relative paths).
pub(crate) fn run_in(
    session: &mut Session,
    tool: &str,
    args: &[OsString],
    stdin: Option<&[u8]>,
    cwd: &Path,
) -> ToolResponse {
    let args = match utf8_args(tool, args) {
        Ok(args) => args,
        Err(message) => {
            // Recorded with the bad bytes replaced: the record is a report, not data.
            let lossy = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
            session.tool_calls.push(ToolCall { tool: tool.to_owned(), args: lossy, code: 2, stderr: String::new() });
            return ToolResponse::Done(ToolOutput::error(2, &message));
        }
    };
    // A bug in a tool must not take the simulated agent down with it: report it as a run error.
    let response =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_inner(session, tool, &args, stdin, cwd)))
            .unwrap_or_else(|payload| {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                ToolResponse::Done(ToolOutput::error(1, &format!("goops-sim internal error in {tool}: {message}")))
            });
    if let ToolResponse::Done(out) = &response {
        // Reports and records may be printed or written to disk: keep content values out.
        let args = if matches!(tool, "secret-add" | "secret-set") { secret::redact_content_args(args) } else { args };
        let stderr = session.redact_stderr(&out.stderr);
        session.tool_calls.push(ToolCall { tool: tool.to_owned(), args, code: out.code, stderr });
    }
    response
}

fn run_inner(session: &mut Session, tool: &str, args: &[String], stdin: Option<&[u8]>, cwd: &Path) -> ToolResponse {
    let Some(def) = all_tools().find(|t| t.name == tool) else {
        return ToolResponse::Done(ToolOutput::error(1, &format!("bad request: unknown command: {tool}")));
    };
    let shared: &[FlagSpec] = match def.formats {
        Formats::None => &[],
        Formats::Deprecated => &[FORMAT],
        Formats::All | Formats::YamlJson => &[FORMAT, OUTPUT],
    };
    let parsed = match flags::parse(&[def.flags, shared], args) {
        Ok(parsed) => parsed,
        Err(FlagError::Help) => {
            let specs: Vec<FlagSpec> = def.flags.iter().chain(shared).copied().collect();
            let ctx = help_context(session, def);
            return ToolResponse::Done(ToolOutput::ok(flags::help_text(def.name, def.args, def.purpose, &specs, &ctx)));
        }
        Err(FlagError::Invalid(msg)) => return ToolResponse::Done(ToolOutput::error(2, &msg)),
    };
    let mut warning = String::new();
    let format = match def.formats {
        Formats::None => Format::Smart,
        Formats::Deprecated => {
            if parsed.has("format") {
                warning = format!("--format flag deprecated for command {:?}", def.name);
            }
            Format::Smart
        }
        Formats::All | Formats::YamlJson => {
            let default = if def.formats == Formats::All { Format::Smart } else { Format::Yaml };
            match parsed.value("format") {
                None => default,
                Some(value) => match Format::parse(value) {
                    Some(Format::Smart) if def.formats == Formats::YamlJson => {
                        return ToolResponse::Done(ToolOutput::error(
                            2,
                            &format!("invalid value {value:?} for option --format: unknown format {value:?}"),
                        ));
                    }
                    Some(f) => f,
                    None => {
                        return ToolResponse::Done(ToolOutput::error(
                            2,
                            &format!("invalid value {value:?} for option --format: unknown format {value:?}"),
                        ));
                    }
                },
            }
        }
    };
    let output_path = parsed.value("output").map(str::to_owned);
    let call = Call { parsed, stdin, cwd };
    let result = (def.run)(session, &call);
    let mut out = match result {
        Err(ToolError::NeedStdin) => return ToolResponse::NeedStdin,
        Err(ToolError::Usage(msg)) => ToolOutput::error(2, &msg),
        Err(ToolError::Run(msg)) => ToolOutput::error(1, &msg),
        Ok(Out::None) => ToolOutput::ok(Vec::new()),
        Ok(Out::Raw(bytes)) => ToolOutput::ok(bytes),
        Ok(value @ (Out::Value(_) | Out::PerFormat { .. })) => {
            let val = match (value, format) {
                (Out::PerFormat { json, .. }, Format::Json) => json,
                (Out::PerFormat { yaml, .. }, _) => yaml,
                (Out::Value(val), _) => val,
                (_, _) => Val::Nil,
            };
            let bytes = format::render(&val, format);
            match output_path {
                Some(path) if !path.is_empty() => match crate::agent_file::write(&cwd.join(expand_home(&path)), &bytes)
                {
                    Ok(()) => ToolOutput::ok(Vec::new()),
                    Err(e) => ToolOutput::error(1, &e.with_path(&path)),
                },
                _ => ToolOutput::ok(bytes),
            }
        }
    };
    // Juju prints the warning in Run, which a usage error (exit 2, from Init) never reaches
    // (worker/uniter/runner/jujuc/ports.go, juju-log.go, relation-set.go).
    if !warning.is_empty() && out.code != 2 {
        let mut stderr = warning.into_bytes();
        stderr.extend_from_slice(&out.stderr);
        out.stderr = stderr;
    }
    ToolResponse::Done(out)
}

/// The parts of `def`'s help that depend on the hook (docs/hook-tools.md §1.3).
fn help_context(session: &Session, def: &ToolDef) -> flags::HelpContext {
    let mut ctx = relation::help_context(session, def.name);
    if let crate::event::Event::Relation { relation, .. } = &session.event {
        ctx.relation = relation.to_string();
    }
    ctx.format = match def.formats {
        Formats::All => Some(("smart", "json|smart|yaml")),
        Formats::YamlJson => Some(("yaml", "json|yaml")),
        Formats::None | Formats::Deprecated => None,
    };
    ctx.file_var = matches!(def.name, "relation-set" | "state-set");
    ctx
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by several tools.

/// `unrecognized args: ["x" "y"]` (Go `%q` of a string slice).
pub(crate) fn unrecognized(extra: &[&str]) -> ToolError {
    let quoted: Vec<String> = extra.iter().map(|s| format!("{s:?}")).collect();
    usage(format!("unrecognized args: [{}]", quoted.join(" ")))
}

pub(crate) fn check_empty(extra: &[&str]) -> Result<(), ToolError> {
    if extra.is_empty() { Ok(()) } else { Err(unrecognized(extra)) }
}

/// The relation a relation-scoped tool acts on: `-r` (`N` or `anything:N`), else the hook's
/// relation, else `no relation id specified` (rules 7, 8).
pub(crate) fn relation_id(session: &Session, call: &Call<'_>) -> Result<u32, ToolError> {
    match relation_id_opt(session, call)? {
        Some(id) => Ok(id),
        None => Err(usage("no relation id specified")),
    }
}

pub(crate) fn relation_id_opt(session: &Session, call: &Call<'_>) -> Result<Option<u32>, ToolError> {
    match call.parsed.value_with_spelling("r") {
        Some((spelled, value)) => {
            let number = value.rsplit(':').next().unwrap_or(value);
            // strconv.Atoi: any int parses; unknown (or negative) ids are "not found".
            let id: i64 = number
                .parse()
                .map_err(|_| usage(format!("invalid value {value:?} for option {spelled}: invalid relation id")))?;
            match u32::try_from(id).ok().filter(|id| session.state.relation(*id).is_some()) {
                Some(id) => Ok(Some(id)),
                None => Err(usage(format!("invalid value {value:?} for option {spelled}: relation not found"))),
            }
        }
        None => Ok(session.event.relation_id()),
    }
}

/// Whether the unit is the leader (sticky false within a hook, rule 18).
pub(crate) fn is_leader(session: &mut Session) -> bool {
    if session.minion || !session.state.leader {
        session.minion = true;
        return false;
    }
    true
}

/// `relation-set`/`state-set` settings: the `--file` map (`-` = stdin), then the `k=v`
/// arguments, which override keys from the file.
pub(crate) fn file_and_arg_settings(call: &Call<'_>) -> Result<Vec<(String, String)>, ToolError> {
    let pairs = parse_key_values(call.args(), true).map_err(usage)?;
    let mut settings = match call.parsed.value("file") {
        Some(path) => parse_string_map(&call.read_input(path)?)?,
        None => Vec::new(),
    };
    // One pass with a set, not a scan of the file's keys per argument.
    let from_args: std::collections::HashSet<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    settings.retain(|(k, _)| !from_args.contains(k.as_str()));
    settings.extend(pairs);
    Ok(settings)
}

/// `github.com/juju/utils/v4` `keyvalues.Parse(args, allow_empty_values)`: split each
/// `key=value` at the first `=`, trim both parts, refuse an empty key (or value, unless
/// allowed) and a key given twice. The error is Juju's text.
pub(crate) fn parse_key_values(args: &[&str], allow_empty_values: bool) -> Result<Vec<(String, String)>, String> {
    use crate::format::go_quote::quote;
    let mut out: Vec<(String, String)> = Vec::with_capacity(args.len());
    let mut seen = std::collections::HashSet::with_capacity(args.len());
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(format!("expected \"key=value\", got {}", quote(arg)));
        };
        // Go's strings.TrimSpace: Unicode white space, as Rust's `trim`.
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || (!allow_empty_values && value.is_empty()) {
            // `got "%s=%s"`: the trimmed parts, unquoted.
            return Err(format!("expected \"key=value\", got \"{key}={value}\""));
        }
        if !seen.insert(key) {
            return Err(format!("key {} specified more than once", quote(key)));
        }
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// Parse a settings file (a YAML map of strings) as `relation-set --file`/`state-set --file`
/// read it: yaml.v2 into a `map[string]string` (see [`crate::format::yaml_read`]).
pub(crate) fn parse_string_map(bytes: &[u8]) -> Result<Vec<(String, String)>, ToolError> {
    crate::format::yaml_read::string_map(bytes).map_err(fail)
}

/// Go's `strconv.ParseInt(s, 0, 64)` (decimal, `0x`, `0o`/`0`, `0b`); the error is Go's reason.
pub(crate) fn go_parse_int(s: &str) -> Result<i64, &'static str> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let body = body.replace('_', "");
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, d.to_owned())
    } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, d.to_owned())
    } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, d.to_owned())
    } else if body.len() > 1 && body.starts_with('0') {
        (8, body[1..].to_owned())
    } else {
        (10, body.clone())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("invalid syntax");
    }
    let magnitude = i128::from_str_radix(&digits, radix).map_err(|_| "value out of range")?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| "value out of range")
}

/// A map of strings as a formatter value.
pub(crate) fn bag_val(bag: &std::collections::BTreeMap<String, String>) -> Val {
    Val::map(bag.iter().map(|(k, v)| (k.clone(), Val::str(v.clone()))))
}

#[cfg(test)]
mod tests {
    /// The simulator implements every hook tool goops-juju lists, and no other (its own table is
    /// the oracle's implementation; the list of names is Juju knowledge and lives in goops-juju).
    #[test]
    fn every_hook_tool_of_juju_is_served() {
        assert_eq!(super::tool_names(), goops_juju::tools::HOOK_TOOLS);
    }
}
