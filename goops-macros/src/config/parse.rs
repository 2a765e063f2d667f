//! Parsing a `#[derive(CharmConfig)]` / `#[derive(ActionParams)]` struct and its attributes.

use syn::{Data, DeriveInput, Fields, Ident, LitStr, Type};

use super::Kind;
use crate::attr::{self, Attr};
use crate::errors::Ctxt;
use crate::symbol::{ACTION, KEY, METADATA, Symbol};

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
    /// Whether its attributes had errors (then it is not checked further: one error each).
    pub(crate) broken: bool,
}

/// The parsed struct.
pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) options: Options,
    pub(crate) fields: Vec<Field<'a>>,
}

/// Parse; problems go to `cx`.
pub(crate) fn parse<'a>(cx: &Ctxt, kind: Kind, input: &'a DeriveInput) -> Input<'a> {
    let attr_name = kind.attr();
    let known: &[Symbol] = match kind {
        Kind::Config => &[METADATA],
        Kind::Params => &[ACTION, METADATA],
    };
    let mut metadata = Attr::none(cx, METADATA);
    let mut action = Attr::none(cx, ACTION);
    for attr in input.attrs.iter().filter(|a| a.path() == attr_name) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path == METADATA {
                if let Some(lit) = attr::string(cx, &meta, METADATA)? {
                    metadata.set(&meta.path, lit);
                }
                Ok(())
            } else if meta.path == ACTION && kind == Kind::Params {
                if let Some(lit) = attr::string(cx, &meta, ACTION)? {
                    action.set(&meta.path, lit);
                }
                Ok(())
            } else {
                attr::unknown(cx, &meta, &format!("`#[{attr_name}]`"), known)
            }
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    if !input.generics.params.is_empty() {
        cx.spanned(&input.generics, format!("`#[derive({})]` does not support generics", kind.derive()));
    }
    let needs_named =
        || cx.spanned(&input.ident, format!("`#[derive({})]` needs a struct with named fields", kind.derive()));
    let mut fields = Vec::new();
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => {
                for field in &named.named {
                    let Some(ident) = &field.ident else { continue };
                    let before = cx.count();
                    let mut key = Attr::none(cx, KEY);
                    for attr in field.attrs.iter().filter(|a| a.path() == attr_name) {
                        let result = attr.parse_nested_meta(|meta| {
                            if meta.path == KEY {
                                if let Some(lit) = attr::string(cx, &meta, KEY)? {
                                    key.set(&meta.path, lit);
                                }
                                Ok(())
                            } else {
                                attr::unknown(cx, &meta, &format!("`#[{attr_name}]` field"), &[KEY])
                            }
                        });
                        if let Err(e) = result {
                            cx.push(e);
                        }
                    }
                    let broken = cx.count() > before;
                    fields.push(Field { ident, ty: &field.ty, key: key.get(), broken });
                }
            }
            _ => needs_named(),
        },
        _ => needs_named(),
    }
    Input { ident: &input.ident, options: Options { metadata: metadata.get(), action: action.get() }, fields }
}
