//! `#[charm]`: the dispatch table from an impl block's `#[hook]` and `#[action]` methods.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::charmcraft::Metadata;
use crate::errors::Errors;

/// Expand `#[charm(args)] item`.
pub(crate) fn charm(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let message = syn::Error::new(e.span(), "`#[charm]` goes on an impl block: `#[charm] impl MyCharm { … }`");
            let error = message.into_compile_error();
            return quote! { #item #error };
        }
    };
    let errors = Errors::new();
    let args: parse::CharmArgs = syn::parse2(args).unwrap_or_else(|e| {
        errors.push(e);
        parse::CharmArgs::default()
    });
    let span = args.metadata.as_ref().map_or_else(Span::call_site, syn::LitStr::span);
    let metadata = Metadata::load(args.metadata.as_ref().map(syn::LitStr::value).as_deref(), span)
        .map_err(|e| errors.push(e))
        .ok();
    let input = parse::parse(item, &errors);
    let handlers = validate::validate(&input, metadata.as_ref(), &errors);
    let output = if errors.is_empty() {
        expand::expand(&input.item, &handlers, metadata.as_ref())
    } else {
        // Track the metadata files even now: the fix may be an edit to charmcraft.yaml.
        let tracking = metadata.as_ref().map(Metadata::tracking);
        let fallback = expand::fallback(&input.item);
        quote! { #fallback #tracking }
    };
    let error = errors.finish().map(syn::Error::into_compile_error);
    quote! { #output #error }
}

/// A `#[hook]` or `#[action]` outside `#[charm]`: keep the item, say where it belongs.
pub(crate) fn stray(attr: &str, item: TokenStream) -> TokenStream {
    let message = format!(
        "`#[{attr}]` only works on a method inside a `#[charm]` impl block: put `#[charm]` on the `impl` that holds this method"
    );
    let error = syn::Error::new(Span::call_site(), message).into_compile_error();
    quote! { #item #error }
}
