//! A GNU-style option parser compatible with `github.com/juju/gnuflag` as Juju's hook tools use it.
//!
//! `--name value`, `--name=value`, `-r 3`, `-r3`, `-r=3`, bundled single-rune booleans, `--`
//! ending options, `-` as a positional, options interspersed with positionals, booleans that
//! accept `=true|false|True|False|1|0`, `-h`/`--help`. Errors use Juju's wording ("option").

/// One option a tool accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlagSpec {
    /// Every name of the option (`["r", "relation"]`); the first is the canonical name.
    pub(crate) names: &'static [&'static str],
    /// Whether the option is a boolean (takes no separate argument).
    pub(crate) boolean: bool,
    /// One-line help.
    pub(crate) help: &'static str,
    /// The default a string option's help shows (`juju-log -l`'s `INFO`); empty for most.
    pub(crate) default: &'static str,
}

impl FlagSpec {
    /// A boolean option.
    pub(crate) const fn boolean(names: &'static [&'static str], help: &'static str) -> FlagSpec {
        FlagSpec { names, boolean: true, help, default: "" }
    }

    /// An option with a value. `_value_name` names the value for readers of the tool table;
    /// gnuflag's help shows the default instead.
    pub(crate) const fn value(
        names: &'static [&'static str],
        _value_name: &'static str,
        help: &'static str,
    ) -> FlagSpec {
        FlagSpec { names, boolean: false, help, default: "" }
    }

    /// The same option with a default value, as its help shows it.
    pub(crate) const fn with_default(self, default: &'static str) -> FlagSpec {
        FlagSpec { default, ..self }
    }
}

/// Parse errors; the message is what Juju prints after `ERROR `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FlagError {
    /// `-h` or `--help` was given.
    #[error("help requested")]
    Help,
    /// Any other parse error.
    #[error("{0}")]
    Invalid(String),
}

/// The parsed command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed<'a> {
    // Each given option once, in order, with every name it answers to: a tool has a handful of
    // options, so a scan is cheaper than a map built on every call.
    given: Vec<Given<'a>>,
    /// Positional arguments in order.
    pub(crate) positional: Vec<&'a str>,
}

#[derive(Debug, Clone, Copy)]
struct Given<'a> {
    names: &'static [&'static str],
    spelled: Spelled,
    value: &'a str,
}

/// How an option was written on the command line (`-r` or `--relation`), for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spelled {
    long: bool,
    name: &'static str,
}

impl std::fmt::Display for Spelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.long { "--" } else { "-" })?;
        f.write_str(self.name)
    }
}

impl<'a> Parsed<'a> {
    fn last(&self, name: &str) -> Option<&Given<'a>> {
        self.given.iter().rev().find(|g| g.names.contains(&name))
    }

    /// The last value given for the option called `name` (any of its names).
    pub(crate) fn value(&self, name: &str) -> Option<&'a str> {
        self.last(name).map(|g| g.value)
    }

    /// The last value and the spelling the user used (`-r` or `--relation`), for error messages.
    pub(crate) fn value_with_spelling(&self, name: &str) -> Option<(Spelled, &'a str)> {
        self.last(name).map(|g| (g.spelled, g.value))
    }

    /// Whether a boolean option is set (its last value is true).
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.value(name) == Some("true")
    }

    fn record(&mut self, spec: &FlagSpec, spelled: Spelled, value: &'a str) {
        self.given.push(Given { names: spec.names, spelled, value });
    }

    /// Whether the option was given at all.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.last(name).is_some()
    }
}

fn with_dashes(name: &str) -> String {
    if name.chars().count() > 1 { format!("--{name}") } else { format!("-{name}") }
}

fn parse_bool(spelled: Spelled, value: &str) -> Result<&'static str, FlagError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true"),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false"),
        _ => Err(FlagError::Invalid(format!(
            "invalid value {value:?} for option {spelled}: strconv.ParseBool: parsing {value:?}: invalid syntax"
        ))),
    }
}

/// Parse `args` against the options of `spec_sets` (a tool's own options, then the shared
/// `--format`/`--output`: several slices, so nothing is concatenated per call).
pub(crate) fn parse<'a>(spec_sets: &[&[FlagSpec]], args: &'a [String]) -> Result<Parsed<'a>, FlagError> {
    // The spec and the name it matched (static, so a parsed option borrows nothing from `args`).
    let find = |name: &str| {
        spec_sets.iter().flat_map(|set| set.iter()).find_map(|s| s.names.iter().find(|n| **n == name).map(|n| (s, *n)))
    };
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            for arg in &args[i..] {
                parsed.positional.push(arg);
            }
            break;
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            parsed.positional.push(arg);
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            if name == "help" {
                return Err(FlagError::Help);
            }
            let Some((spec, name)) = find(name) else {
                return Err(FlagError::Invalid(format!("option provided but not defined: --{name}")));
            };
            let spelled = Spelled { long: true, name };
            let value = if spec.boolean {
                match inline {
                    Some(v) => parse_bool(spelled, v)?,
                    None => "true",
                }
            } else {
                match inline {
                    Some(v) => v,
                    None if i < args.len() => {
                        i += 1;
                        &args[i - 1]
                    }
                    None => return Err(FlagError::Invalid(format!("option needs an argument: {spelled}"))),
                }
            };
            parsed.record(spec, spelled, value);
            continue;
        }
        // Single dash: a run of single-rune options; the first that takes a value eats the rest.
        let bundle = &arg[1..];
        for (at, rune) in bundle.char_indices() {
            let mut buf = [0; 4];
            let name = &*rune.encode_utf8(&mut buf);
            if name == "h" {
                return Err(FlagError::Help);
            }
            let Some((spec, name)) = find(name) else {
                return Err(FlagError::Invalid(format!("option provided but not defined: -{name}")));
            };
            let spelled = Spelled { long: false, name };
            let rest = &bundle[at + rune.len_utf8()..];
            if spec.boolean {
                if let Some(v) = rest.strip_prefix('=') {
                    parsed.record(spec, spelled, parse_bool(spelled, v)?);
                    break;
                }
                parsed.record(spec, spelled, "true");
                continue;
            }
            let value = if !rest.is_empty() {
                rest.strip_prefix('=').unwrap_or(rest)
            } else if i < args.len() {
                i += 1;
                &args[i - 1]
            } else {
                return Err(FlagError::Invalid(format!("option needs an argument: {spelled}")));
            };
            parsed.record(spec, spelled, value);
            break;
        }
    }
    Ok(parsed)
}

/// What a tool's help says that depends on the hook: juju/cmd builds `Info()` and the option
/// defaults per context.
#[derive(Debug, Clone, Default)]
pub(crate) struct HelpContext {
    /// The arguments line, when the hook changes it (relation-get's `[<key> [<unit id>]]`).
    pub(crate) args: Option<&'static str>,
    /// The Details section, when the tool's doc names something of the hook.
    pub(crate) doc: Option<String>,
    /// The `-r`/`--relation` value's default: the hook's relation (`db:1`), else empty.
    pub(crate) relation: String,
    /// The `--format` formatter's default and choices (`smart`, `json|smart|yaml`), when the
    /// tool has one (a deprecated `--format` is a plain string option).
    pub(crate) format: Option<(&'static str, &'static str)>,
    /// Whether `--file` is a `cmd.FileVar` (relation-set, state-set), printed unquoted.
    pub(crate) file_var: bool,
}

/// The help juju/cmd prints for `-h`/`--help` (`Info.Help`): usage line, summary, the options
/// as gnuflag's `PrintDefaults` lists them, and the details.
pub(crate) fn help_text(tool: &str, usage_args: &str, purpose: &str, specs: &[FlagSpec], ctx: &HelpContext) -> String {
    let mut out = format!("Usage: {tool}");
    if !specs.is_empty() {
        out.push_str(" [options]");
    }
    let args = ctx.args.unwrap_or(usage_args);
    if !args.is_empty() {
        out.push(' ');
        out.push_str(args);
    }
    out.push_str(&format!("\n\nSummary:\n{}\n", purpose.trim()));
    if !specs.is_empty() {
        out.push_str("\nOptions:\n");
        out.push_str(&print_defaults(specs, ctx));
    }
    if let Some(doc) = ctx.doc.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        out.push_str(&format!("\nDetails:\n{doc}\n"));
    }
    out
}

/// gnuflag's `PrintDefaults` (juju/gnuflag `flag.go`): one entry per flag *value*, its names
/// sorted by length then alphabetically and joined with `, `, showing the shortest name's usage;
/// entries sorted by their first name. Juju registers every alias of a hook-tool option on one
/// value (`-o`/`--output` on `&c.outPath` in juju/cmd `output.go`, `-r`/`--relation` on one
/// `relationIdValue`), so one `FlagSpec` is one entry. A `stringValue` prints ` (= "x")` (`%q`,
/// one space); any other value prints `  (= x)` (two spaces).
fn print_defaults(specs: &[FlagSpec], ctx: &HelpContext) -> String {
    // (names as listed, default, usage)
    let mut entries: Vec<(Vec<&str>, String, String)> = Vec::new();
    for spec in specs {
        let mut names: Vec<&str> = spec.names.to_vec();
        names.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
        let (default, help) = match (names[0], ctx.format) {
            ("r", _) if spec.names == ["r", "relation"] => (format!("  (= {})", ctx.relation), spec.help.to_owned()),
            ("format", Some((default, choices))) => {
                (format!("  (= {default})"), format!("Specify output format ({choices})"))
            }
            // Tools whose output is not formatted keep a `--format` that only warns.
            ("format", None) => (" (= \"\")".to_owned(), "deprecated format flag".to_owned()),
            _ if spec.boolean => ("  (= false)".to_owned(), spec.help.to_owned()),
            ("file", _) if ctx.file_var => ("  (= )".to_owned(), spec.help.to_owned()),
            _ => (format!(" (= {:?})", spec.default), spec.help.to_owned()),
        };
        entries.push((names, default, help));
    }
    entries.sort_by(|a, b| a.0[0].cmp(b.0[0]));
    entries
        .iter()
        .map(|(names, default, help)| {
            let names: Vec<String> = names.iter().map(|n| with_dashes(n)).collect();
            format!("{}{default}\n    {help}\n", names.join(", "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        FlagSpec::value(&["r", "relation"], "ID", "relation"),
        FlagSpec::boolean(&["app"], "app"),
        FlagSpec::boolean(&["a", "all"], "all"),
        FlagSpec::value(&["format"], "FMT", "format"),
    ];

    fn p(args: &[&str]) -> Result<Parsed<'static>, FlagError> {
        // Leaked: a test's argv lives as long as the parse it is checked against.
        let owned: &'static [String] = Vec::leak(args.iter().map(|s| s.to_string()).collect());
        parse(&[SPECS], owned)
    }

    #[test]
    fn long_and_short_forms() {
        for args in [&["--relation=3"][..], &["--relation", "3"], &["-r", "3"], &["-r3"], &["-r=3"]] {
            assert_eq!(p(args).unwrap().value("r"), Some("3"), "{args:?}");
        }
    }

    #[test]
    fn interspersed_and_double_dash() {
        let parsed = p(&["key", "--app", "unit/0", "--", "--format", "-"]).unwrap();
        assert!(parsed.flag("app"));
        assert_eq!(parsed.positional, ["key", "unit/0", "--format", "-"]);
        assert!(!parsed.has("format"));
    }

    #[test]
    fn booleans_accept_values() {
        assert!(p(&["--app=True"]).unwrap().flag("app"));
        assert!(!p(&["--app=False"]).unwrap().flag("app"));
        assert!(p(&["--app=maybe"]).is_err());
        assert!(p(&["-a"]).unwrap().flag("a"));
        let bundled = p(&["-ar", "1"]).unwrap();
        assert!(bundled.flag("a"));
        assert_eq!(bundled.value("r"), Some("1"));
    }

    #[test]
    fn many_options_and_arguments() {
        let many: Vec<String> =
            (0..20).flat_map(|i| ["--relation".to_owned(), i.to_string(), format!("p{i}")]).collect();
        let many: &'static [String] = Vec::leak(many);
        let parsed = parse(&[SPECS], many).unwrap();
        assert_eq!(parsed.value("r"), Some("19"));
        assert_eq!(parsed.positional.len(), 20);
        assert_eq!(parsed.positional.first(), Some(&"p0"));
        assert_eq!(parsed.positional.last(), Some(&"p19"));
    }

    #[test]
    fn spelling_is_what_the_caller_wrote() {
        let spelled =
            |args: &[&str]| p(args).unwrap().value_with_spelling("r").map(|(s, v)| (s.to_string(), v.to_owned()));
        assert_eq!(spelled(&["--relation=x"]), Some(("--relation".to_owned(), "x".to_owned())));
        assert_eq!(spelled(&["-a"]), None);
        assert_eq!(spelled(&["-arx"]), Some(("-r".to_owned(), "x".to_owned())));
        assert_eq!(spelled(&["-r", "1", "--relation", "2"]), Some(("--relation".to_owned(), "2".to_owned())));
        assert_eq!(
            p(&["--app=maybe"]).unwrap_err(),
            FlagError::Invalid(
                "invalid value \"maybe\" for option --app: strconv.ParseBool: parsing \"maybe\": invalid syntax".into()
            )
        );
    }

    #[test]
    fn errors_and_help() {
        assert_eq!(p(&["--x"]).unwrap_err(), FlagError::Invalid("option provided but not defined: --x".into()));
        assert_eq!(p(&["-x"]).unwrap_err(), FlagError::Invalid("option provided but not defined: -x".into()));
        assert_eq!(p(&["-r"]).unwrap_err(), FlagError::Invalid("option needs an argument: -r".into()));
        assert_eq!(p(&["-h"]).unwrap_err(), FlagError::Help);
        assert_eq!(p(&["--help"]).unwrap_err(), FlagError::Help);
    }
}
