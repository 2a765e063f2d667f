//! `#[charm_lib(interface = "…")]`: a charm library's table (`impl CharmLib`) from the
//! `#[hook]` and `#[collect_status]` methods of an impl block (`docs/charm-libraries.md`).
//!
//! The handlers are parsed and their signatures checked as `#[charm]`'s; what differs is which
//! hooks a library may handle: its endpoint's relation hooks (written without an endpoint, since
//! the charm chooses it) and the hooks that have no scope.

use std::collections::BTreeMap;

use goops_juju::{HookKind, RelationEventKind, RelationRole};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use super::expand::{wrapper, wrapper_name};
use super::parse::{self, CharmInput, HookArg, Role};
use super::validate::{
    Carries, Checked, Key, check_collect_status_args, check_event_args, check_signature, first_collect_status,
};
use crate::attr::{self, Attr};
use crate::errors::{Ctxt, suggestion};
use crate::symbol::{ANY, CHARM_LIB, EVENT, INTERFACE, ROLE};

/// The options of `#[charm_lib(...)]`.
pub(crate) struct LibArgs {
    /// `interface = "…"` (required).
    pub(crate) interface: Option<LitStr>,
    /// `role = "requires"` etc.
    pub(crate) role: Option<RelationRole>,
    /// `event = Type`.
    pub(crate) event: Option<Type>,
}

/// Which hook a library handler handles, as the runtime's `LibKey`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LibKey {
    /// A relation hook of the library's endpoint.
    Relation(RelationEventKind),
    /// A hook without a scope, by its Juju name.
    Hook(String),
}

impl std::fmt::Display for LibKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LibKey::Relation(kind) => write!(f, "hook `relation_{kind}`"),
            LibKey::Hook(name) => write!(f, "hook `{}`", name.replace('-', "_")),
        }
    }
}

/// What a library's handlers passed the checks with.
pub(crate) struct LibHandlers<'a> {
    /// Each hook handler with its keys.
    pub(crate) table: Vec<(Checked<'a>, Vec<LibKey>)>,
    /// The `#[collect_status]` handler.
    pub(crate) collect_status: Option<Checked<'a>>,
}

/// Expand `#[charm_lib(args)] item`.
pub(crate) fn charm_lib(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let message = syn::Error::new(
                e.span(),
                "`#[charm_lib]` goes on an impl block: `#[charm_lib(interface = \"…\")] impl MyLibrary { … }`",
            );
            let error = message.into_compile_error();
            return quote! { #item #error };
        }
    };
    let cx = Ctxt::new();
    let args = parse_args(&cx, args);
    let input = parse::parse(&cx, item);
    let handlers = validate(&cx, &input);
    match cx.check() {
        Ok(()) => expand(&input, &args, &handlers),
        Err(error) => {
            let fallback = fallback(&input, &args);
            let error = error.into_compile_error();
            quote! { #fallback #error }
        }
    }
}

/// Parse `#[charm_lib(...)]`'s options; every problem goes to `cx`.
pub(crate) fn parse_args(cx: &Ctxt, args: TokenStream) -> LibArgs {
    let mut interface = Attr::none(cx, INTERFACE);
    let mut role = Attr::none(cx, ROLE);
    let mut event = Attr::none(cx, EVENT);
    let parser = syn::meta::parser(|meta| {
        if meta.path == INTERFACE {
            if let Some(lit) = attr::string(cx, &meta, INTERFACE)? {
                if lit.value().is_empty() {
                    cx.spanned(&lit, "`interface` is the interface name as in charmcraft.yaml; it cannot be empty");
                }
                interface.set(&meta.path, lit);
            }
        } else if meta.path == ROLE {
            if let Some(lit) = attr::string(cx, &meta, ROLE)? {
                match lit.value().parse::<RelationRole>() {
                    Ok(value) => role.set(&meta.path, value),
                    Err(_) => cx.spanned(
                        &lit,
                        format!("unknown role `{}`; expected `provides`, `requires` or `peers`", lit.value()),
                    ),
                }
            }
        } else if meta.path == EVENT {
            event.set(&meta.path, meta.value()?.parse::<Type>()?);
        } else {
            return attr::unknown(cx, &meta, &format!("`#[{CHARM_LIB}]`"), &[INTERFACE, ROLE, EVENT]);
        }
        Ok(())
    });
    if let Err(e) = parser.parse2(args) {
        cx.push(e);
    }
    let args = LibArgs { interface: interface.get(), role: role.get(), event: event.get() };
    if args.interface.is_none() {
        cx.at(
            Span::call_site(),
            "`#[charm_lib]` needs the interface it speaks: `#[charm_lib(interface = \"<interface>\")]`",
        );
    }
    args
}

/// Check every handler; problems go to `cx`, good handlers are returned.
pub(crate) fn validate<'a>(cx: &Ctxt, input: &'a CharmInput) -> LibHandlers<'a> {
    if !input.item.generics.params.is_empty() {
        cx.spanned(&input.item.generics, "`#[charm_lib]` does not support generic impl blocks");
    }
    if let Some((path, _)) = &input.item.trait_ {
        cx.spanned(path, "`#[charm_lib]` goes on an inherent impl block (`impl MyLibrary { … }`), not a trait impl");
    }
    for wiring in &input.libs {
        cx.spanned(
            &wiring.attr,
            "a library cannot include another library: include both in the charm, each with its own `#[lib]`",
        );
    }
    let mut seen: BTreeMap<LibKey, Span> = BTreeMap::new();
    let mut first_collect: Option<&syn::Attribute> = None;
    let mut handlers = LibHandlers { table: Vec::new(), collect_status: None };
    for handler in &input.handlers {
        let signature = check_signature(cx, handler);
        let mut keys = Vec::new();
        let mut carried = Vec::new();
        match &handler.role {
            Role::Hook(args) => {
                for arg in args {
                    let Some((key, kind)) = check_hook(cx, arg) else { continue };
                    let span = arg.name.span();
                    if let Some(first) = seen.get(&key) {
                        cx.at(span, format!("second handler for {key}"));
                        cx.at(*first, format!("first handler for {key} is here"));
                        continue;
                    }
                    seen.insert(key.clone(), span);
                    carried.push((Key::Hook(kind.hook_name(None)), Carries::Only(super::validate::event_type(kind))));
                    keys.push(key);
                }
            }
            Role::Action(name) => {
                cx.spanned(
                    name,
                    "a library has no actions: actions are declared by the charm; give the charm an `#[action]` \
                     that calls the library",
                );
                continue;
            }
            Role::CollectStatus(attr) => {
                if !first_collect_status(cx, attr, &mut first_collect, "a library") {
                    continue;
                }
            }
        }
        let Some((takes_self, args)) = signature else { continue };
        let checked = Checked { handler, keys: Vec::new(), takes_self, args };
        if let Role::CollectStatus(_) = handler.role {
            check_collect_status_args(cx, &checked.args);
            handlers.collect_status = Some(checked);
        } else {
            check_event_args(cx, &checked.args, &carried);
            handlers.table.push((checked, keys));
        }
    }
    handlers
}

/// The key of one `#[hook(...)]` entry of a library, and its hook kind.
fn check_hook(cx: &Ctxt, arg: &HookArg) -> Option<(LibKey, HookKind)> {
    let name = arg.name.to_string();
    if arg.name == ANY {
        cx.spanned(
            &arg.name,
            "a library has no `any` handler: it would take every hook the charm does not handle; name the hooks",
        );
        return None;
    }
    let Some(kind) = HookKind::from_snake_name(&name) else {
        let names = super::validate::hook_names();
        let names = names.iter().map(String::as_str).filter(|n| *n != ANY.as_str());
        cx.spanned(&arg.name, format!("unknown hook `{name}`{}", suggestion(&name, names)));
        return None;
    };
    match (kind, &arg.scope) {
        (HookKind::Relation(relation), None) => Some((LibKey::Relation(relation), kind)),
        (HookKind::Relation(_), Some(scope)) => {
            cx.spanned(
                scope,
                format!(
                    "a library's relation hooks name no endpoint (write `{name}`): the charm chooses it with \
                     `#[lib(endpoint = \"…\")]`"
                ),
            );
            None
        }
        (HookKind::Storage(_) | HookKind::Workload(_), _) => {
            cx.spanned(
                &arg.name,
                format!(
                    "a library cannot handle `{name}`: storage and containers belong to the charm; handle it in \
                     the charm and call the library"
                ),
            );
            None
        }
        (_, Some(scope)) => {
            cx.spanned(scope, format!("`{name}` takes no name: write `{name}`"));
            None
        }
        (_, None) => Some((LibKey::Hook(kind.hook_name(None)), kind)),
    }
}

/// The user's impl block, the wrappers and `impl CharmLib`.
pub(crate) fn expand(input: &CharmInput, args: &LibArgs, handlers: &LibHandlers<'_>) -> TokenStream {
    let item = &input.item;
    let self_ty = &item.self_ty;
    let p = quote!(::goops_runtime::__private);
    let wrappers = handlers.table.iter().map(|(c, _)| c).chain(&handlers.collect_status).map(wrapper);
    let entries = handlers.table.iter().flat_map(|(handler, keys)| {
        let run = wrapper_name(handler);
        let p = p.clone();
        keys.iter().map(move |key| {
            let key = match key {
                LibKey::Relation(kind) => {
                    let variant = crate::metadata::variant(kind);
                    quote!(#p::LibKey::Relation(#p::RelationEventKind::#variant))
                }
                LibKey::Hook(name) => quote!(#p::LibKey::Hook(#name)),
            };
            quote!(#p::LibHandler { key: #key, run: Self::#run })
        })
    });
    let collect_status = handlers.collect_status.as_ref().map(|handler| {
        let run = wrapper_name(handler);
        quote! {
            const COLLECT_STATUS: ::core::option::Option<fn(&Self, &#p::Context) -> #p::Outcome> =
                ::core::option::Option::Some(Self::#run);
        }
    });
    let lib_impl = lib_impl(input, args, quote!(&[#(#entries),*]), collect_status);
    quote! {
        #item

        #[automatically_derived]
        #[doc(hidden)]
        impl #self_ty {
            #(#wrappers)*
        }

        #lib_impl
    }
}

/// `impl CharmLib` with the given table.
fn lib_impl(input: &CharmInput, args: &LibArgs, handlers: TokenStream, collect: Option<TokenStream>) -> TokenStream {
    let self_ty = &input.item.self_ty;
    let p = quote!(::goops_runtime::__private);
    let interface = args.interface.as_ref().map_or_else(String::new, LitStr::value);
    let role = args.role.map(|role| {
        let variant = crate::metadata::variant(role);
        quote! {
            const ROLE: ::core::option::Option<#p::RelationRole> = ::core::option::Option::Some(#p::RelationRole::#variant);
        }
    });
    let event = args.event.as_ref().map_or_else(|| quote!(#p::NoEvent), |ty| quote!(#ty));
    // A pattern, not `self.binding` (which would name the trait method): a missing field is
    // "no field named `binding`", spanned on the library type.
    let binding = quote_spanned!(self_ty.span()=> let Self { binding: __goops_binding, .. } = self; __goops_binding);
    quote! {
        #[automatically_derived]
        impl #p::CharmLib for #self_ty {
            const INTERFACE: &'static str = #interface;
            #role
            type Event = #event;
            const HANDLERS: &'static [#p::LibHandler<Self>] = #handlers;
            #collect
            fn binding(&self) -> &#p::Binding<Self::Event> {
                #binding
            }
        }
    }
}

/// On errors: the user's impl block and an empty table (when the impl is usable), so the charms
/// that include the library report nothing more.
fn fallback(input: &CharmInput, args: &LibArgs) -> TokenStream {
    let item = &input.item;
    let usable = item.generics.params.is_empty() && item.trait_.is_none() && args.interface.is_some();
    let lib_impl = usable.then(|| lib_impl(input, args, quote!(&[]), None));
    quote! {
        #item
        #lib_impl
    }
}
