//! `juju-log`.

use crate::error::{Error, Result};
use crate::tools::{HookTools, argv};

/// Juju's log levels for `juju-log --log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `TRACE`
    Trace,
    /// `DEBUG`
    Debug,
    /// `INFO`
    Info,
    /// `WARNING`
    Warning,
    /// `ERROR`
    Error,
    /// `CRITICAL`
    Critical,
}

impl LogLevel {
    /// The name `juju-log` expects.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }
}

/// Longest string Juju passes to a subprocess argument (Linux `MAX_ARG_STRLEN` - 1).
pub const MAX_LOG_LINE_LEN: usize = 131_071;

/// `juju-log --log-level LEVEL -- MESSAGE`, splitting messages longer than
/// [`MAX_LOG_LINE_LEN`] characters into several calls as ops does.
pub fn juju_log(tools: &dyn HookTools, level: LogLevel, message: &str) -> Result<()> {
    if message.chars().count() <= MAX_LOG_LINE_LEN {
        return log_line(tools, level, message);
    }
    log_line(tools, level, &format!("Log string greater than {MAX_LOG_LINE_LEN}. Splitting into multiple chunks: "))?;
    let chars: Vec<char> = message.chars().collect();
    for chunk in chars.chunks(MAX_LOG_LINE_LEN) {
        log_line(tools, level, &chunk.iter().collect::<String>())?;
    }
    Ok(())
}

fn log_line(tools: &dyn HookTools, level: LogLevel, line: &str) -> Result<()> {
    let output = tools.call("juju-log", &argv(["--log-level", level.as_str(), "--", line]), None)?;
    Error::check("juju-log", &output)
}
