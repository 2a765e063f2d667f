//! `#[secret(label = "…")]`: `impl TypedSecret` for a struct whose fields are a Juju secret's
//! content keys.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Ctxt;

/// Expand `#[secret(args)] item`.
pub(crate) fn secret(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let error =
                syn::Error::new(e.span(), "`#[secret]` goes on a struct with named fields").into_compile_error();
            // An enum or union can still get the stub, so its uses report nothing more.
            let stub = match syn::parse2::<syn::Item>(item.clone()) {
                Ok(syn::Item::Enum(e)) => Some(expand::stub(&e.ident, &e.generics, "")),
                Ok(syn::Item::Union(u)) => Some(expand::stub(&u.ident, &u.generics, "")),
                _ => None,
            };
            return quote! { #item #stub #error };
        }
    };
    let cx = Ctxt::new();
    let args = parse::parse_args(&cx, args);
    let fields = parse::parse_fields(&cx, &mut item);
    let options = validate::validate_args(&cx, &args);
    let checked = validate::validate_fields(&cx, &fields);
    match cx.check() {
        Ok(()) => expand::expand(&item, &options, &checked),
        Err(error) => {
            // The struct (its `#[secret]` field attributes removed) and a stub impl still exist,
            // so uses of it report only the real mistake.
            let stub = expand::stub(&item.ident, &item.generics, &options.label);
            let error = error.into_compile_error();
            quote! { #item #stub #error }
        }
    }
}
