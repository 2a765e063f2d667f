//! `juju-log` (docs/hook-tools.md §4.2). Its one failure, `no message specified`, needs an empty
//! argv; the runtime always passes the message after `--`, so an empty message is logged.

use goops_runtime::LogLevel;
use goops_runtime::hookcmds::log::{self, MAX_LOG_LINE_LEN};
use goops_sim::State;
use goops_sim::state::{LogRecord, Relation};

use crate::Coverage;
use crate::support::{finish, hook};

pub(crate) const COVERAGE: Coverage = &[(
    "juju_log",
    &[
        every_level_is_logged_at_once,
        a_relation_hook_prefixes_its_lines,
        long_messages_are_split_on_character_boundaries,
        the_context_logs_at_each_level,
    ],
)];

fn record(level: &str, message: &str) -> LogRecord {
    LogRecord { level: level.to_owned(), message: message.to_owned() }
}

#[test]
pub(crate) fn every_level_is_logged_at_once() {
    let engine = hook(State::default(), "install");
    let levels = [
        (LogLevel::Trace, "TRACE"),
        (LogLevel::Debug, "DEBUG"),
        (LogLevel::Info, "INFO"),
        (LogLevel::Warning, "WARNING"),
        (LogLevel::Error, "ERROR"),
        (LogLevel::Critical, "CRITICAL"),
    ];
    for (level, name) in levels {
        log::juju_log(&engine, level, &format!("-{name} starts with a dash")).expect("logged");
    }
    log::juju_log(&engine, LogLevel::Info, "").expect("an empty message is still one argument");
    // Logs are immediate (rule 13): a failed hook keeps them.
    let report = finish(&engine, false);
    let mut expected: Vec<LogRecord> =
        levels.iter().map(|(_, name)| record(name, &format!("-{name} starts with a dash"))).collect();
    expected.push(record("INFO", ""));
    assert_eq!(report.logs, expected);
}

#[test]
pub(crate) fn a_relation_hook_prefixes_its_lines() {
    let db = Relation { id: 3, endpoint: "db".into(), remote_app: "pg".into(), ..Relation::default() };
    let engine = hook(State { relations: vec![db], ..State::default() }, "db-relation-created");
    log::juju_log(&engine, LogLevel::Warning, "the database is slow").expect("logged");
    let report = finish(&engine, true);
    assert_eq!(report.logs, [record("WARNING", "db:3: the database is slow")]);
}

#[test]
pub(crate) fn long_messages_are_split_on_character_boundaries() {
    let engine = hook(State::default(), "install");
    let long = "é".repeat(MAX_LOG_LINE_LEN / 2 + 5);
    log::juju_log(&engine, LogLevel::Debug, &long).expect("logged in chunks");
    let report = finish(&engine, true);
    let messages = report.log_messages();
    assert_eq!(messages[0], format!("Log string greater than {MAX_LOG_LINE_LEN}. Splitting into multiple chunks: "));
    assert_eq!(messages.len(), 3, "a header and two chunks");
    assert!(messages[1..].iter().all(|m| m.len() <= MAX_LOG_LINE_LEN));
    assert_eq!(messages[1..].concat(), long, "the chunks are the message, in order");
    assert!(report.logs.iter().all(|l| l.level == "DEBUG"));
}

#[test]
pub(crate) fn the_context_logs_at_each_level() {
    let engine = hook(State::default(), "install");
    let ctx = engine.context().expect("a context");
    ctx.log_debug("d");
    ctx.log_info("i");
    ctx.log_warning("w");
    ctx.log_error("e");
    ctx.log(LogLevel::Critical, "c");
    drop(ctx);
    let report = finish(&engine, true);
    let expected: Vec<LogRecord> = [("DEBUG", "d"), ("INFO", "i"), ("WARNING", "w"), ("ERROR", "e"), ("CRITICAL", "c")]
        .iter()
        .map(|(l, m)| record(l, m))
        .collect();
    assert_eq!(report.logs, expected);
}
