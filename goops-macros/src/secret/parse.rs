//! Parsing `#[secret(...)]` and the struct it is on.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Fields, Ident, ItemStruct, LitStr, Type};

use crate::attr::{self, Attr};
use crate::errors::Ctxt;
use crate::symbol::{DESCRIPTION, EXPIRE, KEY, LABEL, OWNER, ROTATE, SECRET};

/// The attribute's options, as written.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) label: Option<LitStr>,
    pub(crate) owner: Option<LitStr>,
    pub(crate) rotate: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) expire: Option<LitStr>,
}

/// Parse `label = "…", owner = "…", …`; every problem goes to `cx`.
pub(crate) fn parse_args(cx: &Ctxt, args: TokenStream) -> Args {
    let mut label = Attr::none(cx, LABEL);
    let mut owner = Attr::none(cx, OWNER);
    let mut rotate = Attr::none(cx, ROTATE);
    let mut description = Attr::none(cx, DESCRIPTION);
    let mut expire = Attr::none(cx, EXPIRE);
    let parser = syn::meta::parser(|meta| {
        let slot = [&mut label, &mut owner, &mut rotate, &mut description, &mut expire]
            .into_iter()
            .zip([LABEL, OWNER, ROTATE, DESCRIPTION, EXPIRE])
            .find(|(_, name)| meta.path == *name);
        match slot {
            Some((slot, name)) => {
                if let Some(lit) = attr::string(cx, &meta, name)? {
                    slot.set(&meta.path, lit);
                }
                Ok(())
            }
            None => attr::unknown(cx, &meta, &format!("`#[{SECRET}]`"), &[LABEL, OWNER, ROTATE, DESCRIPTION, EXPIRE]),
        }
    });
    if let Err(e) = parser.parse2(args) {
        cx.push(e);
    }
    Args {
        label: label.get(),
        owner: owner.get(),
        rotate: rotate.get(),
        description: description.get(),
        expire: expire.get(),
    }
}

/// One field and its content key.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    /// `#[secret(key = "…")]`.
    pub(crate) key: Option<LitStr>,
    /// Whether its `#[secret(...)]` attributes had errors (then it is not checked further, so
    /// it gets one error).
    pub(crate) broken: bool,
}

/// Parse the fields and strip their `#[secret(...)]` attributes from `item` (from every field,
/// so the struct emitted on errors compiles).
pub(crate) fn parse_fields(cx: &Ctxt, item: &mut ItemStruct) -> Vec<Field> {
    if !item.generics.params.is_empty() {
        cx.spanned(&item.generics, "`#[secret]` does not support generic structs");
    }
    let named = matches!(item.fields, Fields::Named(_));
    if !named {
        cx.spanned(&item.ident, "`#[secret]` needs a struct with named fields: each field is a content key");
    }
    let mut fields = Vec::new();
    for field in &mut item.fields {
        let before = cx.count();
        let mut key = Attr::none(cx, KEY);
        let (attrs, kept): (Vec<_>, Vec<_>) =
            std::mem::take(&mut field.attrs).into_iter().partition(|a| a.path() == SECRET);
        field.attrs = kept;
        for attr in &attrs {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path == KEY {
                    if let Some(lit) = attr::string(cx, &meta, KEY)? {
                        key.set(&meta.path, lit);
                    }
                    Ok(())
                } else {
                    attr::unknown(cx, &meta, &format!("`#[{SECRET}]` field"), &[KEY])
                }
            });
            if let Err(e) = result {
                cx.push(e);
            }
        }
        if let (true, Some(ident)) = (named, &field.ident) {
            let broken = cx.count() > before;
            fields.push(Field { ident: ident.clone(), ty: field.ty.clone(), key: key.get(), broken });
        }
    }
    fields
}
