//! `juju-log`.

use super::{args, run};
use crate::error::{Error, Result};
use crate::tools::HookTools;

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

impl std::str::FromStr for LogLevel {
    type Err = Error;

    /// Parse a level name as `juju-log` does: case-insensitive; `WARN` is accepted too.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "TRACE" => LogLevel::Trace,
            "DEBUG" => LogLevel::Debug,
            "INFO" => LogLevel::Info,
            "WARNING" | "WARN" => LogLevel::Warning,
            "ERROR" => LogLevel::Error,
            "CRITICAL" => LogLevel::Critical,
            _ => {
                return Err(Error::invalid(
                    format!("log level {s:?}"),
                    "expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL",
                ));
            }
        })
    }
}

impl std::fmt::Display for LogLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest string passed as one argument to `juju-log`: Linux refuses (`E2BIG`) an argument of
/// `MAX_ARG_STRLEN` (131072) bytes or more, its terminating NUL included. ops uses the same number.
pub const MAX_LOG_LINE_LEN: usize = 131_071;

/// `juju-log --log-level LEVEL -- MESSAGE`, splitting messages longer than
/// [`MAX_LOG_LINE_LEN`] into several calls as ops does. The limit is in bytes (the kernel's
/// unit), so a chunk of multi-byte characters is never too long; chunks end on character
/// boundaries.
pub fn juju_log(tools: &dyn HookTools, level: LogLevel, message: &str) -> Result<()> {
    if message.len() <= MAX_LOG_LINE_LEN {
        return log_line(tools, level, message);
    }
    log_line(tools, level, &format!("Log string greater than {MAX_LOG_LINE_LEN}. Splitting into multiple chunks: "))?;
    let mut rest = message;
    while !rest.is_empty() {
        let mut end = rest.len().min(MAX_LOG_LINE_LEN);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (chunk, tail) = rest.split_at(end);
        log_line(tools, level, chunk)?;
        rest = tail;
    }
    Ok(())
}

fn log_line(tools: &dyn HookTools, level: LogLevel, line: &str) -> Result<()> {
    run(tools, "juju-log", &args(["--log-level", level.as_str(), "--", line]), None).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names() {
        for level in
            [LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error, LogLevel::Critical]
        {
            assert_eq!(level.as_str().parse::<LogLevel>().expect("round trip"), level);
            assert_eq!(level.as_str().to_lowercase().parse::<LogLevel>().expect("case-insensitive"), level);
        }
        assert_eq!("warn".parse::<LogLevel>().expect("alias"), LogLevel::Warning);
        assert!(matches!("loud".parse::<LogLevel>(), Err(Error::InvalidInput { .. })));
    }
}
