//! Generating `impl Databag` and `impl DatabagValue`, or stubs of them when the input has errors.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Ident, Type};

use super::validate::{Checked, Presence};

/// `impl Databag for #ident`: the keys, one read and one write per field, and a compile-time
/// check that every (non-raw, non-unchecked) field type is a `DatabagValue`.
///
/// Calls are spanned on the field type, so a type that is not `Serialize`/`Deserialize` (or not
/// a `DatabagValue`) is reported on the field (the paths are written out: an interpolated path
/// would keep the call-site span).
pub(crate) fn expand(ident: &Ident, fields: &[Checked<'_>]) -> TokenStream {
    let keys = fields.iter().map(|f| &f.key);
    let reads = fields.iter().map(|f| {
        let (name, key, ty, inner) = (f.ident, &f.key, f.ty, f.inner);
        let read = match (f.raw, f.presence) {
            (false, Presence::Optional) => quote_spanned! {inner.span()=>
                ::goops_runtime::__private::databag::optional::<#inner>(__goops_bag, #key)?
            },
            (false, Presence::Default) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::optional::<#ty>(__goops_bag, #key)?.unwrap_or_default()
            },
            (false, Presence::Required) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::required::<#ty>(__goops_bag, #key)?
            },
            (true, Presence::Optional) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::raw_optional(__goops_bag, #key)?
            },
            (true, Presence::Default) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::raw_optional(__goops_bag, #key)?.unwrap_or_default()
            },
            (true, Presence::Required) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::raw_required(__goops_bag, #key)?
            },
        };
        quote!(#name: #read)
    });
    let writes = fields.iter().map(|f| {
        let (name, key, ty) = (f.ident, &f.key, f.ty);
        match (f.raw, f.presence) {
            (false, Presence::Optional) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::put_optional(&mut __goops_bag, #key, &self.#name)?;
            },
            (false, _) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::put::<#ty>(&mut __goops_bag, #key, &self.#name)?;
            },
            (true, Presence::Optional) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::put_raw_optional(&mut __goops_bag, #key, self.#name.as_deref())?;
            },
            (true, _) => quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::put_raw(&mut __goops_bag, #key, &self.#name)?;
            },
        }
    });
    let asserts = value_asserts(fields.iter().filter(|f| f.checked).map(|f| f.inner));
    quote! {
        #[automatically_derived]
        impl ::goops_runtime::__private::databag::Databag for #ident {
            const KEYS: &'static [&'static str] = &[#(#keys),*];

            fn from_bag(
                __goops_bag: &::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
            ) -> ::core::result::Result<Self, ::goops_runtime::__private::databag::DatabagError> {
                ::core::result::Result::Ok(Self { #(#reads,)* })
            }

            fn to_bag(
                &self,
            ) -> ::core::result::Result<
                ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
                ::goops_runtime::__private::databag::DatabagError,
            > {
                #[allow(unused_mut)]
                let mut __goops_bag = ::std::collections::BTreeMap::new();
                #(#writes)*
                ::core::result::Result::Ok(__goops_bag)
            }
        }

        #asserts
    }
}

/// `const _: () = { assert_value::<T>(); … };`, each call spanned on its type, so a type that
/// is not a `DatabagValue` is reported where it is written.
fn value_asserts<'a>(types: impl Iterator<Item = &'a Type>) -> TokenStream {
    let calls: Vec<TokenStream> = types
        .map(|ty| {
            quote_spanned! {ty.span()=>
                ::goops_runtime::__private::databag::assert_value::<#ty>();
            }
        })
        .collect();
    if calls.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = { #(#calls)* };
    }
}

/// `impl DatabagValue for #ident` (type parameters bound by `DatabagValue`), and the check that
/// the types it contains are `DatabagValue`s too.
pub(crate) fn expand_value<'a>(
    ident: &Ident,
    generics: &Generics,
    contained: impl Iterator<Item = &'a Type>,
) -> TokenStream {
    let mut generics = generics.clone();
    let params: Vec<Ident> = generics.type_params().map(|p| p.ident.clone()).collect();
    {
        let where_clause = generics.make_where_clause();
        for param in &params {
            where_clause.predicates.push(syn::parse_quote!(#param: ::goops_runtime::__private::databag::DatabagValue));
        }
    }
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    // A generic type's fields may name its parameters, which a `const _` item cannot see: then
    // the bounds on the impl (and the derive on the types the parameters are filled with) check them.
    let asserts = if generics.params.is_empty() { value_asserts(contained) } else { TokenStream::new() };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::goops_runtime::__private::databag::DatabagValue for #ident #type_generics #where_clause {}

        #asserts
    }
}

/// A `Databag` impl that is never run, emitted next to the errors of a struct, so uses of the
/// struct report only the real mistake.
pub(crate) fn stub(ident: &Ident) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::goops_runtime::__private::databag::Databag for #ident {
            const KEYS: &'static [&'static str] = &[];

            fn from_bag(
                _: &::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
            ) -> ::core::result::Result<Self, ::goops_runtime::__private::databag::DatabagError> {
                ::core::result::Result::Err(::goops_runtime::__private::databag::DatabagError::Missing {
                    key: ::std::string::String::new(),
                })
            }

            fn to_bag(
                &self,
            ) -> ::core::result::Result<
                ::std::collections::BTreeMap<::std::string::String, ::std::string::String>,
                ::goops_runtime::__private::databag::DatabagError,
            > {
                ::core::result::Result::Ok(::std::collections::BTreeMap::new())
            }
        }
    }
}
