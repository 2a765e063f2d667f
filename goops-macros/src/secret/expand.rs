//! Generating `impl TypedSecret` for a `#[secret]` struct, or a stub of it when the attribute
//! has errors.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Ident, ItemStruct};

use super::validate::{Checked, Options};
use crate::config::validate::unwrap_option;
use crate::metadata;

/// The struct and its `TypedSecret` impl: the label, the keys, the add options (only when the
/// attribute sets more than the label) and the conversions. The accessors are the trait's
/// provided methods, so nothing is added to the struct's own namespace.
pub(crate) fn expand(item: &ItemStruct, options: &Options, fields: &[Checked<'_>]) -> TokenStream {
    let ident = &item.ident;
    let p = quote!(::goops_runtime::__private);
    let label = &options.label;
    let keys = fields.iter().map(|f| &f.key);
    let reads = fields.iter().map(|f| {
        let (name, key) = (&f.field.ident, &f.key);
        let (optional, inner) = unwrap_option(&f.field.ty);
        // Spanned on the field type, so an unsupported type is reported there (the paths are
        // written out: an interpolated `#p` would keep the call-site span).
        if optional {
            quote_spanned! {inner.span()=>
                #name: ::goops_runtime::__private::optional_secret_field::<#inner>(__goops_content, Self::LABEL, #key)?
            }
        } else {
            quote_spanned! {inner.span()=>
                #name: ::goops_runtime::__private::secret_field::<#inner>(__goops_content, Self::LABEL, #key)?
            }
        }
    });
    let writes = fields.iter().map(|f| {
        let (name, key) = (&f.field.ident, &f.key);
        let (optional, inner) = unwrap_option(&f.field.ty);
        if optional {
            quote_spanned! {inner.span()=>
                if let ::core::option::Option::Some(value) = &self.#name {
                    ::goops_runtime::__private::push_secret_field::<#inner>(&mut __goops_content, #key, value);
                }
            }
        } else {
            quote_spanned! {inner.span()=>
                ::goops_runtime::__private::push_secret_field::<#inner>(&mut __goops_content, #key, &self.#name);
            }
        }
    });
    let to_content = if fields.is_empty() {
        quote!(#p::SecretContent::new())
    } else {
        quote! {
            let mut __goops_content = #p::SecretContent::new();
            #(#writes)*
            __goops_content
        }
    };
    let add_options = options.sets_add_options().then(|| {
        let owner = options.owner.map(|o| {
            let variant = metadata::variant(o);
            quote!(.owner(#p::SecretOwner::#variant))
        });
        let rotate = options.rotate.map(|r| {
            let variant = metadata::variant(r);
            quote!(.rotate(#p::RotatePolicy::#variant))
        });
        let description = options.description.as_deref().map(|d| quote!(.description(#d)));
        let expire = options.expire.map(|s| quote!(.expire(#p::Expiry::In(::core::time::Duration::from_secs(#s)))));
        quote! {
            fn add_options() -> #p::SecretAddOptions {
                #p::SecretAddOptions::new().label(Self::LABEL) #owner #rotate #description #expire
            }
        }
    });
    quote! {
        #item

        #[automatically_derived]
        impl #p::TypedSecret for #ident {
            const LABEL: &'static str = #label;
            const KEYS: &'static [&'static str] = &[#(#keys),*];

            #add_options

            fn from_content(__goops_content: &#p::SecretContent) -> #p::Result<Self> {
                ::core::result::Result::Ok(Self { #(#reads),* })
            }

            fn to_content(&self) -> #p::SecretContent {
                #to_content
            }
        }
    }
}

/// On errors: a `TypedSecret` impl that type-checks but never reads a secret, so uses of the
/// type (`X::get(ctx)`, `x.add(ctx)`) add no errors to the attribute's own.
pub(crate) fn stub(ident: &Ident, generics: &Generics, label: &str) -> TokenStream {
    let p = quote!(::goops_runtime::__private);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let what = format!("#[secret] struct `{ident}`");
    quote! {
        #[automatically_derived]
        impl #impl_generics #p::TypedSecret for #ident #ty_generics #where_clause {
            const LABEL: &'static str = #label;
            const KEYS: &'static [&'static str] = &[];

            fn from_content(_: &#p::SecretContent) -> #p::Result<Self> {
                ::core::result::Result::Err(#p::Error::invalid(#what, "its `#[secret]` attribute has errors"))
            }

            fn to_content(&self) -> #p::SecretContent {
                #p::SecretContent::new()
            }
        }
    }
}
