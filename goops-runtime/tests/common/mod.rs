//! Test helpers: a recording [`HookTools`] and a private temp dir.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use goops_runtime::{Error, HookTools, ToolOutput};

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: String,
    pub args: Vec<String>,
    pub stdin: Option<Vec<u8>>,
}

impl Call {
    pub fn stdin_text(&self) -> String {
        String::from_utf8(self.stdin.clone().expect("the call had stdin")).expect("UTF-8 stdin")
    }
}

type Responder = Box<dyn Fn(&Call) -> ToolOutput>;

#[derive(Default)]
struct Inner {
    calls: RefCell<Vec<Call>>,
    queued: RefCell<HashMap<String, VecDeque<ToolOutput>>>,
    responders: RefCell<HashMap<String, Responder>>,
}

/// Records every call (tool, argv, stdin) and answers with scripted outputs: queued outputs per
/// tool first, then a responder closure, else success with empty output.
#[derive(Clone, Default)]
pub struct Recorder(Rc<Inner>);

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue `output` for the next call of `tool`.
    pub fn on(&self, tool: &str, output: ToolOutput) -> &Self {
        self.0.queued.borrow_mut().entry(tool.to_owned()).or_default().push_back(output);
        self
    }

    /// Queue a success printing `stdout`.
    pub fn ok(&self, tool: &str, stdout: &str) -> &Self {
        self.on(tool, ToolOutput::ok(stdout))
    }

    /// Queue Juju's `ERROR message` with exit `code`.
    pub fn fail(&self, tool: &str, code: i32, message: &str) -> &Self {
        self.on(tool, ToolOutput::error(code, message))
    }

    /// Answer every call of `tool` (after the queue is empty) with `f`.
    pub fn respond(&self, tool: &str, f: impl Fn(&Call) -> ToolOutput + 'static) -> &Self {
        self.0.responders.borrow_mut().insert(tool.to_owned(), Box::new(f));
        self
    }

    pub fn calls(&self) -> Vec<Call> {
        self.0.calls.borrow().clone()
    }

    /// The argv of every call, each as `tool arg arg ...` pieces.
    pub fn argvs(&self) -> Vec<Vec<String>> {
        self.calls().into_iter().map(|c| std::iter::once(c.tool).chain(c.args).collect()).collect()
    }

    pub fn count(&self, tool: &str) -> usize {
        self.0.calls.borrow().iter().filter(|c| c.tool == tool).count()
    }

    pub fn last(&self) -> Call {
        self.0.calls.borrow().last().cloned().expect("at least one call")
    }

    pub fn clear(&self) {
        self.0.calls.borrow_mut().clear();
    }
}

impl HookTools for Recorder {
    fn call(&self, tool: &str, args: &[OsString], stdin: Option<&[u8]>) -> Result<ToolOutput, Error> {
        let call = Call {
            tool: tool.to_owned(),
            args: args.iter().map(|a| a.to_str().expect("UTF-8 argv").to_owned()).collect(),
            stdin: stdin.map(<[u8]>::to_vec),
        };
        self.0.calls.borrow_mut().push(call.clone());
        if let Some(output) = self.0.queued.borrow_mut().get_mut(tool).and_then(VecDeque::pop_front) {
            return Ok(output);
        }
        if let Some(f) = self.0.responders.borrow().get(tool) {
            return Ok(f(&call));
        }
        Ok(ToolOutput::ok(""))
    }
}

/// `argv` as owned strings, for comparing with [`Recorder::argvs`].
pub fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A private temp dir removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        use std::os::unix::fs::DirBuilderExt as _;
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        loop {
            let dir = std::env::temp_dir().join(format!(
                "goops-test-{tag}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return TempDir(dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create temp dir: {e}"),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
