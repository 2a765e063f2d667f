//! Forward records of the [`log`] crate to `juju-log` (feature `log`).
//!
//! ```no_run
//! goops_runtime::logging::install(log::LevelFilter::Debug).expect("no other logger installed");
//! log::info!("configured");
//! ```

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
            eprintln!("{}: {message} (juju-log failed: {e})", record.level());
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
