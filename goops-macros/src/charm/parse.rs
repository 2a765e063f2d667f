//! Parsing `#[charm]` and the `#[hook]` / `#[action]` attributes of its methods.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, ImplItem, ItemImpl, LitStr, Signature, Token};

use crate::errors::Errors;

/// The arguments of `#[charm(...)]`.
#[derive(Default)]
pub(crate) struct CharmArgs {
    /// `metadata = "path"`, relative to `CARGO_MANIFEST_DIR`.
    pub(crate) metadata: Option<LitStr>,
}

impl Parse for CharmArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = CharmArgs::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "metadata" {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown `#[charm]` option `{key}`; expected `metadata = \"path/to/charmcraft.yaml\"`"),
                ));
            }
            if args.metadata.is_some() {
                return Err(syn::Error::new(key.span(), "`metadata` is given twice"));
            }
            input.parse::<Token![=]>()?;
            args.metadata = Some(input.parse()?);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// One entry of `#[hook(...)]`: `install` or `relation_changed("db")`.
pub(crate) struct HookArg {
    pub(crate) name: Ident,
    pub(crate) scope: Option<LitStr>,
}

impl Parse for HookArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        if input.peek(Token![-]) {
            let snake = kebab_to_snake(&name, input);
            return Err(input.error(format!("write hook names in snake_case: `{snake}`")));
        }
        if input.peek(Token![=]) {
            return Err(input.error(format!("write the name in parentheses: `{name}(\"<name>\")`")));
        }
        let scope = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let lit: LitStr = content.parse()?;
            if !content.is_empty() {
                return Err(content.error("expected one name in quotes, e.g. `relation_changed(\"db\")`"));
            }
            Some(lit)
        } else {
            None
        };
        Ok(HookArg { name, scope })
    }
}

/// `config-changed` as tokens → `config_changed`, for the message (the tokens are not consumed).
fn kebab_to_snake(first: &Ident, input: ParseStream<'_>) -> String {
    let mut name = first.to_string();
    let mut cursor = input.cursor();
    while let Some((punct, next)) = cursor.punct() {
        if punct.as_char() != '-' {
            break;
        }
        let Some((ident, next)) = next.ident() else { break };
        name.push('_');
        name.push_str(&ident.to_string());
        cursor = next;
    }
    name
}

/// What a handler runs for.
pub(crate) enum Trigger {
    Hook(HookArg),
    Action(LitStr),
}

/// A method of the impl block marked `#[hook]` or `#[action]`.
pub(crate) struct HandlerFn {
    pub(crate) sig: Signature,
    pub(crate) triggers: Vec<Trigger>,
    pub(crate) is_action: bool,
}

/// The parsed `#[charm]` input: the impl block with the handler attributes removed, and the handlers.
pub(crate) struct CharmInput {
    pub(crate) item: ItemImpl,
    pub(crate) handlers: Vec<HandlerFn>,
}

fn is_attr(attr: &Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// Parse the handlers; malformed attributes are reported to `errors` and skipped.
pub(crate) fn parse(mut item: ItemImpl, errors: &Errors) -> CharmInput {
    let mut handlers = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else { continue };
        let mut triggers = Vec::new();
        let (mut hook_attr, mut action_attr) = (None, None);
        let mut kept = Vec::new();
        for attr in std::mem::take(&mut method.attrs) {
            if is_attr(&attr, "hook") {
                match attr.parse_args_with(Punctuated::<HookArg, Token![,]>::parse_terminated) {
                    Ok(args) if args.is_empty() => errors.spanned(&attr, HOOK_FORM),
                    Ok(args) => triggers.extend(args.into_iter().map(Trigger::Hook)),
                    Err(e) if matches!(attr.meta, syn::Meta::Path(_)) => {
                        errors.spanned(&attr, format!("{HOOK_FORM}: {e}"))
                    }
                    Err(e) => errors.push(e),
                }
                hook_attr.get_or_insert(attr);
            } else if is_attr(&attr, "action") {
                match attr.parse_args::<LitStr>() {
                    Ok(name) => triggers.push(Trigger::Action(name)),
                    Err(_) => {
                        errors.spanned(&attr, "expected `#[action(\"<action name>\")]`, the name as in charmcraft.yaml")
                    }
                }
                if action_attr.is_some() {
                    errors.spanned(&attr, "a handler has one `#[action]`; write one method per action");
                }
                action_attr.get_or_insert(attr);
            } else {
                kept.push(attr);
            }
        }
        method.attrs = kept;
        if let (Some(_), Some(action)) = (&hook_attr, &action_attr) {
            errors.spanned(action, "a method is either a `#[hook]` or an `#[action]` handler, not both");
            continue;
        }
        if hook_attr.is_none() && action_attr.is_none() {
            continue;
        }
        // The framework fixes a handler's shape (`&self`, arguments by value, a `Result`), so
        // the pedantic lints that would ask to change it do not apply.
        method.attrs.push(syn::parse_quote!(
            #[allow(clippy::unused_self, clippy::needless_pass_by_value, clippy::unnecessary_wraps)]
        ));
        handlers.push(HandlerFn { sig: method.sig.clone(), triggers, is_action: action_attr.is_some() });
    }
    CharmInput { item, handlers }
}

const HOOK_FORM: &str =
    "expected `#[hook(<hook>, ...)]`, e.g. `#[hook(install, config_changed)]` or `#[hook(relation_changed(\"db\"))]`";
