//! `#[secret(label = "…")]`: typed accessors for a Juju secret whose content keys are the
//! struct's fields.

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;

/// Expand `#[secret(args)] item`.
pub(crate) fn secret(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(e) => {
            let error =
                syn::Error::new(e.span(), "`#[secret]` goes on a struct with named fields").into_compile_error();
            return quote! { #item #error };
        }
    };
    let errors = Errors::new();
    let args = parse::parse_args(args, &errors);
    let fields = parse::parse_fields(&mut item, &errors);
    let options = validate::validate_args(&args, &errors);
    let checked = validate::validate_fields(&fields, &errors);
    if errors.is_empty() {
        expand::expand(&item, &options, &checked)
    } else {
        // The struct (its `#[secret]` field attributes removed) still exists, so uses of it
        // report only the real mistake.
        let error = errors.finish().map(syn::Error::into_compile_error);
        quote! { #item #error }
    }
}
