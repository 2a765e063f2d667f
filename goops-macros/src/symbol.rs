//! Every attribute and option name the macros accept, in one table (serde_derive's habit), so a
//! name is spelled once and matched with `==` against the user's paths and idents.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// An attribute or option name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Symbol(&'static str);

impl Symbol {
    /// The name as written.
    pub(crate) const fn as_str(self) -> &'static str {
        self.0
    }
}

// Attributes.
/// `#[charm]` on the impl block.
pub(crate) const CHARM: Symbol = Symbol("charm");
/// `#[hook(...)]` on a handler.
pub(crate) const HOOK: Symbol = Symbol("hook");
/// `#[action("...")]` on a handler; also `#[params(action = "...")]`.
pub(crate) const ACTION: Symbol = Symbol("action");
/// `#[collect_status]` on a handler.
pub(crate) const COLLECT_STATUS: Symbol = Symbol("collect_status");
/// `#[secret(...)]` on a struct and on its fields.
pub(crate) const SECRET: Symbol = Symbol("secret");
/// `#[config(...)]` for `#[derive(CharmConfig)]`.
pub(crate) const CONFIG: Symbol = Symbol("config");
/// `#[params(...)]` for `#[derive(ActionParams)]`.
pub(crate) const PARAMS: Symbol = Symbol("params");
/// `#[databag(...)]` for `#[derive(Databag)]` and `#[derive(DatabagValue)]`.
pub(crate) const DATABAG: Symbol = Symbol("databag");
/// `#[serde(...)]`, read by the databag derives for `rename` and `other`.
pub(crate) const SERDE: Symbol = Symbol("serde");

// Options.
/// `metadata = "path"`: where charmcraft.yaml is.
pub(crate) const METADATA: Symbol = Symbol("metadata");
/// `label = "..."` of a secret.
pub(crate) const LABEL: Symbol = Symbol("label");
/// `owner = "..."` of a secret.
pub(crate) const OWNER: Symbol = Symbol("owner");
/// `rotate = "..."` of a secret.
pub(crate) const ROTATE: Symbol = Symbol("rotate");
/// `description = "..."` of a secret.
pub(crate) const DESCRIPTION: Symbol = Symbol("description");
/// `expire = "..."` of a secret.
pub(crate) const EXPIRE: Symbol = Symbol("expire");
/// `key = "..."` on a field: its content key, config option or parameter.
pub(crate) const KEY: Symbol = Symbol("key");
/// `rename = "..."` on a databag field: its key.
pub(crate) const RENAME: Symbol = Symbol("rename");
/// `rename_all = "..."` on a databag struct: how field names become keys.
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");
/// `default` on a databag field: an absent key loads as `Default::default()`.
pub(crate) const DEFAULT: Symbol = Symbol("default");
/// `required` on a databag field: an absent key is an error (a mandatory field).
pub(crate) const REQUIRED: Symbol = Symbol("required");
/// `raw` on a databag field: a bare string, not JSON.
pub(crate) const RAW: Symbol = Symbol("raw");
/// `unchecked` on a databag field: its type is not required to be a `DatabagValue`.
pub(crate) const UNCHECKED: Symbol = Symbol("unchecked");
/// `#[serde(other)]` on an enum's catch-all variant.
pub(crate) const OTHER: Symbol = Symbol("other");

// Hook names that are not Juju hooks.
/// `#[hook(any)]`: every hook without a handler of its own.
pub(crate) const ANY: Symbol = Symbol("any");

// Charm libraries (`docs/charm-libraries.md`).
/// `#[charm_lib(...)]` on a library's impl block.
pub(crate) const CHARM_LIB: Symbol = Symbol("charm_lib");
/// `#[lib(...)]` on a charm's accessor to a library value.
pub(crate) const LIB: Symbol = Symbol("lib");
/// `interface = "..."` of a library.
pub(crate) const INTERFACE: Symbol = Symbol("interface");
/// `role = "..."` of a library: the charmcraft.yaml section it serves.
pub(crate) const ROLE: Symbol = Symbol("role");
/// `event = Type` of a library: what it tells the charm.
pub(crate) const EVENT: Symbol = Symbol("event");
/// `endpoint = "..."` of `#[lib]`.
pub(crate) const ENDPOINT: Symbol = Symbol("endpoint");
/// `events = method` of `#[lib]`: the charm method that receives the library's events.
pub(crate) const EVENTS: Symbol = Symbol("events");

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

/// Whether `path` names attribute `word`, also when written through a crate path
/// (`#[goops_runtime::hook(...)]`): the last segment decides.
pub(crate) fn names(path: &Path, word: Symbol) -> bool {
    path.segments.last().is_some_and(|segment| segment.ident == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_match_idents_and_paths() {
        let ident: Ident = syn::parse_quote!(label);
        assert!(ident == LABEL && ident != OWNER);
        let path: Path = syn::parse_quote!(label);
        assert!(path == LABEL);
        let qualified: Path = syn::parse_quote!(goops_runtime::hook);
        assert!(qualified != HOOK && names(&qualified, HOOK) && !names(&qualified, ACTION));
        assert_eq!(COLLECT_STATUS.to_string(), "collect_status");
    }
}
