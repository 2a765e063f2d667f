//! Generating the typed accessors of a `#[secret]` struct.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ItemStruct;
use syn::spanned::Spanned;

use super::validate::{Checked, Options};
use crate::config::validate::unwrap_option;

pub(crate) fn expand(item: &ItemStruct, options: &Options, fields: &[Checked<'_>]) -> TokenStream {
    let ident = &item.ident;
    let p = quote!(::goops_runtime::__private);
    let label = &options.label;
    let keys = fields.iter().map(|f| &f.key);
    let reads = fields.iter().map(|f| {
        let (name, key) = (&f.field.ident, &f.key);
        let (optional, inner) = unwrap_option(&f.field.ty);
        // Spanned on the field type: an unsupported type is reported there.
        if optional {
            quote_spanned!(inner.span()=> #name: #p::secret_opt_value::<#inner>(content, Self::LABEL, #key)?)
        } else {
            quote_spanned!(inner.span()=> #name: #p::secret_value::<#inner>(content, Self::LABEL, #key)?)
        }
    });
    let writes = fields.iter().map(|f| {
        let (name, key) = (&f.field.ident, &f.key);
        let (optional, inner) = unwrap_option(&f.field.ty);
        if optional {
            quote_spanned! {inner.span()=>
                if let ::core::option::Option::Some(value) = &self.#name {
                    #p::push_secret_value::<#inner>(&mut content, #key, value);
                }
            }
        } else {
            quote_spanned!(inner.span()=> #p::push_secret_value::<#inner>(&mut content, #key, &self.#name);)
        }
    });
    let owner = options.owner.as_deref().map(|o| {
        let variant = format_ident!("{}", if o == "unit" { "Unit" } else { "Application" });
        quote!(.owner(#p::SecretOwner::#variant))
    });
    let rotate = options.rotate.as_deref().map(|r| {
        let mut name = r.to_owned();
        name[..1].make_ascii_uppercase();
        let variant = format_ident!("{}", name);
        quote!(.rotate(#p::RotatePolicy::#variant))
    });
    let description = options.description.as_deref().map(|d| quote!(.description(#d)));
    let expire = options.expire.map(|s| quote!(.expire(#p::Expiry::In(::core::time::Duration::from_secs(#s)))));
    quote! {
        #item

        #[automatically_derived]
        impl #ident {
            /// The secret's label.
            pub const LABEL: &'static str = #label;

            /// The secret's content keys.
            pub const KEYS: &'static [&'static str] = &[#(#keys),*];

            /// The options [`Self::add`] uses: the label and what `#[secret(...)]` says.
            pub fn add_options() -> #p::SecretAddOptions {
                #p::SecretAddOptions::new().label(Self::LABEL) #owner #rotate #description #expire
            }

            /// The struct from a secret's content; a missing key or a value that does not parse is an error.
            pub fn from_content(content: &#p::SecretContent) -> #p::Result<Self> {
                ::core::result::Result::Ok(Self { #(#reads),* })
            }

            /// The secret's content.
            pub fn to_content(&self) -> #p::SecretContent {
                let mut content = #p::SecretContent::new();
                #(#writes)*
                content
            }

            fn __goops_read(
                ctx: &#p::Context,
                selector: #p::SecretSelector,
                mode: #p::SecretReadMode,
            ) -> #p::Result<::core::option::Option<Self>> {
                match ctx.secret_get(&selector, mode)? {
                    ::core::option::Option::Some(content) => Self::from_content(&content).map(::core::option::Option::Some),
                    ::core::option::Option::None => ::core::result::Result::Ok(::core::option::Option::None),
                }
            }

            /// The content of the tracked revision (owners: the latest); `None` if the secret does not exist.
            pub fn get(ctx: &#p::Context) -> #p::Result<::core::option::Option<Self>> {
                Self::__goops_read(ctx, #p::SecretSelector::label(Self::LABEL), #p::SecretReadMode::Tracked)
            }

            /// The latest revision's content, without tracking it.
            pub fn peek(ctx: &#p::Context) -> #p::Result<::core::option::Option<Self>> {
                Self::__goops_read(ctx, #p::SecretSelector::label(Self::LABEL), #p::SecretReadMode::Peek)
            }

            /// The latest revision's content, tracking it from now on.
            pub fn refresh(ctx: &#p::Context) -> #p::Result<::core::option::Option<Self>> {
                Self::__goops_read(ctx, #p::SecretSelector::label(Self::LABEL), #p::SecretReadMode::Refresh)
            }

            /// A consumer's read of a secret it was given by id (e.g. in relation data). With
            /// `label`, the secret gets that consumer label.
            pub fn get_by_id(
                ctx: &#p::Context,
                id: &str,
                label: ::core::option::Option<&str>,
            ) -> #p::Result<::core::option::Option<Self>> {
                let selector = match label {
                    ::core::option::Option::Some(label) => #p::SecretSelector::id_with_label(id, label),
                    ::core::option::Option::None => #p::SecretSelector::id(id),
                };
                Self::__goops_read(ctx, selector, #p::SecretReadMode::Tracked)
            }

            /// The secret's metadata (owners only); `None` if it does not exist.
            pub fn info(ctx: &#p::Context) -> #p::Result<::core::option::Option<#p::SecretInfo>> {
                ctx.secret_info(&#p::SecretSelector::label(Self::LABEL))
            }

            /// The secret's id (owners only); `None` if it does not exist.
            pub fn id(ctx: &#p::Context) -> #p::Result<::core::option::Option<::std::string::String>> {
                ::core::result::Result::Ok(ctx.secret_id(&#p::SecretSelector::label(Self::LABEL))?.map(#p::secret_uri))
            }

            /// Create the secret with this content and [`Self::add_options`]; returns its id.
            /// The content travels in files, never on argv.
            pub fn add(&self, ctx: &#p::Context) -> #p::Result<::std::string::String> {
                self.add_with(ctx, Self::add_options())
            }

            /// Create the secret with this content and `options` (start from [`Self::add_options`]).
            pub fn add_with(&self, ctx: &#p::Context, options: #p::SecretAddOptions) -> #p::Result<::std::string::String> {
                ctx.secret_add(&self.to_content(), &options)
            }

            /// Make this content the secret's latest revision. A new revision is created only when
            /// the content changed; returns whether it did.
            pub fn set(&self, ctx: &#p::Context) -> #p::Result<bool> {
                self.set_with(ctx, #p::SecretSetOptions::new())
            }

            /// [`Self::set`], also changing metadata.
            pub fn set_with(&self, ctx: &#p::Context, options: #p::SecretSetOptions) -> #p::Result<bool> {
                let id = #p::secret_id_for_label(ctx, Self::LABEL)?;
                #p::secret_set_if_changed(ctx, &id, &self.to_content(), &options)
            }

            /// Let the remote application of `relation` (or only `unit` of it) read the secret.
            pub fn grant(
                ctx: &#p::Context,
                relation: &#p::RelationId,
                unit: ::core::option::Option<&str>,
            ) -> #p::Result<()> {
                ctx.secret_grant(&#p::secret_id_for_label(ctx, Self::LABEL)?, relation, unit)
            }

            /// Take back what [`Self::grant`] gave.
            pub fn revoke(
                ctx: &#p::Context,
                relation: &#p::RelationId,
                unit: ::core::option::Option<&str>,
            ) -> #p::Result<()> {
                ctx.secret_revoke(&#p::secret_id_for_label(ctx, Self::LABEL)?, relation, unit)
            }

            /// Remove one revision, or with `None` the whole secret.
            pub fn remove(ctx: &#p::Context, revision: ::core::option::Option<u32>) -> #p::Result<()> {
                ctx.secret_remove(&#p::secret_id_for_label(ctx, Self::LABEL)?, revision)
            }
        }
    }
}
