//! Parsing a `#[derive(CharmConfig)]` / `#[derive(ActionParams)]` struct and its attributes.

use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type};

use super::Kind;
use crate::errors::Errors;

/// The container attribute: `#[config(metadata = "…")]` or `#[params(action = "…", metadata = "…")]`.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) metadata: Option<LitStr>,
    pub(crate) action: Option<LitStr>,
}

/// One field and the key it maps to.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    /// `#[config(key = "…")]` / `#[params(key = "…")]`.
    pub(crate) key: Option<LitStr>,
}

/// The parsed struct.
pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) options: Options,
    pub(crate) fields: Vec<Field<'a>>,
}

/// Parse; problems go to `errors`.
pub(crate) fn parse<'a>(kind: Kind, input: &'a DeriveInput, errors: &Errors) -> Input<'a> {
    let attr_name = kind.attr();
    let mut options = Options::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident(attr_name)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("metadata") {
                options.metadata = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("action") && kind == Kind::Params {
                options.action = Some(meta.value()?.parse()?);
            } else {
                let expected = match kind {
                    Kind::Config => "`metadata = \"path\"`",
                    Kind::Params => "`action = \"name\"`, `metadata = \"path\"`",
                };
                return Err(meta.error(format!("unknown `#[{attr_name}]` option; expected {expected}")));
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    if !input.generics.params.is_empty() {
        errors.spanned(&input.generics, format!("`#[derive({})]` does not support generics", kind.derive()));
    }
    let mut fields = Vec::new();
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => {
                for field in &named.named {
                    let Some(ident) = &field.ident else { continue };
                    let mut key = None;
                    for attr in field.attrs.iter().filter(|a| a.path().is_ident(attr_name)) {
                        let result = attr.parse_nested_meta(|meta| {
                            if meta.path.is_ident("key") {
                                key = Some(meta.value()?.parse::<LitStr>()?);
                                Ok(())
                            } else {
                                Err(meta
                                    .error(format!("unknown `#[{attr_name}]` field option; expected `key = \"name\"`")))
                            }
                        });
                        if let Err(e) = result {
                            errors.push(e);
                        }
                    }
                    fields.push(Field { ident, ty: &field.ty, key });
                }
            }
            _ => {
                errors.spanned(&input.ident, format!("`#[derive({})]` needs a struct with named fields", kind.derive()))
            }
        },
        _ => errors.spanned(&input.ident, format!("`#[derive({})]` needs a struct with named fields", kind.derive())),
    }
    Input { ident: &input.ident, options, fields }
}
