//! A recording `HookTools` for the behaviour tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::{Arc, Mutex};

use goops_runtime::{Context, Event, HookTools, JujuEnv, ToolOutput};

/// One recorded tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: String,
    pub args: Vec<String>,
}

type Responder = Box<dyn Fn(&[String]) -> ToolOutput + Send>;

/// Records every call; answers from per-tool responders (default: success, empty stdout).
#[derive(Clone, Default)]
pub struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
    responders: Arc<Mutex<BTreeMap<String, Responder>>>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answer `tool` with `f(args)`.
    pub fn respond(&self, tool: &str, f: impl Fn(&[String]) -> ToolOutput + Send + 'static) -> &Self {
        self.responders.lock().unwrap().insert(tool.to_owned(), Box::new(f));
        self
    }

    /// Answer `tool` with this stdout.
    pub fn stdout(&self, tool: &str, stdout: &str) -> &Self {
        let stdout = stdout.to_owned();
        self.respond(tool, move |_| ToolOutput::ok(stdout.clone()))
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The calls of one tool, as argv lists.
    pub fn calls_of(&self, tool: &str) -> Vec<Vec<String>> {
        self.calls().into_iter().filter(|c| c.tool == tool).map(|c| c.args).collect()
    }

    /// The messages logged with `juju-log` (the argument after `--`).
    pub fn logs(&self) -> Vec<String> {
        self.calls_of("juju-log").into_iter().filter_map(|a| a.last().cloned()).collect()
    }

    /// A context for the event described by `vars` (`JUJU_DISPATCH_PATH` and friends).
    pub fn context(&self, vars: &[(&str, &str)]) -> Context {
        // Juju always names the unit; tests give it only when it matters.
        let unit = ("JUJU_UNIT_NAME", "test-charm/0");
        let env = JujuEnv::from_vars(std::iter::once(unit).chain(vars.iter().copied()));
        let event = Event::from_env(&env, None).expect("test event");
        Context::new(env, event, self.clone()).expect("a unit name in the test event")
    }
}

impl HookTools for Recorder {
    fn call(&self, tool: &str, args: &[OsString], _stdin: Option<&[u8]>) -> goops_runtime::Result<ToolOutput> {
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        self.calls.lock().unwrap().push(Call { tool: tool.to_owned(), args: args.clone() });
        let responders = self.responders.lock().unwrap();
        Ok(responders.get(tool).map_or_else(|| ToolOutput::ok(""), |f| f(&args)))
    }
}
