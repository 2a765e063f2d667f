//! Handler arguments, extracted from the [`Context`] by their type.
//!
//! `#[charm]` calls [`FromContext::from_context`] once per handler argument (after `&self`,
//! which a handler may omit).
//! Extraction never panics: a mismatch (a `&RelationEvent` handler run for `install` through
//! `#[hook(any)]`) or invalid data becomes a [`Rejection`], which the generated code turns into
//! an [`Outcome`](crate::Outcome).

use crate::context::Context;
use crate::event::{ActionEvent, Event, RelationEvent, SecretEvent, StorageEvent, WorkloadEvent};
use crate::stored::{Stored, StoredState};

/// Why a handler's argument could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The event does not carry what the argument asks for.
    WrongEvent {
        /// What the argument wanted, e.g. `&RelationEvent`.
        wanted: &'static str,
        /// The hook or action being handled.
        event: String,
    },
    /// The charm's config is invalid: set unit status blocked with this message, exit 0.
    Blocked(String),
    /// The action's parameters are invalid: the action fails with this message.
    InvalidParams(String),
    /// Reading from Juju failed.
    Failed(String),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::WrongEvent { wanted, event } => {
                write!(f, "the handler takes `{wanted}`, which {event:?} does not provide")
            }
            Rejection::Blocked(m) | Rejection::InvalidParams(m) | Rejection::Failed(m) => f.write_str(m),
        }
    }
}

/// A type a `#[hook]` or `#[action]` handler can take as an argument.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a `#[hook]` or `#[action]` handler",
    label = "not an accepted handler argument",
    note = "accepted: `&Context`, `&Event`, `&RelationEvent`, `&SecretEvent`, `&StorageEvent`, `&WorkloadEvent`, \
            `&ActionEvent` (or `Option<&…Event>`), `Stored<'_, T>` of a `StoredState` type, a \
            `#[derive(CharmConfig)]` struct or a `#[derive(ActionParams)]` struct"
)]
pub trait FromContext<'a>: Sized {
    /// Extract the argument.
    fn from_context(ctx: &'a Context) -> Result<Self, Rejection>;
}

impl<'a> FromContext<'a> for &'a Context {
    fn from_context(ctx: &'a Context) -> Result<Self, Rejection> {
        Ok(ctx)
    }
}

fn event_name(event: &Event) -> String {
    match event {
        Event::Action(a) => a.name.clone(),
        other => other.hook_name().unwrap_or_default(),
    }
}

macro_rules! event_extractor {
    ($ty:ty, $getter:ident, $name:literal) => {
        impl<'a> FromContext<'a> for &'a $ty {
            fn from_context(ctx: &'a Context) -> Result<Self, Rejection> {
                ctx.event()
                    .$getter()
                    .ok_or_else(|| Rejection::WrongEvent { wanted: $name, event: event_name(ctx.event()) })
            }
        }

        /// `None` when the event is of another kind: for `#[hook(any)]` handlers.
        impl<'a> FromContext<'a> for Option<&'a $ty> {
            fn from_context(ctx: &'a Context) -> Result<Self, Rejection> {
                Ok(ctx.event().$getter())
            }
        }
    };
}

event_extractor!(RelationEvent, relation, "&RelationEvent");
event_extractor!(SecretEvent, secret, "&SecretEvent");
event_extractor!(StorageEvent, storage, "&StorageEvent");
event_extractor!(WorkloadEvent, workload, "&WorkloadEvent");
event_extractor!(ActionEvent, action, "&ActionEvent");

impl<'a> FromContext<'a> for &'a Event {
    fn from_context(ctx: &'a Context) -> Result<Self, Rejection> {
        Ok(ctx.event())
    }
}

/// The charm's [stored state](crate::stored) `T`; failing to load it fails the hook.
impl<'a, T: StoredState> FromContext<'a> for Stored<'a, T> {
    fn from_context(ctx: &'a Context) -> Result<Self, Rejection> {
        ctx.stored::<T>().map_err(|e| Rejection::Failed(e.to_string()))
    }
}

/// Typed charm config: `#[derive(CharmConfig)]` implements it (and [`FromContext`]) with each
/// field checked against charmcraft.yaml's `config.options` at compile time.
pub trait CharmConfig: Sized {
    /// Build the config from `config-get --format=json` output. The error names the option.
    fn from_values(values: &serde_json::Map<String, serde_json::Value>) -> Result<Self, String>;

    /// Read the config with `config-get`.
    fn load(ctx: &Context) -> crate::Result<Result<Self, String>> {
        ctx.config().map(Self::from_values)
    }
}

/// Typed action parameters: `#[derive(ActionParams)]` implements it (and [`FromContext`]) with
/// each field checked against the action's `params` in charmcraft.yaml at compile time.
pub trait ActionParams: Sized {
    /// The action these are the parameters of.
    const ACTION: &'static str;

    /// Build the parameters from `action-get --format=json` output. The error names the parameter.
    fn from_values(values: &serde_json::Map<String, serde_json::Value>) -> Result<Self, String>;
}
