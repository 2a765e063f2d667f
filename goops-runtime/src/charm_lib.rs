//! Charm libraries: a type that handles one relation endpoint's events (and, if it wants, some
//! charm-wide hooks) for the charm that includes it, and tells that charm what happened through
//! typed events. `#[charm_lib]` implements [`CharmLib`]; a `#[lib(endpoint = "…")]` accessor in
//! a `#[charm]` impl block wires a library value into the charm's [`Charm::LIBS`].
//!
//! The order of one dispatch (`docs/charm-libraries.md` of the goops-rs repository):
//! 1. every library value is bound to its endpoint ([`Binding::endpoint`]);
//! 2. the libraries in wiring order: each one's handler for the hook (relation hooks only for
//!    its own endpoint), then the events it raised, delivered to the charm;
//! 3. the charm's own handler, then the events raised during it;
//! 4. the libraries' collect-status handlers, then the charm's.
//!
//! An error or a panic at any step ends the dispatch as a charm handler's error does.

use std::cell::{OnceCell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

use goops_juju::{HookKind, RelationEventKind, RelationRole};

use crate::context::Context;
use crate::dispatch::{Charm, Outcome, panic_message};

/// A charm library: what `#[charm_lib(interface = "…")]` implements.
///
/// Its handlers run for the events of the endpoint a charm wires it to, before the charm's own
/// handlers; see the [module docs](self).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a charm library",
    label = "a `#[lib]` accessor returns a reference to a charm library",
    note = "a charm library is a type with an impl block marked `#[charm_lib(interface = \"…\")]`"
)]
pub trait CharmLib: Sized + 'static {
    /// The interface the library speaks; the endpoint it is wired to must have it in
    /// charmcraft.yaml (checked at compile time).
    const INTERFACE: &'static str;
    /// The section the endpoint must be declared in, when the library serves one side only.
    const ROLE: Option<RelationRole> = None;
    /// What the library tells the charm ([`NoEvent`] for nothing).
    type Event: 'static;
    /// The library's handlers. At most one per key.
    const HANDLERS: &'static [LibHandler<Self>];
    /// The library's `#[collect_status]` handler, run before the charm's.
    const COLLECT_STATUS: Option<fn(&Self, &Context) -> Outcome> = None;
    /// The value's binding: its endpoint during a dispatch, and the events it raised.
    fn binding(&self) -> &Binding<Self::Event>;
}

/// Which hook a [`LibHandler`] handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibKey {
    /// A relation hook of the library's endpoint, whatever endpoint the charm chose.
    Relation(RelationEventKind),
    /// A hook that has no scope, by its Juju name: `install`, `update-status`, `secret-changed`.
    Hook(&'static str),
}

impl LibKey {
    /// Whether this key is the context's event, for a library bound to `endpoint`.
    fn matches(self, ctx: &Context, endpoint: &str) -> bool {
        match (self, ctx.event().hook_kind()) {
            (LibKey::Relation(kind), Some((HookKind::Relation(k), Some(scope)))) => k == kind && scope == endpoint,
            (LibKey::Hook(name), Some((kind, None))) => kind.hook_name(None) == name,
            _ => false,
        }
    }
}

/// One entry of a library's table.
pub struct LibHandler<L> {
    /// The hook it handles.
    pub key: LibKey,
    /// Runs the handler (extracts its arguments, calls it, converts its result).
    pub run: fn(&L, &Context) -> Outcome,
}

impl<L> std::fmt::Debug for LibHandler<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibHandler").field("key", &self.key).finish_non_exhaustive()
    }
}

/// The event type of a library that raises none: it has no values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoEvent {}

/// A library value's link to the dispatch: the endpoint it serves (set at the start of each
/// dispatch) and the events it raised and the charm has not received yet.
///
/// A library type holds one in a field named `binding`; `#[charm_lib]` reads it from there.
pub struct Binding<E = NoEvent> {
    endpoint: OnceCell<&'static str>,
    events: RefCell<Vec<E>>,
}

impl<E> Default for Binding<E> {
    fn default() -> Self {
        Binding { endpoint: OnceCell::new(), events: RefCell::new(Vec::new()) }
    }
}

impl<E> std::fmt::Debug for Binding<E> {
    // The events are the library's data: say how many, not what.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("endpoint", &self.endpoint.get())
            .field("pending_events", &self.events.borrow().len())
            .finish()
    }
}

/// [`Binding::endpoint`] outside a dispatch of a charm that wires the library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the library is not bound to an endpoint: its endpoint is known during a dispatch of a charm that wires it with \
     `#[lib(endpoint = \"…\")]` (or use `Binding::bound` in a test)"
)]
pub struct Unbound;

impl<E> Binding<E> {
    /// An unbound binding; the dispatch binds it.
    pub fn new() -> Self {
        Self::default()
    }

    /// A binding already bound to `endpoint`: for testing a library's queries without a charm.
    pub fn bound(endpoint: &'static str) -> Self {
        let binding = Self::default();
        let _ = binding.endpoint.set(endpoint);
        binding
    }

    /// The endpoint the library serves, as written in the charm's `#[lib(endpoint = "…")]`.
    pub fn endpoint(&self) -> Result<&'static str, Unbound> {
        self.endpoint.get().copied().ok_or(Unbound)
    }

    /// Raise an event for the charm: it reaches the charm's `events` method when the current
    /// handler returns (see the [module docs](self)).
    pub fn emit(&self, event: E) {
        self.events.borrow_mut().push(event);
    }

    /// Bind to `endpoint` and forget the events of an earlier dispatch that failed before
    /// delivering them. A value is bound to one endpoint for its whole life.
    fn bind(&self, endpoint: &'static str) -> Result<(), String> {
        match self.endpoint.get() {
            Some(bound) if *bound != endpoint => {
                return Err(format!(
                    "one library value is wired to two endpoints, {bound:?} and {endpoint:?}: give each endpoint its \
                     own value (its own field)"
                ));
            }
            Some(_) => {}
            None => {
                let _ = self.endpoint.set(endpoint);
            }
        }
        self.events.borrow_mut().clear();
        Ok(())
    }

    /// The events raised so far, oldest first; the binding keeps none.
    fn take_events(&self) -> Vec<E> {
        std::mem::take(&mut *self.events.borrow_mut())
    }
}

/// One `#[lib(endpoint = "…", events = method)]` accessor of a charm `C`, for a library `L`.
pub struct Wiring<C, L: CharmLib> {
    /// The endpoint, as in charmcraft.yaml.
    pub endpoint: &'static str,
    /// The charm's accessor to the library value.
    pub accessor: fn(&C) -> &L,
    /// Delivers one library event to the charm (its `events` method); `None`: the charm
    /// ignores the library's events.
    pub events: Option<Deliver<C, L::Event>>,
}

/// Hands one library event of type `E` to the charm `C` (a wrapper of the charm's `events`
/// method).
pub type Deliver<C, E> = fn(&C, &Context, &E) -> Outcome;

/// A [`Wiring`] with the library type erased, as [`Charm::LIBS`] holds it.
pub trait LibEntry<C> {
    /// The endpoint the library is wired to.
    fn endpoint(&self) -> &'static str;
    /// The library's interface.
    fn interface(&self) -> &'static str;
    /// Bind the library value to its endpoint.
    fn bind(&self, charm: &C) -> Result<(), String>;
    /// Run the library's handler for the context's event: [`Outcome::Skipped`] when it has none.
    fn run_hook(&self, charm: &C, ctx: &Context) -> Outcome;
    /// Deliver the events the library raised to the charm, stopping at the first failure.
    fn deliver(&self, charm: &C, ctx: &Context) -> Outcome;
    /// Run the library's `#[collect_status]` handler ([`Outcome::Skipped`] when it has none).
    fn collect_status(&self, charm: &C, ctx: &Context) -> Outcome;
}

impl<C: 'static, L: CharmLib> LibEntry<C> for Wiring<C, L> {
    fn endpoint(&self) -> &'static str {
        self.endpoint
    }

    fn interface(&self) -> &'static str {
        L::INTERFACE
    }

    fn bind(&self, charm: &C) -> Result<(), String> {
        (self.accessor)(charm).binding().bind(self.endpoint)
    }

    fn run_hook(&self, charm: &C, ctx: &Context) -> Outcome {
        let lib = (self.accessor)(charm);
        match L::HANDLERS.iter().find(|h| h.key.matches(ctx, self.endpoint)) {
            Some(handler) => (handler.run)(lib, ctx),
            None => Outcome::Skipped,
        }
    }

    fn deliver(&self, charm: &C, ctx: &Context) -> Outcome {
        let events = (self.accessor)(charm).binding().take_events();
        let Some(deliver) = self.events else { return Outcome::Skipped };
        let mut outcome = Outcome::Skipped;
        for event in &events {
            outcome = deliver(charm, ctx, event);
            if !matches!(outcome, Outcome::Completed | Outcome::Skipped) {
                return outcome;
            }
        }
        outcome
    }

    fn collect_status(&self, charm: &C, ctx: &Context) -> Outcome {
        match L::COLLECT_STATUS {
            Some(collect) => collect((self.accessor)(charm), ctx),
            None => Outcome::Skipped,
        }
    }
}

/// Run `step`, turning a panic into [`Outcome::Panicked`].
fn guarded(step: impl FnOnce() -> Outcome) -> Outcome {
    catch_unwind(AssertUnwindSafe(step)).unwrap_or_else(|payload| Outcome::Panicked(panic_message(&*payload)))
}

/// Whether an outcome ends the dispatch (a failure or a panic).
fn stops(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::HookFailed(_) | Outcome::ActionFailed(_) | Outcome::Panicked(_))
}

/// Steps 1 and 2: bind every library, then run each one's handler for the hook and deliver its
/// events. [`Outcome::Completed`] when a library handled the hook, [`Outcome::Skipped`] when
/// none did, or the failure that stops the dispatch.
pub(crate) fn run_libraries<C: Charm>(charm: &C, ctx: &Context) -> Outcome {
    for lib in C::LIBS {
        let bound = guarded(|| match lib.bind(charm) {
            Ok(()) => Outcome::Completed,
            Err(message) => Outcome::HookFailed(message),
        });
        if stops(&bound) {
            return bound;
        }
    }
    if ctx.event().action().is_some() {
        return Outcome::Skipped;
    }
    let mut handled = false;
    for lib in C::LIBS {
        let outcome = guarded(|| lib.run_hook(charm, ctx));
        if stops(&outcome) {
            return outcome;
        }
        handled |= outcome != Outcome::Skipped;
        let delivered = guarded(|| lib.deliver(charm, ctx));
        if stops(&delivered) {
            return delivered;
        }
    }
    if handled { Outcome::Completed } else { Outcome::Skipped }
}

/// Step 3's end: deliver the events raised during the charm's handler (by the queries it
/// called). A failure, or [`Outcome::Completed`].
pub(crate) fn deliver_events<C: Charm>(charm: &C, ctx: &Context) -> Outcome {
    for lib in C::LIBS {
        let delivered = guarded(|| lib.deliver(charm, ctx));
        if stops(&delivered) {
            return delivered;
        }
    }
    Outcome::Completed
}

/// Step 4's start: the libraries' collect-status handlers, in wiring order. A failure, or
/// [`Outcome::Completed`].
pub(crate) fn collect_statuses<C: Charm>(charm: &C, ctx: &Context) -> Outcome {
    for lib in C::LIBS {
        let outcome = guarded(|| lib.collect_status(charm, ctx));
        if stops(&outcome) {
            return outcome;
        }
    }
    Outcome::Completed
}

/// The compile-time check `#[charm]` emits for each `#[lib]`: the library's interface (and role)
/// match the endpoint's in charmcraft.yaml. Fails const evaluation with a message naming both.
#[doc(hidden)]
pub const fn check_wiring<L: CharmLib>(endpoint: &str, interface: &str, role: RelationRole) {
    if !str_eq(L::INTERFACE, interface) {
        let message = Message::new()
            .push("endpoint `")
            .push(endpoint)
            .push("` has interface `")
            .push(interface)
            .push("` in charmcraft.yaml, but the library is for interface `")
            .push(L::INTERFACE)
            .push("`");
        message.panic();
    }
    if let Some(wanted) = L::ROLE
        && !str_eq(wanted.as_str(), role.as_str())
    {
        let message = Message::new()
            .push("endpoint `")
            .push(endpoint)
            .push("` is declared in `")
            .push(role.as_str())
            .push(":` in charmcraft.yaml, but the library (interface `")
            .push(L::INTERFACE)
            .push("`) serves the `")
            .push(wanted.as_str())
            .push(":` side");
        message.panic();
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A message built in const evaluation (no allocation there): a fixed buffer.
struct Message {
    buf: [u8; 512],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message { buf: [0; 512], len: 0 }
    }

    const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.buf.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    const fn panic(&self) -> ! {
        let (text, _) = self.buf.split_at(self.len);
        match std::str::from_utf8(text) {
            Ok(text) => panic!("{}", text),
            // Only when a name was cut inside a UTF-8 sequence at the buffer's end.
            Err(_) => panic!("the library's interface or role does not match the endpoint's in charmcraft.yaml"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_keeps_one_endpoint_and_forgets_old_events_when_bound() {
        let binding: Binding<u32> = Binding::new();
        assert_eq!(binding.endpoint(), Err(Unbound));
        binding.emit(1);
        binding.bind("certificates").unwrap();
        assert_eq!(binding.endpoint(), Ok("certificates"));
        assert_eq!(binding.take_events(), Vec::<u32>::new());
        binding.emit(2);
        binding.emit(3);
        binding.bind("certificates").unwrap();
        binding.emit(4);
        assert_eq!(binding.take_events(), [4]);
        let error = binding.bind("other").unwrap_err();
        assert!(error.contains("\"certificates\" and \"other\""), "{error}");
        assert_eq!(format!("{binding:?}"), "Binding { endpoint: Some(\"certificates\"), pending_events: 0 }");
    }

    #[test]
    fn const_strings_compare_by_content() {
        assert!(str_eq("tls-certificates", "tls-certificates"));
        assert!(!str_eq("tls-certificates", "tls-certificate"));
        assert!(!str_eq("abc", "abd"));
    }
}
