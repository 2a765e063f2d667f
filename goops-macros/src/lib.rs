#![doc = include_str!("../README.md")]
// Each entry point is a thin wrapper: the work happens on `proc_macro2` tokens in the `charm`,
// `secret` and `config` modules (parse → validate → expand), so it is unit-testable.

use proc_macro::TokenStream;

mod attr;
mod charm;
mod config;
mod databag;
mod errors;
mod metadata;
mod secret;
#[cfg(test)]
mod snapshot_tests;
mod symbol;

fn debug(name: &str, output: proc_macro2::TokenStream) -> TokenStream {
    if std::env::var_os("GOOPS_MACROS_DEBUG").is_some_and(|v| !v.is_empty() && v != "0") {
        eprintln!("goops-macros: #[{name}] expands to:\n{output}");
    }
    output.into()
}

/// Build the charm's dispatch table (`impl Charm`) from the `#[hook(...)]`, `#[action("...")]`
/// and `#[collect_status]` methods of an impl block, checked against charmcraft.yaml, and bake
/// the metadata in (`impl HasMetadata`). Options: `metadata = "path"`. See the crate docs.
#[proc_macro_attribute]
pub fn charm(args: TokenStream, item: TokenStream) -> TokenStream {
    debug("charm", charm::charm(args.into(), item.into()))
}

/// Make an impl block a charm library (`goops_runtime::CharmLib`): its `#[hook(...)]` handlers run
/// for the endpoint a charm includes it on with `#[lib(endpoint = "…")]`. Options: `interface =
/// "…"` (required), `role = "requires"|"provides"|"peers"`, `event = Type`. See
/// `docs/charm-libraries.md`.
#[proc_macro_attribute]
pub fn charm_lib(args: TokenStream, item: TokenStream) -> TokenStream {
    debug("charm_lib", charm::library::charm_lib(args.into(), item.into()))
}

/// Mark a hook handler inside a `#[charm]` impl block: `#[hook(install, relation_changed("db"))]`,
/// `#[hook(any)]`. `#[charm]` consumes it; on its own it is a compile error saying so.
#[proc_macro_attribute]
pub fn hook(_args: TokenStream, item: TokenStream) -> TokenStream {
    charm::stray(symbol::HOOK, item.into()).into()
}

/// Mark an action handler inside a `#[charm]` impl block: `#[action("do-backup")]`.
/// `#[charm]` consumes it; on its own it is a compile error saying so.
#[proc_macro_attribute]
pub fn action(_args: TokenStream, item: TokenStream) -> TokenStream {
    charm::stray(symbol::ACTION, item.into()).into()
}

/// Mark the one method of a `#[charm]` impl block that adds statuses at the end of every
/// dispatch (`Charm::COLLECT_STATUS`). `#[charm]` consumes it; on its own it is a compile error
/// saying so.
#[proc_macro_attribute]
pub fn collect_status(_args: TokenStream, item: TokenStream) -> TokenStream {
    charm::stray(symbol::COLLECT_STATUS, item.into()).into()
}

/// Implement `goops_runtime::TypedSecret` for a struct whose fields are a Juju secret's content
/// keys: `#[secret(label = "…", owner = "application"|"unit", rotate = "…", description = "…",
/// expire = "365d")]`, field attribute `#[secret(key = "…")]`. See the crate docs.
#[proc_macro_attribute]
pub fn secret(args: TokenStream, item: TokenStream) -> TokenStream {
    debug("secret", secret::secret(args.into(), item.into()))
}

/// Typed charm config, checked against charmcraft.yaml's `config.options`: field `foo_bar` is
/// option `foo-bar` (or `#[config(key = "…")]`); `#[config(metadata = "path")]` on the struct.
#[proc_macro_derive(CharmConfig, attributes(config))]
pub fn derive_charm_config(item: TokenStream) -> TokenStream {
    debug("derive(CharmConfig)", config::derive(config::Kind::Config, item.into()))
}

/// Typed action parameters, checked against the action's `params` in charmcraft.yaml:
/// `#[params(action = "do-backup")]` on the struct, `#[params(key = "…")]` on a field.
#[proc_macro_derive(ActionParams, attributes(params))]
pub fn derive_action_params(item: TokenStream) -> TokenStream {
    debug("derive(ActionParams)", config::derive(config::Kind::Params, item.into()))
}

/// A struct whose fields are the keys of one relation databag (`impl goops_runtime::Databag`):
/// every value JSON as ops's `Relation.save` writes it; field options `#[databag(rename = "…",
/// default, required, raw, unchecked)]`; `#[serde(rename = "…")]` is honoured. A non-`Option`
/// field needs `default` or `required` (no mandatory fields, interface design rule OP083).
#[proc_macro_derive(Databag, attributes(databag, serde))]
pub fn derive_databag(item: TokenStream) -> TokenStream {
    debug("derive(Databag)", databag::derive(item.into()))
}

/// A type checked for use inside a databag (`impl goops_runtime::DatabagValue`): a struct's
/// field types must be `DatabagValue`s; an enum needs a `#[serde(other)]` unit variant, so an
/// unknown value loads as it (interface design rule OP083).
#[proc_macro_derive(DatabagValue, attributes(databag, serde))]
pub fn derive_databag_value(item: TokenStream) -> TokenStream {
    debug("derive(DatabagValue)", databag::derive_value(item.into()))
}
