//! How a model runs one application's charm: in-process (a [`Harness`] of a Rust charm) or as a
//! process (any `dispatch`, under `goops-sim run`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use goops_juju::charmcraft::CharmMeta;

use super::controller::CharmSource;
use crate::runner::{TempDir, is_executable};
use crate::state::State;
use crate::testing::process::{find_goops_sim, run_charm_dir, stage};
use crate::testing::{Harness, HarnessError, On, RunReport};

/// A charm a model can run: one hook on one unit's state at a time.
pub trait ModelCharm {
    /// The charm's metadata.
    fn meta(&self) -> &CharmMeta;
    /// Where it comes from, for the model's JSON.
    fn source(&self) -> CharmSource;
    /// Run `event` on `state` (the unit's view of the model).
    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError>;
}

/// A Rust charm's harness runs in-process, or as a process when it was set so
/// ([`Harness::process`]); its consistency checks apply to every hook the model runs.
impl<C: goops_runtime::Charm> ModelCharm for Harness<C> {
    fn meta(&self) -> &CharmMeta {
        Harness::meta(self)
    }

    fn source(&self) -> CharmSource {
        CharmSource {
            dir: self.charm_dir().display().to_string(),
            dispatch: self.process_binary().map(|b| b.display().to_string()),
            in_process: !self.is_process(),
        }
    }

    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError> {
        Harness::run(self, event, state)
    }
}

/// Any charm run as a process by `goops-sim run`: a charm dir with an executable `dispatch`
/// (a Python `ops` charm, a Go or Rust charm), or a charm binary staged as `dispatch` next to a
/// charm's metadata ([`DispatchCharm::staged`], as the harness's process mode does).
///
/// Each unit gets its own copy of the charm dir (links to the charm's files), kept for the
/// life of this value, as each Juju unit has its own charm dir: what a charm writes there
/// (ops' `.unit-state.db` with its stored state and deferred events) stays with its unit.
/// goops-sim's own rules check each state it runs; the harness's consistency checks (against a
/// Rust charm's metadata) are a [`Harness`]'s.
///
/// ```ignore
/// let db = DispatchCharm::new("tests/charms/db")?;                          // its own dispatch
/// let web = DispatchCharm::staged("examples/web", env!("CARGO_BIN_EXE_web"))?; // a built binary
/// ```
pub struct DispatchCharm {
    dir: PathBuf,
    binary: Option<PathBuf>,
    meta: CharmMeta,
    goops_sim: Option<PathBuf>,
    timeout: Duration,
    /// Where the units' charm dirs live across runs of the model ([`DispatchCharm::unit_dirs`]);
    /// `None`: temp dirs removed with this value.
    unit_base: Option<PathBuf>,
    /// Per unit: its staged charm dir (and the temp dir holding it, removed on drop).
    units: Mutex<BTreeMap<String, (PathBuf, Option<TempDir>)>>,
}

impl std::fmt::Debug for DispatchCharm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatchCharm")
            .field("charm", &self.meta.name)
            .field("dir", &self.dir)
            .field("binary", &self.binary)
            .field("goops_sim", &self.goops_sim)
            .field("timeout", &self.timeout)
            .field("unit_base", &self.unit_base)
            .finish()
    }
}

impl DispatchCharm {
    /// The charm in `dir`: its metadata (`charmcraft.yaml`, or `metadata.yaml` and friends) and
    /// its executable `dispatch`.
    pub fn new(dir: impl Into<PathBuf>) -> Result<DispatchCharm, HarnessError> {
        let dir = canonical(dir.into())?;
        let dispatch = dir.join("dispatch");
        if !is_executable(&dispatch) {
            return Err(HarnessError::Process(format!(
                "{}: no executable dispatch (a charm run as a process needs one; for a binary built \
                 elsewhere use DispatchCharm::staged)",
                dir.display()
            )));
        }
        DispatchCharm::build(dir, None)
    }

    /// The charm whose metadata is in `meta_dir`, with `binary` staged as its `dispatch`.
    pub fn staged(meta_dir: impl Into<PathBuf>, binary: impl Into<PathBuf>) -> Result<DispatchCharm, HarnessError> {
        let dir = canonical(meta_dir.into())?;
        let binary = binary.into();
        if !is_executable(&binary) {
            return Err(HarnessError::Process(format!("charm binary {} is not an executable", binary.display())));
        }
        DispatchCharm::build(dir, Some(binary))
    }

    fn build(dir: PathBuf, binary: Option<PathBuf>) -> Result<DispatchCharm, HarnessError> {
        let meta = CharmMeta::from_dir(&dir)?;
        Ok(DispatchCharm {
            dir,
            binary,
            meta,
            goops_sim: None,
            timeout: Duration::from_secs(60),
            unit_base: None,
            units: Mutex::new(BTreeMap::new()),
        })
    }

    /// Use this `goops-sim` executable (default: `$GOOPS_SIM_BIN`, else the one cargo built
    /// next to the test binary, else one built for the test; see [`Harness::process`]).
    pub fn goops_sim_binary(mut self, path: impl Into<PathBuf>) -> DispatchCharm {
        self.goops_sim = Some(path.into());
        self
    }

    /// Kill a hook after `timeout` (default 60 s; `goops-sim run --timeout`).
    pub fn timeout(mut self, timeout: Duration) -> DispatchCharm {
        self.timeout = timeout;
        self
    }

    /// Keep each unit's charm dir in `base/<app>-<n>` rather than in a temp dir, so that what
    /// the charm writes there (ops' stored state and deferred events) outlives this value: a
    /// model saved to JSON and resumed by another process (the `goops-sim model` verbs) finds
    /// it again, as a Juju unit keeps its charm dir across agent restarts.
    pub fn unit_dirs(mut self, base: impl Into<PathBuf>) -> DispatchCharm {
        self.unit_base = Some(base.into());
        self
    }

    /// The staged charm dir of `unit`, staged on its first hook in this process.
    fn unit_dir(&self, unit: &str) -> Result<PathBuf, HarnessError> {
        // A poisoned lock only means another run panicked while staging: the map is still sound.
        let mut units = self.units.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((dir, _)) = units.get(unit) {
            return Ok(dir.clone());
        }
        // The name becomes a path: only a unit name (`app/N`) is taken.
        if !goops_juju::unit::is_valid_unit_name(unit) {
            return Err(HarnessError::Process(format!("{unit:?} is not a unit name (app/N)")));
        }
        let (charm, temp) = match &self.unit_base {
            // A unit name is `app/N`: `app-N` is one path component.
            Some(base) => (base.join(unit.replace('/', "-")), None),
            None => {
                let temp = TempDir::new("goops-model-unit")
                    .map_err(|e| HarnessError::Process(format!("cannot create a temp dir: {e}")))?;
                (temp.0.join("charm"), Some(temp))
            }
        };
        stage(&self.dir, self.binary.as_deref(), &charm)?;
        units.insert(unit.to_owned(), (charm.clone(), temp));
        Ok(charm)
    }
}

fn canonical(dir: PathBuf) -> Result<PathBuf, HarnessError> {
    dir.canonicalize().map_err(|e| HarnessError::Process(format!("charm dir {}: {e}", dir.display())))
}

impl ModelCharm for DispatchCharm {
    fn meta(&self) -> &CharmMeta {
        &self.meta
    }

    fn source(&self) -> CharmSource {
        CharmSource {
            dir: self.dir.display().to_string(),
            dispatch: self.binary.as_deref().map(|b| b.display().to_string()),
            in_process: false,
        }
    }

    fn run(&self, event: On, state: &State) -> Result<RunReport, HarnessError> {
        let charm = self.unit_dir(&state.unit)?;
        let goops_sim = match &self.goops_sim {
            Some(path) => path.clone(),
            None => find_goops_sim()?,
        };
        run_charm_dir(&charm, &goops_sim, self.timeout, &event, state)
    }
}
