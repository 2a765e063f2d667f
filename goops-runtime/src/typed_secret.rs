//! [`TypedSecret`]: a Juju secret whose content keys are a struct's fields.
//!
//! `#[secret(label = "…")]` implements it: the label, the content keys, the add options and the
//! conversions. Everything else (get, peek, refresh, add, set, grant, revoke, remove, …) is a
//! provided method, so a hand-written implementation gets the same API, and the struct's own
//! inherent methods never clash with generated ones.
//!
//! ```
//! use goops_runtime::prelude::*;
//!
//! // What `#[secret(label = "db-password")]` on `struct DbPassword { password: SecretString }`
//! // generates, written by hand.
//! struct DbPassword {
//!     password: SecretString,
//! }
//!
//! impl TypedSecret for DbPassword {
//!     const LABEL: &'static str = "db-password";
//!     const KEYS: &'static [&'static str] = &["password"];
//!
//!     fn from_content(content: &SecretContent) -> goops_runtime::Result<Self> {
//!         Ok(DbPassword { password: goops_runtime::typed_secret::field(content, Self::LABEL, "password")? })
//!     }
//!
//!     fn to_content(&self) -> SecretContent {
//!         [("password".to_owned(), self.password.clone())].into()
//!     }
//! }
//!
//! fn rotate(ctx: &Context) -> HookResult {
//!     let new = DbPassword { password: SecretString::from("generated elsewhere") };
//!     match DbPassword::get(ctx)? {
//!         Some(_) => {
//!             new.set(ctx)?;
//!         }
//!         None => {
//!             new.add(ctx)?;
//!         }
//!     }
//!     Ok(())
//! }
//! ```

use std::str::FromStr;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::hookcmds::relation::RelationId;
use crate::hookcmds::secret::{
    SecretAddOptions, SecretContent, SecretInfo, SecretReadMode, SecretSelector, SecretSetOptions,
};
use crate::secret::SecretString;
use goops_juju::secret::secret_uri;

/// A Juju secret with typed content. See the [module docs](self).
pub trait TypedSecret: Sized {
    /// The secret's label: the owner's label, and how every accessor finds the secret.
    const LABEL: &'static str;

    /// The content keys, in field order.
    const KEYS: &'static [&'static str];

    /// The struct from a secret's content; a missing key or a value that does not parse is an
    /// error naming the key (never the value).
    fn from_content(content: &SecretContent) -> Result<Self>;

    /// The secret's content.
    fn to_content(&self) -> SecretContent;

    /// The options [`TypedSecret::add`] uses: the label, and by default nothing else
    /// (application-owned, no rotation, no expiry). `#[secret(...)]` adds what it declares.
    fn add_options() -> SecretAddOptions {
        SecretAddOptions::new().label(Self::LABEL)
    }

    /// The content of the revision this unit tracks (pinned by its first read, for owners and
    /// consumers alike); `None` if the secret does not exist. A consumer that was not granted
    /// the secret gets [`Error::PermissionDenied`].
    fn get(ctx: &Context) -> Result<Option<Self>> {
        read(ctx, SecretSelector::label(Self::LABEL), SecretReadMode::Tracked)
    }

    /// The latest revision's content, without tracking it.
    fn peek(ctx: &Context) -> Result<Option<Self>> {
        read(ctx, SecretSelector::label(Self::LABEL), SecretReadMode::Peek)
    }

    /// The latest revision's content, tracking it from now on.
    fn refresh(ctx: &Context) -> Result<Option<Self>> {
        read(ctx, SecretSelector::label(Self::LABEL), SecretReadMode::Refresh)
    }

    /// A consumer's read of a secret it was given by id (e.g. in relation data). With `label`,
    /// the secret gets that consumer label.
    fn get_by_id(ctx: &Context, id: &str, label: Option<&str>) -> Result<Option<Self>> {
        let selector = match label {
            Some(label) => SecretSelector::id_with_label(id, label),
            None => SecretSelector::id(id),
        };
        read(ctx, selector, SecretReadMode::Tracked)
    }

    /// The secret's metadata (owners only: a unit-owned secret, or an application-owned one on
    /// the leader); `None` if it does not exist.
    fn info(ctx: &Context) -> Result<Option<SecretInfo>> {
        ctx.secret_info(&SecretSelector::label(Self::LABEL))
    }

    /// The secret's URI (owners only); `None` if it does not exist.
    fn id(ctx: &Context) -> Result<Option<String>> {
        Ok(ctx.secret_id(&SecretSelector::label(Self::LABEL))?.map(|id| secret_uri(&id)))
    }

    /// Create the secret with this content and [`TypedSecret::add_options`]; returns its URI.
    /// The content travels in files, never on argv.
    fn add(&self, ctx: &Context) -> Result<String> {
        self.add_with(ctx, Self::add_options())
    }

    /// Create the secret with this content and `options` (start from [`TypedSecret::add_options`]).
    fn add_with(&self, ctx: &Context, options: SecretAddOptions) -> Result<String> {
        ctx.secret_add(&self.to_content(), &options)
    }

    /// Make this content the secret's latest revision. A new revision is created only when it
    /// differs from the latest revision (not the tracked one); returns whether it did.
    fn set(&self, ctx: &Context) -> Result<bool> {
        self.set_with(ctx, SecretSetOptions::new())
    }

    /// [`TypedSecret::set`], also changing metadata.
    fn set_with(&self, ctx: &Context, options: SecretSetOptions) -> Result<bool> {
        let id = owned_id(ctx, Self::LABEL)?;
        let content = self.to_content();
        let latest = ctx.secret_get(&SecretSelector::id(&id), SecretReadMode::Peek)?;
        let changed = latest.as_ref() != Some(&content);
        if changed {
            ctx.secret_set(&id, Some(&content), &options)?;
        } else if options != SecretSetOptions::default() {
            ctx.secret_set(&id, None, &options)?;
        }
        Ok(changed)
    }

    /// Let the remote application of `relation` (or only `unit` of it) read the secret.
    fn grant(ctx: &Context, relation: &RelationId, unit: Option<&str>) -> Result<()> {
        ctx.secret_grant(&owned_id(ctx, Self::LABEL)?, relation, unit)
    }

    /// Take back what [`TypedSecret::grant`] gave.
    fn revoke(ctx: &Context, relation: &RelationId, unit: Option<&str>) -> Result<()> {
        ctx.secret_revoke(&owned_id(ctx, Self::LABEL)?, relation, unit)
    }

    /// Remove one revision, or with `None` the whole secret.
    fn remove(ctx: &Context, revision: Option<u32>) -> Result<()> {
        ctx.secret_remove(&owned_id(ctx, Self::LABEL)?, revision)
    }
}

fn read<S: TypedSecret>(ctx: &Context, selector: SecretSelector, mode: SecretReadMode) -> Result<Option<S>> {
    ctx.secret_get(&selector, mode)?.map(|content| S::from_content(&content)).transpose()
}

/// The URI of the secret this unit (or its application) owns under `label`, or a not-found
/// error naming the label.
fn owned_id(ctx: &Context, label: &str) -> Result<String> {
    match ctx.secret_id(&SecretSelector::label(label))? {
        Some(id) => Ok(secret_uri(&id)),
        None => Err(Error::NotFound {
            tool: "secret-info-get".to_owned(),
            message: format!("secret with label {label:?} not found"),
        }),
    }
}

/// Read the required content key `key` of secret `label` as `T`.
pub fn field<T: SecretField>(content: &SecretContent, label: &str, key: &str) -> Result<T> {
    match content.get(key) {
        Some(value) => T::from_content(value, label, key),
        None => Err(Error::parse("secret-get", &format!("content key {key:?} in secret {label:?}"), "it is missing")),
    }
}

/// Read the optional content key `key` of secret `label` as `T`.
pub fn optional_field<T: SecretField>(content: &SecretContent, label: &str, key: &str) -> Result<Option<T>> {
    content.get(key).map(|value| T::from_content(value, label, key)).transpose()
}

/// Add `value` under `key` to `content`.
pub fn push_field<T: SecretField>(content: &mut SecretContent, key: &str, value: &T) {
    content.insert(key.to_owned(), value.to_content());
}

/// How a secret field converts to and from its content value.
///
/// Implemented for `SecretString` (kept as is) and every `FromStr + Display` type (through
/// text). The two cannot overlap: `SecretString` is neither `FromStr` nor `Display`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[secret]` field",
    note = "accepted: `SecretString`, `String`, any `FromStr + Display` type, or an `Option` of one"
)]
pub trait SecretField: Sized {
    /// From the content value of `key` in secret `label`; errors never quote the value.
    fn from_content(value: &SecretString, label: &str, key: &str) -> Result<Self>;
    /// To a content value.
    fn to_content(&self) -> SecretString;
}

impl SecretField for SecretString {
    fn from_content(value: &SecretString, _label: &str, _key: &str) -> Result<Self> {
        Ok(value.clone())
    }

    fn to_content(&self) -> SecretString {
        self.clone()
    }
}

impl<T: FromStr + std::fmt::Display> SecretField for T {
    fn from_content(value: &SecretString, label: &str, key: &str) -> Result<Self> {
        // The parser's message might quote the value; only say which key failed.
        value.expose_secret().parse::<T>().map_err(|_| {
            Error::parse("secret-get", &format!("content key {key:?} in secret {label:?}"), "the value does not parse")
        })
    }

    fn to_content(&self) -> SecretString {
        SecretString::new(self.to_string())
    }
}
