//! The per-dispatch handle a handler gets: the environment, the event, the hook tools and
//! per-hook caches.

use crate::env::JujuEnv;
use crate::error::Result;
use crate::event::Event;
use crate::hookcmds::log::{self, LogLevel};
use crate::tools::HookTools;

/// Everything a handler needs to talk to Juju during one dispatch.
///
/// There are no globals: tests build a `Context` with their own [`HookTools`] and run in
/// parallel.
pub struct Context {
    env: JujuEnv,
    event: Event,
    tools: Box<dyn HookTools>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("event", &self.event).field("unit", &self.env.unit_name).finish_non_exhaustive()
    }
}

impl Context {
    /// A context for `event`, talking to Juju through `tools`.
    pub fn new(env: JujuEnv, event: Event, tools: impl HookTools + 'static) -> Self {
        Context { env, event, tools: Box::new(tools) }
    }

    /// The hook's environment variables.
    pub fn env(&self) -> &JujuEnv {
        &self.env
    }

    /// The event being handled.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The raw hook tools, for calls the typed API does not cover.
    pub fn tools(&self) -> &dyn HookTools {
        &*self.tools
    }

    /// Log `message` to Juju's debug log at `level`.
    pub fn log(&self, level: LogLevel, message: impl AsRef<str>) -> Result<()> {
        log::juju_log(self.tools(), level, message.as_ref())
    }
}
