//! `#[derive(Databag)]`: a struct whose fields are the keys of one relation databag, and
//! `#[derive(DatabagValue)]`: a type checked for use inside one (an enum must have an
//! "unknown" catch-all variant).

pub(crate) mod expand;
pub(crate) mod parse;
pub(crate) mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::errors::Ctxt;
use crate::symbol::DATABAG;

/// Expand `#[derive(Databag)]` on `item`.
pub(crate) fn derive(item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(e) => return e.into_compile_error(),
    };
    let cx = Ctxt::new();
    let rename_all = parse::parse_struct(&cx, &input.attrs);
    if !input.generics.params.is_empty() {
        cx.spanned(
            &input.generics,
            "`#[derive(Databag)]` does not support generic structs: a databag has fixed keys and types",
        );
    }
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let fields: Vec<parse::Field<'_>> = match named {
        Some(named) => named
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref().map(|ident| parse::parse_field(&cx, ident, &f.ty, &f.attrs)))
            .collect(),
        None => {
            cx.spanned(
                &input.ident,
                "`#[derive(Databag)]` goes on a struct with named fields: each field is one databag key",
            );
            Vec::new()
        }
    };
    let checked = validate::validate(&cx, rename_all.as_deref(), &fields);
    match cx.check() {
        Ok(()) => expand::expand(&input.ident, &checked),
        Err(error) => {
            let stub = input.generics.params.is_empty().then(|| expand::stub(&input.ident));
            let error = error.into_compile_error();
            quote! { #stub #error }
        }
    }
}

/// Expand `#[derive(DatabagValue)]` on `item`.
pub(crate) fn derive_value(item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(e) => return e.into_compile_error(),
    };
    let cx = Ctxt::new();
    let mut attrs: Vec<&syn::Attribute> = input.attrs.iter().collect();
    let mut types: Vec<&syn::Type> = Vec::new();
    match &input.data {
        Data::Struct(s) => {
            attrs.extend(s.fields.iter().flat_map(|f| &f.attrs));
            types.extend(s.fields.iter().map(|f| &f.ty));
        }
        Data::Enum(e) => {
            let catch_all = e.variants.iter().any(|v| matches!(v.fields, Fields::Unit) && parse::serde_other(&v.attrs));
            if !catch_all {
                cx.spanned(
                    &input.ident,
                    format!(
                        "enum `{}` has no variant for unknown values: interface design rules (OP083) map values \
                         this version does not know to an \"unknown\" variant; add a unit variant marked \
                         `#[serde(other)]`, e.g. `#[serde(other)] Unknown`",
                        input.ident
                    ),
                );
            }
            for variant in &e.variants {
                attrs.extend(&variant.attrs);
                attrs.extend(variant.fields.iter().flat_map(|f| &f.attrs));
                types.extend(variant.fields.iter().map(|f| &f.ty));
            }
        }
        Data::Union(u) => {
            cx.spanned(u.union_token, "`#[derive(DatabagValue)]` goes on a struct or an enum");
        }
    }
    if let Some(attr) = parse::databag_attr(&attrs.into_iter().cloned().collect::<Vec<_>>()) {
        cx.spanned(attr, format!("`#[{DATABAG}(...)]` options apply to the fields of a `#[derive(Databag)]` struct"));
    }
    match cx.check() {
        Ok(()) => expand::expand_value(&input.ident, &input.generics, types.into_iter()),
        Err(error) => {
            // The marker impl still exists, so the databags using the type report only this.
            let stub = expand::expand_value(&input.ident, &input.generics, std::iter::empty());
            let error = error.into_compile_error();
            quote! { #stub #error }
        }
    }
}
