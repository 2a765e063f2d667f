//! Typed stored state: a serde struct kept in Juju's unit state (`state-get`/`state-set`,
//! docs/hook-tools.md §4.6), loaded once per dispatch and saved once at its end, only when it
//! changed.
//!
//! ```
//! use goops_runtime::prelude::*;
//!
//! /// What this unit remembers between hooks.
//! #[derive(Default, serde::Serialize, serde::Deserialize)]
//! struct Counters {
//!     restarts: u32,
//! }
//!
//! impl StoredState for Counters {
//!     const KEY: &'static str = "counters";
//! }
//!
//! fn on_start(ctx: &Context) -> HookResult {
//!     let mut counters = ctx.stored::<Counters>()?;
//!     counters.restarts += 1;
//!     ctx.log_info(format!("start number {}", counters.restarts));
//!     Ok(())
//! }
//! ```
//!
//! A handler can also take `Stored<'_, Counters>` as an argument. The value is kept as JSON
//! under [`StoredState::KEY`] in the unit's state. The first access in a dispatch runs
//! `state-get`; a key Juju does not have yet gives `T::default()`. When the handler (and
//! collect-status) succeeded, the framework compares each loaded value's JSON with what was
//! loaded and sends the changed ones in one `state-set`; Juju commits it with the hook. A failed
//! hook saves nothing, like every other change it made.

use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::{Deref, DerefMut};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::hookcmds::state;
use crate::tools::HookTools;

/// A type kept in Juju's unit state across hooks. `KEY` must be unique among the charm's
/// stored types.
pub trait StoredState: Serialize + DeserializeOwned + Default + 'static {
    /// The unit-state key its JSON is kept under.
    const KEY: &'static str;
}

/// The stored value of `T` for this dispatch, borrowed from the [`Context`](crate::Context):
/// read and change it through `Deref`/`DerefMut`. It returns to the context when dropped and is
/// saved at the end of a successful dispatch if its JSON changed.
///
/// Only one `Stored<T>` of a type may be alive at a time; asking for a second is an error.
pub struct Stored<'a, T: StoredState> {
    value: Box<T>,
    slots: &'a StoredSlots,
}

impl<T: StoredState> Deref for Stored<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: StoredState> DerefMut for Stored<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: StoredState + std::fmt::Debug> std::fmt::Debug for Stored<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Stored").field(&**self).finish()
    }
}

impl<T: StoredState> Drop for Stored<'_, T> {
    fn drop(&mut self) {
        if let Ok(mut slots) = self.slots.0.try_borrow_mut()
            && let Some(slot) = slots.get_mut(T::KEY)
        {
            // The value goes back to its slot; a default takes its place here, dropped at once.
            let value: Box<T> = std::mem::take(&mut self.value);
            slot.value = Some(value);
        }
    }
}

/// One stored type's value for this dispatch.
struct Slot {
    /// `None` while a [`Stored`] has it.
    value: Option<Box<dyn Any>>,
    /// The JSON of the value as loaded (of `T::default()` when Juju had none): saving compares
    /// with it, so an unchanged value, or a default never changed, writes nothing.
    loaded: String,
    /// `T`'s serializer, for the type-erased value.
    to_json: fn(&dyn Any) -> Option<serde_json::Result<String>>,
}

/// The stored values loaded in one dispatch, by key. Kept by the context.
#[derive(Default)]
pub(crate) struct StoredSlots(RefCell<HashMap<&'static str, Slot>>);

impl std::fmt::Debug for StoredSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.0.try_borrow().map(|s| s.keys().copied().collect()).unwrap_or_default();
        f.debug_tuple("StoredSlots").field(&keys).finish()
    }
}

fn to_json<T: StoredState>(value: &dyn Any) -> Option<serde_json::Result<String>> {
    value.downcast_ref::<T>().map(serde_json::to_string)
}

impl StoredSlots {
    /// `T`'s value, loaded with `state-get` on first use.
    pub(crate) fn get<T: StoredState>(&self, tools: &dyn HookTools) -> Result<Stored<'_, T>> {
        let mut slots = self.0.borrow_mut();
        if let Some(slot) = slots.get_mut(T::KEY) {
            let any = slot.value.as_ref().ok_or_else(|| in_use(T::KEY))?;
            if !any.is::<T>() {
                return Err(Error::invalid(
                    format!("stored state key {:?}", T::KEY),
                    format!("it is used by another type than {}", std::any::type_name::<T>()),
                ));
            }
            let value = slot.value.take().and_then(|v| v.downcast::<T>().ok()).ok_or_else(|| in_use(T::KEY))?;
            return Ok(Stored { value, slots: self });
        }
        drop(slots);
        // Not cached on error: a later access tries again.
        let (value, loaded) = load::<T>(tools)?;
        self.0.borrow_mut().insert(T::KEY, Slot { value: None, loaded, to_json: to_json::<T> });
        Ok(Stored { value: Box::new(value), slots: self })
    }

    /// Send every value whose JSON changed in one `state-set`; nothing runs when none did.
    /// A value still borrowed by a live [`Stored`] is not saved.
    pub(crate) fn save(&self, tools: &dyn HookTools) -> Result<()> {
        let slots = self.0.borrow();
        let mut changed = BTreeMap::new();
        for (key, slot) in slots.iter() {
            let Some(value) = &slot.value else { continue };
            let json = (slot.to_json)(&**value)
                .unwrap_or_else(|| Ok(slot.loaded.clone()))
                .map_err(|e| Error::invalid(format!("stored state {key:?}"), format!("cannot serialize: {e}")))?;
            if json != slot.loaded {
                changed.insert((*key).to_owned(), json);
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        state::state_set(tools, &changed)?;
        drop(slots);
        // Saved: later saves in this context compare with what Juju now has.
        let mut slots = self.0.borrow_mut();
        for (key, json) in changed {
            if let Some(slot) = slots.get_mut(key.as_str()) {
                slot.loaded = json;
            }
        }
        Ok(())
    }
}

fn in_use(key: &str) -> Error {
    Error::invalid(
        format!("stored state {key:?}"),
        "it is already borrowed in this dispatch (drop the other `Stored` first)",
    )
}

/// `T` from Juju's unit state, and its JSON as the baseline for saving.
fn load<T: StoredState>(tools: &dyn HookTools) -> Result<(T, String)> {
    let value = match state::state_get_key(tools, T::KEY)? {
        // The parser's message could quote the stored value; say only what did not fit.
        Some(json) => serde_json::from_str::<T>(&json).map_err(|e| {
            Error::parse(
                "state-get",
                &format!("stored state {:?} as {}", T::KEY, std::any::type_name::<T>()),
                format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()),
            )
        })?,
        None => T::default(),
    };
    let loaded = serde_json::to_string(&value)
        .map_err(|e| Error::invalid(format!("stored state {:?}", T::KEY), format!("cannot serialize: {e}")))?;
    Ok((value, loaded))
}
