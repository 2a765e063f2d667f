//! Typed relation data: a struct whose fields are the keys of one side's app or unit databag.
//!
//! `#[derive(Databag)]` implements [`Databag`]; [`Context::relation_load`] reads a bag into the
//! type and [`Context::relation_save`] writes it back, sending only the keys that changed.
//!
//! # Encoding
//!
//! Each field is one key and, as ops's `Relation.save` / `Relation.load` do (ops 3.9,
//! `ops/model.py`: `encoder = json.dumps`, `decoder = json.loads`), every value is JSON, strings
//! included: a `String` field `"x"` is stored as `"\"x\""`. (The issue said "JSON for
//! non-strings"; ops and charmlibs' `DatabagModel`, which tls-certificates v4 uses, JSON-encode
//! every value, so that is what this module does.) Interfaces that put bare strings in a bag
//! mark those fields `#[databag(raw)]`. Values are written the way Python's `json.dumps` writes
//! them (`", "` and `": "` separators, non-ASCII as `\uXXXX`, floats as Python's `repr`), so a
//! bag saved by an ops charm and by a goops-rs charm is byte for byte the same and a save never
//! rewrites (and so never re-triggers `relation-changed` for) a value that did not change.
//!
//! One difference from ops: a `None` field deletes its key (ops writes `null`). Loading treats
//! an absent key and `null` alike, so both sides read each other's bags.
//!
//! See `docs/relation-data.md` in the goops-rs repository for the derive's attributes and the
//! interface design rules it checks.
//!
//! ```
//! use goops_runtime::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize, DatabagValue)]
//! #[serde(rename_all = "lowercase")]
//! enum Role {
//!     Primary,
//!     #[serde(other)]
//!     Unknown,
//! }
//!
//! #[derive(Debug, PartialEq, Databag)]
//! #[databag(rename_all = "kebab-case")]
//! struct DbOffer {
//!     #[databag(required)]
//!     endpoint: String,
//!     role: Option<Role>,
//!     #[databag(default)]
//!     read_replicas: Vec<String>,
//! }
//!
//! let bag = [("endpoint", r#""pg:5432""#), ("role", r#""leader""#), ("other", "not ours")]
//!     .map(|(k, v)| (k.to_owned(), v.to_owned()))
//!     .into();
//! let offer = DbOffer::from_bag(&bag).unwrap();
//! assert_eq!(offer, DbOffer { endpoint: "pg:5432".into(), role: Some(Role::Unknown), read_replicas: vec![] });
//! assert_eq!(offer.to_bag().unwrap()["read-replicas"], "[]");
//!
//! fn on_db(ctx: &Context, relation: &RelationId) -> HookResult {
//!     let offer: DbOffer = ctx.relation_load(relation, "pg")?;
//!     ctx.relation_save(relation, Bag::Unit, &offer)?;
//!     Ok(())
//! }
//! ```

mod encode;

use std::collections::{BTreeMap, BTreeSet};

use crate::context::Context;
use crate::error::{Error, Result};
pub use crate::hookcmds::relation::Bag;
use crate::hookcmds::relation::RelationId;

/// A struct whose fields are the keys of one databag. Implemented by `#[derive(Databag)]`.
pub trait Databag: Sized {
    /// The keys this type reads and writes, in declaration order. Other keys of the bag are
    /// neither read nor changed.
    const KEYS: &'static [&'static str];

    /// Decode the bag. Keys not in [`KEYS`](Databag::KEYS) are ignored.
    fn from_bag(bag: &BTreeMap<String, String>) -> Result<Self, DatabagError>;

    /// Encode the value. `None` fields are absent from the map (so a save deletes the key).
    fn to_bag(&self) -> Result<BTreeMap<String, String>, DatabagError>;
}

/// What was wrong with one key of a databag.
///
/// Relation data is not secret (every unit of both applications reads it), so messages quote
/// serde's complaint, which may include the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DatabagError {
    /// A field marked `#[databag(required)]` has no key in the bag.
    #[error("key {key:?} is missing")]
    Missing {
        /// The databag key.
        key: String,
    },
    /// The value is not JSON.
    #[error("key {key:?} is not valid JSON: {reason}")]
    InvalidJson {
        /// The databag key.
        key: String,
        /// serde_json's message.
        reason: String,
    },
    /// The value is JSON of another type or shape than the field's.
    #[error("key {key:?} has the wrong type: {reason}")]
    WrongType {
        /// The databag key.
        key: String,
        /// serde's message, e.g. `invalid type: string "x", expected u16`.
        reason: String,
    },
    /// The field's value could not be encoded as JSON (e.g. a map with non-string keys).
    #[error("key {key:?} cannot be encoded: {reason}")]
    Encode {
        /// The databag key.
        key: String,
        /// serde's message.
        reason: String,
    },
}

impl DatabagError {
    /// The databag key the error is about.
    pub fn key(&self) -> &str {
        match self {
            DatabagError::Missing { key }
            | DatabagError::InvalidJson { key, .. }
            | DatabagError::WrongType { key, .. }
            | DatabagError::Encode { key, .. } => key,
        }
    }
}

/// A type whose JSON form may go into a databag: it keeps to the interface design rule that an
/// unknown enum value loads as an "unknown" variant instead of failing the whole bag.
///
/// `#[derive(Databag)]` requires it of every field type (except `#[databag(raw)]` and
/// `#[databag(unchecked)]` fields). It is implemented for the standard scalar, string and
/// ordered collection types (not `HashMap`/`HashSet`: their JSON order changes from run to run,
/// so every save would rewrite the key and wake the other side; use `BTreeMap`/`BTreeSet`); `#[derive(DatabagValue)]` implements it for your structs (checking their
/// fields) and enums (which must have a `#[serde(other)]` unit variant). Implementing it by hand
/// vouches for a type the derive cannot see into.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not checked for use in a databag",
    label = "used in a databag",
    note = "add `#[derive(DatabagValue)]` to it (an enum also needs a `#[serde(other)]` unit variant for unknown values); for a type of another crate, mark the `#[derive(Databag)]` field `#[databag(unchecked)]`"
)]
pub trait DatabagValue {}

macro_rules! databag_values {
    ($($ty:ty),* $(,)?) => { $(impl DatabagValue for $ty {})* };
}

databag_values!(
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    str,
    String,
    serde_json::Value,
    std::net::IpAddr,
    std::net::Ipv4Addr,
    std::net::Ipv6Addr,
    std::net::SocketAddr,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDate,
    chrono::NaiveDateTime,
);

impl<T: DatabagValue + ?Sized> DatabagValue for Box<T> {}
impl<T: DatabagValue> DatabagValue for Option<T> {}
impl<T: DatabagValue> DatabagValue for Vec<T> {}
impl<T: DatabagValue, const N: usize> DatabagValue for [T; N] {}
impl<T: DatabagValue> DatabagValue for BTreeSet<T> {}
impl<K: DatabagValue, V: DatabagValue> DatabagValue for BTreeMap<K, V> {}
impl<A: DatabagValue, B: DatabagValue> DatabagValue for (A, B) {}
impl<A: DatabagValue, B: DatabagValue, C: DatabagValue> DatabagValue for (A, B, C) {}

impl Context {
    /// Read `who`'s databag in `relation` (a unit `app/0` or an application `app`) as `T`.
    ///
    /// The bag is read through [`Context::relation_data`] (once per hook). A missing required
    /// key, a value that is not JSON or JSON of the wrong type is [`Error::Databag`], naming the
    /// relation, the bag and the key.
    pub fn relation_load<T: Databag>(&self, relation: &RelationId, who: &str) -> Result<T> {
        let bag = self.relation_data(relation, who)?;
        T::from_bag(&bag).map_err(|source| Error::Databag {
            relation: relation.to_string(),
            entity: who.to_owned(),
            source,
        })
    }

    /// Write `value` to this unit's (or, as leader, its application's) databag in `relation`.
    ///
    /// Only [`T::KEYS`](Databag::KEYS) are touched: keys whose encoded value differs from the
    /// bag are sent in one `relation-set`, keys of `None` fields that are in the bag are
    /// deleted, and nothing runs when nothing changed. If any field fails to encode, it is an
    /// [`Error::Databag`] and nothing is written.
    pub fn relation_save<T: Databag>(&self, relation: &RelationId, bag: Bag, value: &T) -> Result<()> {
        let encoded = value.to_bag().map_err(|source| Error::Databag {
            relation: relation.to_string(),
            entity: match bag {
                Bag::Unit => self.unit_name().to_owned(),
                Bag::App => self.app_name().to_owned(),
            },
            source,
        })?;
        // An empty value deletes a key; set_relation_data drops the ones already equal (or absent).
        let data = T::KEYS.iter().map(|key| (*key, encoded.get(*key).map_or("", String::as_str)));
        self.set_relation_data(relation, bag, data)
    }
}

/// What code generated by `#[derive(Databag)]` calls. Not a public API.
#[doc(hidden)]
pub mod derive {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde::de::DeserializeOwned;

    pub use super::{Databag, DatabagError, DatabagValue};

    /// Compile-time check that `T` may go into a databag.
    pub const fn assert_value<T: DatabagValue + ?Sized>() {}

    fn decode<T: DeserializeOwned>(key: &str, value: &str) -> Result<T, DatabagError> {
        serde_json::from_str(value).map_err(|e| {
            let key = key.to_owned();
            let reason = e.to_string();
            match e.classify() {
                serde_json::error::Category::Data => DatabagError::WrongType { key, reason },
                _ => DatabagError::InvalidJson { key, reason },
            }
        })
    }

    /// A key that must be present (`#[databag(required)]`).
    pub fn required<T: DeserializeOwned>(bag: &BTreeMap<String, String>, key: &str) -> Result<T, DatabagError> {
        match bag.get(key) {
            Some(value) => decode(key, value),
            None => Err(DatabagError::Missing { key: key.to_owned() }),
        }
    }

    /// An optional key: absent or JSON `null` is `None` (ops writes `null` for `None`).
    pub fn optional<T: DeserializeOwned>(bag: &BTreeMap<String, String>, key: &str) -> Result<Option<T>, DatabagError> {
        match bag.get(key) {
            Some(value) => decode::<Option<T>>(key, value),
            None => Ok(None),
        }
    }

    /// A `#[databag(raw)]` key that must be present.
    pub fn raw_required(bag: &BTreeMap<String, String>, key: &str) -> Result<String, DatabagError> {
        bag.get(key).cloned().ok_or_else(|| DatabagError::Missing { key: key.to_owned() })
    }

    /// An optional `#[databag(raw)]` key.
    pub fn raw_optional(bag: &BTreeMap<String, String>, key: &str) -> Result<Option<String>, DatabagError> {
        Ok(bag.get(key).cloned())
    }

    /// Encode `value` under `key`.
    pub fn put<T: Serialize + ?Sized>(
        bag: &mut BTreeMap<String, String>,
        key: &str,
        value: &T,
    ) -> Result<(), DatabagError> {
        let text = super::encode::to_python_json(value)
            .map_err(|e| DatabagError::Encode { key: key.to_owned(), reason: e.to_string() })?;
        bag.insert(key.to_owned(), text);
        Ok(())
    }

    /// Encode an optional value: `None` leaves the key out, so a save deletes it.
    pub fn put_optional<T: Serialize>(
        bag: &mut BTreeMap<String, String>,
        key: &str,
        value: &Option<T>,
    ) -> Result<(), DatabagError> {
        match value {
            Some(value) => put(bag, key, value),
            None => Ok(()),
        }
    }

    /// A `#[databag(raw)]` value, stored as it is (an empty string deletes the key).
    pub fn put_raw(bag: &mut BTreeMap<String, String>, key: &str, value: &str) -> Result<(), DatabagError> {
        if !value.is_empty() {
            bag.insert(key.to_owned(), value.to_owned());
        }
        Ok(())
    }

    /// An optional `#[databag(raw)]` value.
    pub fn put_raw_optional(
        bag: &mut BTreeMap<String, String>,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), DatabagError> {
        match value {
            Some(value) => put_raw(bag, key, value),
            None => Ok(()),
        }
    }
}
