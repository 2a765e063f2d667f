//! Forward records of the [`log`] crate to `juju-log` (feature `log`).
//!
//! ```no_run
//! goops_runtime::logging::install(log::LevelFilter::Debug).expect("no other logger installed");
//! log::info!("configured");
//! ```

use std::io::Write as _;

use crate::hookcmds::log::{LogLevel, juju_log};
use crate::tools::{HookTools, ProcessTools};

/// A [`log::Log`] that sends every record to `juju-log` at the matching level.
pub struct JujuLogger<T> {
    tools: T,
    level: log::LevelFilter,
}

impl<T> std::fmt::Debug for JujuLogger<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JujuLogger").field("level", &self.level).finish_non_exhaustive()
    }
}

impl<T: HookTools> JujuLogger<T> {
    /// A logger sending records at `level` and above through `tools`.
    pub fn new(tools: T, level: log::LevelFilter) -> Self {
        JujuLogger { tools, level }
    }
}

/// The `juju-log` level for a `log` level.
pub fn juju_level(level: log::Level) -> LogLevel {
    match level {
        log::Level::Error => LogLevel::Error,
        log::Level::Warn => LogLevel::Warning,
        log::Level::Info => LogLevel::Info,
        log::Level::Debug => LogLevel::Debug,
        log::Level::Trace => LogLevel::Trace,
    }
}

impl<T: HookTools + Send + Sync> log::Log for JujuLogger<T> {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        if let Err(e) = juju_log(&self.tools, juju_level(record.level()), &message) {
            // `log` has no way to report failure; stderr still reaches Juju's log (as WARNING).
            // A logger must never panic, so a closed stderr is ignored (eprintln! would panic).
            let _ = writeln!(std::io::stderr(), "{}: {message} (juju-log failed: {e})", record.level());
        }
    }

    fn flush(&self) {}
}

/// Install a [`JujuLogger`] over [`ProcessTools`] as the global logger, at `level`.
pub fn install(level: log::LevelFilter) -> Result<(), log::SetLoggerError> {
    install_with(ProcessTools::new(), level)
}

/// Install a [`JujuLogger`] over `tools` as the global logger, at `level`.
pub fn install_with<T: HookTools + Send + Sync + 'static>(
    tools: T,
    level: log::LevelFilter,
) -> Result<(), log::SetLoggerError> {
    log::set_boxed_logger(Box::new(JujuLogger::new(tools, level)))?;
    log::set_max_level(level);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::sync::Mutex;

    use log::Log as _;

    use super::*;
    use crate::error::Error;
    use crate::tools::ToolOutput;

    #[derive(Default)]
    struct Calls(Mutex<Vec<Vec<String>>>);

    impl HookTools for Calls {
        fn call(&self, tool: &str, args: &[OsString], _stdin: Option<&[u8]>) -> Result<ToolOutput, Error> {
            let mut argv = vec![tool.to_owned()];
            argv.extend(args.iter().map(|a| a.to_string_lossy().into_owned()));
            self.0.lock().map_err(|_| Error::invalid("test", "poisoned"))?.push(argv);
            Ok(ToolOutput::ok(""))
        }
    }

    #[test]
    fn forwards_records_at_or_above_the_level() {
        let logger = JujuLogger::new(Calls::default(), log::LevelFilter::Info);
        for (level, text) in
            [(log::Level::Error, "e"), (log::Level::Warn, "w"), (log::Level::Info, "i"), (log::Level::Debug, "d")]
        {
            logger.log(&log::Record::builder().level(level).args(format_args!("{text}")).build());
        }
        let calls = logger.tools.0.lock().expect("not poisoned").clone();
        let expected: Vec<Vec<String>> = [("ERROR", "e"), ("WARNING", "w"), ("INFO", "i")]
            .iter()
            .map(|(l, m)| ["juju-log", "--log-level", l, "--", m].map(str::to_owned).to_vec())
            .collect();
        assert_eq!(calls, expected);
        assert!(!logger.enabled(&log::Metadata::builder().level(log::Level::Trace).build()));
        assert_eq!(juju_level(log::Level::Trace), LogLevel::Trace);
    }
}
