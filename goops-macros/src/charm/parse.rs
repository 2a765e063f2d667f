//! Parsing `#[charm(...)]` and the `#[hook]`, `#[action]` and `#[collect_status]` attributes of
//! its methods.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, ImplItem, ItemImpl, LitStr, Signature, Token};

use crate::attr::{self, Attr};
use crate::errors::Ctxt;
use crate::symbol::{self, ACTION, CHARM, COLLECT_STATUS, ENDPOINT, EVENTS, HOOK, LIB, METADATA, Symbol};

/// The options of `#[charm(...)]`.
#[derive(Default)]
pub(crate) struct CharmArgs {
    /// `metadata = "path"`, relative to `CARGO_MANIFEST_DIR`.
    pub(crate) metadata: Option<LitStr>,
}

/// Parse `#[charm(...)]`'s options; every problem goes to `cx`.
pub(crate) fn parse_args(cx: &Ctxt, args: TokenStream) -> CharmArgs {
    let mut metadata = Attr::none(cx, METADATA);
    let parser = syn::meta::parser(|meta| {
        if meta.path == METADATA {
            if let Some(lit) = attr::string(cx, &meta, METADATA)? {
                metadata.set(&meta.path, lit);
            }
            Ok(())
        } else {
            attr::unknown(cx, &meta, &format!("`#[{CHARM}]`"), &[METADATA])
        }
    });
    if let Err(e) = parser.parse2(args) {
        cx.push(e);
    }
    CharmArgs { metadata: metadata.get() }
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

/// What kind of handler a method is, with what it runs for.
pub(crate) enum Role {
    /// `#[hook(...)]` (several attributes add up).
    Hook(Vec<HookArg>),
    /// `#[action("...")]`.
    Action(LitStr),
    /// `#[collect_status]` (the attribute, for spans).
    CollectStatus(Box<Attribute>),
}

/// A method of the impl block marked as a handler.
pub(crate) struct HandlerFn {
    pub(crate) sig: Signature,
    pub(crate) role: Role,
}

impl HandlerFn {
    /// Whether it is an action handler (its result is an action result).
    pub(crate) fn is_action(&self) -> bool {
        matches!(self.role, Role::Action(_))
    }
}

/// A `#[lib(endpoint = "…", events = method)]` accessor: a library value the charm includes
/// (`docs/charm-libraries.md`).
pub(crate) struct LibWiring {
    /// The accessor's signature (`fn tls(&self) -> &TlsRequirer`).
    pub(crate) sig: Signature,
    /// The `#[lib]` attribute, for spans.
    pub(crate) attr: Attribute,
    /// The endpoint, as in charmcraft.yaml.
    pub(crate) endpoint: LitStr,
    /// The charm method that receives the library's events.
    pub(crate) events: Option<Ident>,
}

/// The parsed `#[charm]` input: the impl block with the handler attributes removed, the
/// handlers and the library accessors.
pub(crate) struct CharmInput {
    pub(crate) item: ItemImpl,
    pub(crate) handlers: Vec<HandlerFn>,
    pub(crate) libs: Vec<LibWiring>,
}

/// The handler (or `#[lib]`) attribute `attr` is, if any.
fn marker(attr: &Attribute) -> Option<Symbol> {
    [HOOK, ACTION, COLLECT_STATUS, LIB].into_iter().find(|s| symbol::names(attr.path(), *s))
}

/// Parse the handlers; malformed attributes are reported to `cx` and skipped.
pub(crate) fn parse(cx: &Ctxt, mut item: ItemImpl) -> CharmInput {
    let mut handlers = Vec::new();
    let mut libs = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else { continue };
        let (mut kept, mut marks) = (Vec::new(), Vec::new());
        for attr in std::mem::take(&mut method.attrs) {
            match marker(&attr) {
                Some(symbol) => marks.push((symbol, attr)),
                None => kept.push(attr),
            }
        }
        method.attrs = kept;
        let Some((first, _)) = marks.first() else { continue };
        let first = *first;
        if marks.iter().any(|(s, _)| *s == LIB) {
            libs.extend(lib_wiring(cx, &marks, &method.sig));
            continue;
        }
        if let Some((_, other)) = marks.iter().find(|(s, _)| *s != first) {
            cx.spanned(
                other,
                "a method is one kind of handler: a `#[hook]`, an `#[action]` or a `#[collect_status]`, not several",
            );
            continue;
        }
        let role = match first {
            s if s == HOOK => Role::Hook(marks.iter().flat_map(|(_, attr)| hook_args(cx, attr)).collect()),
            s if s == ACTION => {
                for (_, again) in &marks[1..] {
                    cx.spanned(again, "a handler has one `#[action]`; write one method per action");
                }
                match marks[0].1.parse_args::<LitStr>() {
                    Ok(name) => Role::Action(name),
                    Err(_) => {
                        cx.spanned(
                            &marks[0].1,
                            "expected `#[action(\"<action name>\")]`, the name as in charmcraft.yaml",
                        );
                        continue;
                    }
                }
            }
            _ => {
                for (_, again) in &marks[1..] {
                    cx.spanned(again, "`#[collect_status]` is given twice");
                }
                let attr = &marks[0].1;
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    cx.spanned(attr, "`#[collect_status]` takes no arguments");
                }
                Role::CollectStatus(Box::new(attr.clone()))
            }
        };
        // The framework fixes part of a handler's shape (arguments by value, a `Result` even
        // when it cannot fail), so the pedantic lints that would ask to change it do not apply.
        method.attrs.push(syn::parse_quote!(
            #[allow(clippy::needless_pass_by_value, clippy::unnecessary_wraps)]
        ));
        handlers.push(HandlerFn { sig: method.sig.clone(), role });
    }
    allow_framework_shape_on_events_methods(&mut item, &libs);
    CharmInput { item, handlers, libs }
}

/// A library's `events = method` has a shape the framework fixes (the event by reference, a
/// `HookResult` even when it cannot fail), as handlers do: the same lints do not apply.
fn allow_framework_shape_on_events_methods(item: &mut ItemImpl, libs: &[LibWiring]) {
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else { continue };
        if libs.iter().any(|w| w.events.as_ref() == Some(&method.sig.ident)) {
            method.attrs.push(syn::parse_quote!(
                #[allow(clippy::needless_pass_by_value, clippy::unnecessary_wraps)]
            ));
        }
    }
}

/// A `#[lib(...)]` accessor's wiring, from its marker attributes; problems go to `cx`.
fn lib_wiring(cx: &Ctxt, marks: &[(Symbol, Attribute)], sig: &Signature) -> Option<LibWiring> {
    if let Some((_, other)) = marks.iter().find(|(s, _)| *s != LIB) {
        cx.spanned(other, "a `#[lib]` accessor is not a handler: put the handler attribute on another method");
        return None;
    }
    for (_, again) in &marks[1..] {
        cx.spanned(again, "`#[lib]` is given twice: one accessor includes one library");
    }
    let attr = &marks[0].1;
    let mut endpoint = Attr::none(cx, ENDPOINT);
    let mut events = Attr::none(cx, EVENTS);
    let mut endpoint_given = false;
    let parser = syn::meta::parser(|meta| {
        if meta.path == ENDPOINT {
            endpoint_given = true;
            if let Some(lit) = attr::string(cx, &meta, ENDPOINT)? {
                endpoint.set(&meta.path, lit);
            }
            Ok(())
        } else if meta.path == EVENTS {
            let value = meta.value()?.parse::<Expr>()?;
            match &value {
                Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                    events.set(&meta.path, path.path.segments[0].ident.clone());
                }
                _ => cx.spanned(value, "`events` takes the name of a method of this impl block: `events = on_tls`"),
            }
            Ok(())
        } else {
            attr::unknown(cx, &meta, "`#[lib]`", &[ENDPOINT, EVENTS])
        }
    });
    match &attr.meta {
        syn::Meta::List(list) => {
            if let Err(e) = parser.parse2(list.tokens.clone()) {
                cx.push(e);
            }
        }
        _ => {
            cx.spanned(attr, LIB_FORM);
            return None;
        }
    }
    let events = events.get();
    let Some(endpoint) = endpoint.get() else {
        // A malformed value was reported already; say what is missing only when it is missing.
        if !endpoint_given {
            cx.spanned(attr, LIB_FORM);
        }
        return None;
    };
    Some(LibWiring { sig: sig.clone(), attr: attr.clone(), endpoint, events })
}

const LIB_FORM: &str = "expected `#[lib(endpoint = \"<endpoint>\")]` (and optionally `events = <method>`), the endpoint \
                        as in charmcraft.yaml";

/// The entries of one `#[hook(...)]`; a malformed attribute is reported and gives none.
fn hook_args(cx: &Ctxt, attr: &Attribute) -> Vec<HookArg> {
    let parsed = match &attr.meta {
        syn::Meta::List(list) => Punctuated::<HookArg, Token![,]>::parse_terminated.parse2(list.tokens.clone()),
        _ => {
            cx.spanned(attr, HOOK_FORM);
            return Vec::new();
        }
    };
    match parsed {
        Ok(args) if args.is_empty() => {
            cx.spanned(attr, HOOK_FORM);
            Vec::new()
        }
        Ok(args) => args.into_iter().collect(),
        Err(e) => {
            cx.push(e);
            Vec::new()
        }
    }
}

const HOOK_FORM: &str =
    "expected `#[hook(<hook>, ...)]`, e.g. `#[hook(install, config_changed)]` or `#[hook(relation_changed(\"db\"))]`";
