//! Parsing `#[secret(...)]` and the struct it is on.

use syn::{Fields, Ident, ItemStruct, LitStr, Type};

use crate::errors::Errors;

/// The attribute's options, as written.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) label: Option<LitStr>,
    pub(crate) owner: Option<LitStr>,
    pub(crate) rotate: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) expire: Option<LitStr>,
}

pub(crate) const OPTIONS: &[&str] = &["label", "owner", "rotate", "description", "expire"];

/// Parse `label = "…", owner = "…", …`; every problem goes to `errors`.
pub(crate) fn parse_args(args: proc_macro2::TokenStream, errors: &Errors) -> Args {
    let mut parsed = Args::default();
    let parser = syn::meta::parser(|meta| {
        let Some(name) = meta.path.get_ident().map(Ident::to_string) else {
            return Err(meta.error("expected `name = \"value\"`"));
        };
        let slot = match name.as_str() {
            "label" => &mut parsed.label,
            "owner" => &mut parsed.owner,
            "rotate" => &mut parsed.rotate,
            "description" => &mut parsed.description,
            "expire" => &mut parsed.expire,
            _ => {
                return Err(meta.error(format!(
                    "unknown `#[secret]` option `{name}`; expected one of: {}{}",
                    crate::errors::list(OPTIONS.iter().copied()),
                    crate::errors::suggestion(&name, OPTIONS.iter().copied())
                )));
            }
        };
        let value: LitStr = meta.value()?.parse()?;
        if slot.is_some() {
            return Err(syn::Error::new(value.span(), format!("`{name}` is given twice")));
        }
        *slot = Some(value);
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, args) {
        errors.push(e);
    }
    parsed
}

/// One field and its content key.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `#[secret(key = "…")]`.
    pub(crate) key: Option<LitStr>,
}

/// Parse the fields and strip their `#[secret(...)]` attributes from `item`.
pub(crate) fn parse_fields(item: &mut ItemStruct, errors: &Errors) -> Vec<Field> {
    if !item.generics.params.is_empty() {
        errors.spanned(&item.generics, "`#[secret]` does not support generic structs");
    }
    let Fields::Named(named) = &mut item.fields else {
        errors.spanned(&item.ident, "`#[secret]` needs a struct with named fields: each field is a content key");
        return Vec::new();
    };
    let mut fields = Vec::new();
    for field in &mut named.named {
        let Some(ident) = field.ident.clone() else { continue };
        let mut key = None;
        let mut kept = Vec::new();
        for attr in std::mem::take(&mut field.attrs) {
            if !attr.path().is_ident("secret") {
                kept.push(attr);
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("key") {
                    key = Some(meta.value()?.parse::<LitStr>()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown `#[secret]` field option; expected `key = \"content-key\"`"))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        field.attrs = kept;
        fields.push(Field { ident, ty: field.ty.clone(), key });
    }
    fields
}
