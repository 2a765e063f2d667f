//! `juju-log`.

use super::{Call, Formats, Out, ToolDef, ToolResult, usage};
use crate::flags::FlagSpec;
use crate::session::Session;
use crate::state::LogRecord;

pub(super) const TOOLS: &[&ToolDef] = &[&JUJU_LOG];

const JUJU_LOG: ToolDef = ToolDef {
    name: "juju-log",
    args: "<message>",
    purpose: "write a message to the juju log",
    flags: &[
        FlagSpec::boolean(&["debug"], "log at debug level"),
        FlagSpec::value(&["l", "log-level"], "LEVEL", "Send log message at the given level").with_default("INFO"),
    ],
    formats: Formats::Deprecated,
    run: juju_log,
};

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

fn juju_log(session: &mut Session, call: &Call<'_>) -> ToolResult {
    if call.args().is_empty() {
        return Err(usage("no message specified"));
    }
    let given = call.parsed.value("log-level").unwrap_or("INFO");
    // loggo.ParseLevel: case-insensitive (Unicode upper-casing, as Go's strings.ToUpper), WARN is WARNING.
    let named = |upper: &str| match upper {
        "WARN" => Some("WARNING"),
        other => LEVELS.iter().copied().find(|l| *l == other),
    };
    let known = LEVELS
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(given))
        .or_else(|| given.eq_ignore_ascii_case("WARN").then_some("WARNING"))
        .or_else(|| named(&given.to_uppercase()));
    let level = match known {
        _ if call.parsed.flag("debug") => "DEBUG",
        Some(level) => level,
        None => {
            // Juju logs a warning about the bad level and uses INFO.
            session.push_log(LogRecord {
                level: "WARNING".to_owned(),
                message: format!("Specified log level of {given:?} is not valid"),
            });
            "INFO"
        }
    };
    // In a relation hook Juju puts `<endpoint>:<id>: ` before the message.
    let message = session.event.log_prefix() + &call.args().join(" ");
    session.push_log(LogRecord { level: level.to_owned(), message });
    Ok(Out::None)
}
