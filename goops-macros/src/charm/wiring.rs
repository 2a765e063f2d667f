//! The `#[lib(endpoint = "…", events = method)]` accessors of a `#[charm]` impl block: checked
//! against charmcraft.yaml, and expanded into `Charm::LIBS` and the compile-time check of the
//! library's interface (`docs/charm-libraries.md`).

use std::collections::BTreeMap;

use goops_juju::charmcraft::CharmMeta;
use goops_juju::{RelationRole, Scope};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ReceiverKind, ReturnType, Type};

use super::parse::LibWiring;
use crate::errors::{Ctxt, list, suggestion};

/// A `#[lib]` accessor that passed the checks.
pub(crate) struct WiredLib<'a> {
    pub(crate) wiring: &'a LibWiring,
    /// The library type (what the accessor returns a reference to).
    pub(crate) lib: &'a Type,
    /// The endpoint's interface and section in charmcraft.yaml, when it was read.
    pub(crate) declared: Option<(String, RelationRole)>,
}

/// Check every accessor; problems go to `cx`, good ones are returned in declaration order.
pub(crate) fn check<'a>(cx: &Ctxt, wirings: &'a [LibWiring], meta: Option<&CharmMeta>) -> Vec<WiredLib<'a>> {
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut wired = Vec::new();
    for wiring in wirings {
        let lib = check_accessor(cx, wiring);
        let endpoint = wiring.endpoint.value();
        let declared = match meta {
            Some(m) => match m.endpoints.get(&endpoint) {
                Some(spec) => Some(Some((spec.interface.clone(), spec.role))),
                None => {
                    let names: Vec<&str> = m.endpoints.keys().map(String::as_str).collect();
                    cx.spanned(
                        &wiring.endpoint,
                        format!(
                            "{} `{endpoint}` is not declared in charmcraft.yaml ({}); declared: {}{}",
                            Scope::Endpoint.noun(),
                            Scope::Endpoint.sections(),
                            list(names.iter().copied()),
                            suggestion(&endpoint, names.iter().copied())
                        ),
                    );
                    None
                }
            },
            None => Some(None),
        };
        if let Some(first) = seen.get(&endpoint) {
            cx.spanned(&wiring.endpoint, format!("second library on endpoint `{endpoint}`: an endpoint has one"));
            cx.at(*first, format!("first library on endpoint `{endpoint}` is here"));
            continue;
        }
        seen.insert(endpoint, wiring.endpoint.span());
        if let (Some(lib), Some(declared)) = (lib, declared) {
            wired.push(WiredLib { wiring, lib, declared });
        }
    }
    wired
}

/// `fn name(&self) -> &Library`: the library type, or `None` (reported) for another shape.
fn check_accessor<'a>(cx: &Ctxt, wiring: &'a LibWiring) -> Option<&'a Type> {
    const FORM: &str = "a `#[lib]` accessor is `fn name(&self) -> &Library`, returning the charm's library value";
    let sig = &wiring.sig;
    let mut ok = true;
    if sig.asyncness.is_some() || !sig.generics.params.is_empty() {
        cx.spanned(&sig.ident, format!("{FORM}: not `async`, not generic"));
        ok = false;
    }
    let only_self = matches!(
        sig.inputs.iter().collect::<Vec<_>>().as_slice(),
        [FnArg::Receiver(r)] if r.mutability.is_none() && matches!(r.kind, ReceiverKind::Reference(_, _, None))
    );
    if !only_self {
        cx.spanned(&sig.inputs, format!("{FORM}: it takes `&self` and nothing else"));
        ok = false;
    }
    let lib = match &sig.output {
        ReturnType::Type(_, ty) => match &**ty {
            Type::Reference(r) if r.mutability.is_none() => Some(&*r.elem),
            _ => None,
        },
        ReturnType::Default => None,
    };
    if lib.is_none() {
        let message = format!("{FORM}: it returns a shared reference");
        match &sig.output {
            ReturnType::Default => cx.spanned(&sig.ident, message),
            output => cx.spanned(output, message),
        }
    }
    if ok { lib } else { None }
}

/// The name of the wrapper that hands one library event to the charm's `events` method.
fn events_wrapper(wired: &WiredLib<'_>) -> syn::Ident {
    format_ident!("__goops_lib_events_{}", wired.wiring.sig.ident)
}

/// The wrappers of the charm's `events` methods, for the charm's hidden impl block.
pub(crate) fn wrappers(libs: &[WiredLib<'_>]) -> TokenStream {
    let each = libs.iter().filter_map(|wired| {
        let method = wired.wiring.events.as_ref()?;
        let name = events_wrapper(wired);
        let lib = wired.lib;
        let p = quote!(::goops_runtime::__private);
        // The call is spanned on the method's name, so a wrong signature is reported there.
        let call = quote_spanned! {method.span()=>
            ::goops_runtime::__private::HookReturn::outcome(Self::#method(__goops_charm, __goops_ctx, __goops_event))
        };
        Some(quote! {
            #[doc(hidden)]
            fn #name(
                __goops_charm: &Self,
                __goops_ctx: &#p::Context,
                __goops_event: &<#lib as #p::CharmLib>::Event,
            ) -> #p::Outcome {
                #call
            }
        })
    });
    quote!(#(#each)*)
}

/// `const LIBS` for `impl Charm`, when the charm includes libraries.
pub(crate) fn table(libs: &[WiredLib<'_>]) -> Option<TokenStream> {
    if libs.is_empty() {
        return None;
    }
    let p = quote!(::goops_runtime::__private);
    let entries = libs.iter().map(|wired| {
        let lib = wired.lib;
        let endpoint = &wired.wiring.endpoint;
        let accessor = &wired.wiring.sig.ident;
        let events = match &wired.wiring.events {
            Some(_) => {
                let wrapper = events_wrapper(wired);
                quote!(::core::option::Option::Some(Self::#wrapper))
            }
            None => quote!(::core::option::Option::None),
        };
        // Spanned on the library type, so a type that is no library is reported there.
        quote_spanned! {lib.span()=>
            &::goops_runtime::__private::Wiring::<Self, #lib> { endpoint: #endpoint, accessor: Self::#accessor, events: #events }
        }
    });
    Some(quote! {
        const LIBS: &'static [&'static dyn #p::LibEntry<Self>] = &[#(#entries),*];
    })
}

/// Per accessor, a const evaluated at compile time: the library's interface (and role) match
/// the endpoint's in charmcraft.yaml. Spanned on the endpoint literal, where the error shows.
pub(crate) fn checks(libs: &[WiredLib<'_>]) -> TokenStream {
    let each = libs.iter().filter_map(|wired| {
        let (interface, role) = wired.declared.as_ref()?;
        let lib = wired.lib;
        let endpoint = &wired.wiring.endpoint;
        let role = crate::metadata::variant(role);
        Some(quote_spanned! {endpoint.span()=>
            const _: () = ::goops_runtime::__private::check_wiring::<#lib>(
                #endpoint,
                #interface,
                ::goops_runtime::__private::RelationRole::#role,
            );
        })
    });
    quote!(#(#each)*)
}
