//! Checking the parsed handlers: hook names (goops-juju's hook table), signatures, duplicates,
//! and scopes and actions against charmcraft.yaml.

use std::collections::BTreeMap;

use goops_juju::HookKind;
use goops_juju::charmcraft::CharmMeta;
use proc_macro2::Span;
use syn::{FnArg, ReceiverKind, Type};

use super::parse::{CharmInput, HandlerFn, HookArg, Role};
use crate::errors::{Ctxt, list, suggestion};
use crate::symbol::ANY;

/// A dispatch-table key, as the runtime's `HandlerKey`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    /// A hook by its full Juju name (`db-relation-changed`).
    Hook(String),
    /// An action by name.
    Action(String),
    /// `#[hook(any)]`.
    Any,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Hook(n) => write!(f, "hook `{n}`"),
            Key::Action(n) => write!(f, "action `{n}`"),
            Key::Any => f.write_str("`any`"),
        }
    }
}

/// A handler that passed the checks.
pub(crate) struct Checked<'a> {
    pub(crate) handler: &'a HandlerFn,
    /// Its table entries (none for `#[collect_status]`).
    pub(crate) keys: Vec<Key>,
    /// Whether it takes `&self` (else it is called as `Self::method(args)`).
    pub(crate) takes_self: bool,
    /// The types of its other arguments, extracted from the context.
    pub(crate) args: Vec<&'a Type>,
}

/// What the handlers of a charm passed the checks with.
pub(crate) struct Handlers<'a> {
    /// Hook and action handlers.
    pub(crate) table: Vec<Checked<'a>>,
    /// The `#[collect_status]` handler.
    pub(crate) collect_status: Option<Checked<'a>>,
    /// The `#[lib]` accessors, in declaration order.
    pub(crate) libs: Vec<super::wiring::WiredLib<'a>>,
}

/// Check every handler; problems go to `cx`, good handlers are returned.
pub(crate) fn validate<'a>(cx: &Ctxt, input: &'a CharmInput, meta: Option<&CharmMeta>) -> Handlers<'a> {
    if !input.item.generics.params.is_empty() {
        cx.spanned(&input.item.generics, "`#[charm]` does not support generic impl blocks");
    }
    if let Some((path, _)) = &input.item.trait_ {
        cx.spanned(path, "`#[charm]` goes on an inherent impl block (`impl MyCharm { … }`), not a trait impl");
    }
    super::containers::check(cx, &input.item, meta);
    let mut seen: BTreeMap<Key, Span> = BTreeMap::new();
    let mut first_collect: Option<&syn::Attribute> = None;
    let libs = super::wiring::check(cx, &input.libs, meta);
    let mut handlers = Handlers { table: Vec::new(), collect_status: None, libs };
    for handler in &input.handlers {
        let signature = check_signature(cx, handler);
        let mut keys = Vec::new();
        let mut carried = Vec::new();
        match &handler.role {
            Role::Hook(args) => {
                for arg in args {
                    let Some((key, span, data)) = check_hook(cx, arg, meta) else { continue };
                    if let Some(first) = seen.get(&key) {
                        cx.at(span, format!("second handler for {key}"));
                        cx.at(*first, format!("first handler for {key} is here"));
                        continue;
                    }
                    seen.insert(key.clone(), span);
                    keys.push(key.clone());
                    carried.push((key, data));
                }
            }
            Role::Action(name) => {
                let Some(key) = check_action(cx, name, meta) else { continue };
                if let Some(first) = seen.get(&key) {
                    cx.at(name.span(), format!("second handler for {key}"));
                    cx.at(*first, format!("first handler for {key} is here"));
                    continue;
                }
                seen.insert(key.clone(), name.span());
                keys.push(key.clone());
                carried.push((key, Carries::Only(Some(ACTION_EVENT))));
            }
            Role::CollectStatus(attr) => {
                if !first_collect_status(cx, attr, &mut first_collect, "a charm") {
                    continue;
                }
            }
        }
        let Some((takes_self, args)) = signature else { continue };
        let checked = Checked { handler, keys, takes_self, args };
        if let Role::CollectStatus(_) = handler.role {
            check_collect_status_args(cx, &checked.args);
            handlers.collect_status = Some(checked);
        } else {
            check_event_args(cx, &checked.args, &carried);
            handlers.table.push(checked);
        }
    }
    handlers
}

// The same list as the runtime's `FromContext` note.
const ACCEPTED: &str = "accepted: `&Context`, `&Event`, `&RelationEvent`, `&SecretEvent`, `&StorageEvent`, \
                        `&WorkloadEvent`, `&ActionEvent` (or `Option<&…Event>`), `Stored<'_, T>` of a `StoredState` \
                        type, a `#[derive(CharmConfig)]` struct or a `#[derive(ActionParams)]` struct";

/// An optional `&self`, then typed arguments: whether it takes `&self` and the argument types,
/// or `None` when the signature cannot be used.
pub(super) fn check_signature<'a>(cx: &Ctxt, handler: &'a HandlerFn) -> Option<(bool, Vec<&'a Type>)> {
    let sig = &handler.sig;
    let mut ok = true;
    if let Some(t) = &sig.asyncness {
        cx.spanned(t, "handlers cannot be `async`: a hook runs to completion synchronously");
        ok = false;
    }
    if !sig.generics.params.is_empty() {
        cx.spanned(&sig.generics, "handlers cannot be generic: the dispatch table needs one concrete function");
        ok = false;
    }
    let mut takes_self = false;
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) if r.mutability.is_none() && matches!(r.kind, ReceiverKind::Reference(_, _, None)) => {
                takes_self = true;
            }
            FnArg::Receiver(r) => {
                cx.spanned(
                    r,
                    "a handler takes `&self` or no receiver at all: the charm value is shared, never changed or consumed",
                );
                ok = false;
            }
            FnArg::Typed(pat) => {
                if let Type::Reference(r) = &*pat.ty
                    && r.mutability.is_some()
                {
                    cx.spanned(&pat.ty, format!("handler arguments cannot be `&mut`; {ACCEPTED}"));
                    ok = false;
                }
                if matches!(*pat.ty, Type::ImplTrait(_)) {
                    cx.spanned(&pat.ty, format!("handler arguments cannot be `impl Trait`; {ACCEPTED}"));
                    ok = false;
                }
                args.push(&*pat.ty);
            }
        }
    }
    ok.then_some((takes_self, args))
}

/// The event types whose data only some events carry, and which events those are (for messages).
const EVENT_TYPES: &[(&str, &str)] = &[
    ("RelationEvent", "relation hooks"),
    ("SecretEvent", "secret hooks"),
    ("StorageEvent", "storage hooks"),
    ("WorkloadEvent", "pebble hooks"),
    (ACTION_EVENT, "actions"),
];
const ACTION_EVENT: &str = "ActionEvent";

/// Which event type a table entry's events carry.
#[derive(Debug, Clone, Copy)]
pub(super) enum Carries {
    /// `any`: any event may come, so an event argument is a run-time matter.
    Any,
    /// Exactly this one (`None`: no event data).
    Only(Option<&'static str>),
}

/// The runtime's event type for a hook of `kind`, if it carries event data.
pub(super) fn event_type(kind: HookKind) -> Option<&'static str> {
    match kind {
        HookKind::Relation(_) => Some("RelationEvent"),
        HookKind::Secret(_) => Some("SecretEvent"),
        HookKind::Storage(_) => Some("StorageEvent"),
        HookKind::Workload(_) => Some("WorkloadEvent"),
        _ => None,
    }
}

/// `&RelationEvent` (or another event type of [`EVENT_TYPES`]) → its name and who carries it.
/// Records the first `#[collect_status]` of `owner` ("a charm", "a library"); a second one is an
/// error spanned on both, and returns false so its handler is skipped.
pub(crate) fn first_collect_status<'a>(
    cx: &Ctxt,
    attr: &'a syn::Attribute,
    first: &mut Option<&'a syn::Attribute>,
    owner: &str,
) -> bool {
    if let Some(first) = first {
        cx.spanned(attr, format!("second `#[collect_status]` method: {owner} has one, which adds every status"));
        cx.spanned(*first, "first `#[collect_status]` method is here");
        return false;
    }
    *first = Some(attr);
    true
}

fn event_ref(ty: &Type) -> Option<(&'static str, &'static str)> {
    let Type::Reference(r) = ty else { return None };
    let Type::Path(p) = &*r.elem else { return None };
    let last = p.path.segments.last()?;
    EVENT_TYPES.iter().copied().find(|(name, _)| last.ident == name)
}

/// A `&RelationEvent` (etc.) argument on a handler for a hook that never carries it is a mistake
/// we can see now rather than at run time.
pub(super) fn check_event_args(cx: &Ctxt, args: &[&Type], carried: &[(Key, Carries)]) {
    for ty in args {
        let Some((name, carriers)) = event_ref(ty) else { continue };
        let mismatch = carried.iter().find(|(_, c)| matches!(c, Carries::Only(d) if *d != Some(name)));
        if let Some((key, _)) = mismatch {
            cx.spanned(
                ty,
                format!(
                    "`&{name}` is not available in {key}: only {carriers} carry it; take `Option<&{name}>` or split the handler"
                ),
            );
        }
    }
}

/// `#[collect_status]` runs after every hook and action: no event type is always there.
pub(super) fn check_collect_status_args(cx: &Ctxt, args: &[&Type]) {
    for ty in args {
        if let Some((name, carriers)) = event_ref(ty) {
            cx.spanned(
                ty,
                format!(
                    "`&{name}` is not available in `#[collect_status]`: it runs after every hook and action, and only \
                     {carriers} carry it; take `Option<&{name}>`"
                ),
            );
        }
    }
}

/// Every name `#[hook(...)]` accepts: goops-juju's hook table in snake_case, and `any`.
pub(super) fn hook_names() -> Vec<String> {
    HookKind::ALL.iter().map(|k| k.snake_name()).chain(std::iter::once(ANY.to_string())).collect()
}

/// The key of one `#[hook(...)]` entry, its span and the event data it carries.
fn check_hook(cx: &Ctxt, arg: &HookArg, meta: Option<&CharmMeta>) -> Option<(Key, Span, Carries)> {
    let name = arg.name.to_string();
    let span = arg.name.span();
    if arg.name == ANY {
        if let Some(scope) = &arg.scope {
            cx.spanned(scope, "`any` takes no name: it runs for every hook without a handler");
            return None;
        }
        return Some((Key::Any, span, Carries::Any));
    }
    let Some(kind) = HookKind::from_snake_name(&name) else {
        let names = hook_names();
        cx.spanned(&arg.name, format!("unknown hook `{name}`{}", suggestion(&name, names.iter().map(String::as_str))));
        return None;
    };
    let carries = Carries::Only(event_type(kind));
    match (kind.scope(), &arg.scope) {
        (None, None) => Some((Key::Hook(kind.hook_name(None)), span, carries)),
        (None, Some(s)) => {
            cx.spanned(s, format!("`{name}` takes no name: write `{name}`"));
            None
        }
        (Some(scope), None) => {
            let noun = scope.noun();
            cx.spanned(
                &arg.name,
                format!("`{name}` needs the {noun} name: `{name}(\"<{}>\")`", noun.replace(' ', "-")),
            );
            None
        }
        (Some(scope), Some(lit)) => {
            let value = lit.value();
            if let Some(m) = meta {
                let declared: Vec<&str> = match scope {
                    goops_juju::Scope::Endpoint => m.endpoints.keys().map(String::as_str).collect(),
                    goops_juju::Scope::Storage => m.storage.keys().map(String::as_str).collect(),
                    goops_juju::Scope::Container => m.containers.keys().map(String::as_str).collect(),
                };
                if !declared.contains(&value.as_str()) {
                    cx.spanned(
                        lit,
                        format!(
                            "{} `{value}` is not declared in charmcraft.yaml ({}); declared: {}{}",
                            scope.noun(),
                            scope.sections(),
                            list(declared.iter().copied()),
                            suggestion(&value, declared.iter().copied())
                        ),
                    );
                    return None;
                }
            }
            Some((Key::Hook(kind.hook_name(Some(&value))), span, carries))
        }
    }
}

/// The key of an `#[action("...")]`, checked against charmcraft.yaml.
fn check_action(cx: &Ctxt, name: &syn::LitStr, meta: Option<&CharmMeta>) -> Option<Key> {
    let value = name.value();
    if let Some(m) = meta
        && !m.actions.contains_key(&value)
    {
        let names = m.actions.keys().map(String::as_str);
        cx.spanned(
            name,
            format!(
                "action `{value}` is not declared in charmcraft.yaml; declared: {}{}",
                list(names.clone()),
                suggestion(&value, names)
            ),
        );
        return None;
    }
    Some(Key::Action(value))
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    /// Each table entry's (keys, takes `&self`, argument count).
    type Table = Vec<(Vec<Key>, bool, usize)>;

    /// Parse and check an impl block: the table, whether it has a collect-status handler, the errors.
    fn run(tokens: proc_macro2::TokenStream) -> (Table, bool, Vec<String>) {
        let meta = CharmMeta::from_charmcraft_yaml(
            "requires:\n  db:\n    interface: pg\nstorage:\n  data: {}\nactions:\n  do-backup: {}\n",
        )
        .unwrap();
        let cx = Ctxt::new();
        let input = super::super::parse::parse(&cx, syn::parse2(tokens).unwrap());
        let handlers = validate(&cx, &input, Some(&meta));
        let table = handlers.table.iter().map(|c| (c.keys.clone(), c.takes_self, c.args.len())).collect();
        let collect = handlers.collect_status.is_some();
        let errors = cx.check().err().into_iter().flatten().map(|e| e.to_string()).collect();
        (table, collect, errors)
    }

    #[test]
    fn keys_come_from_the_hook_table_and_the_metadata() {
        let (table, collect, errors) = run(quote! {
            impl C {
                #[hook(install, relation_changed("db"), storage_attached("data"), any)]
                fn a(&self, ctx: &Context) {}
                #[action("do-backup")]
                fn b(params: Params) {}
                #[collect_status]
                fn c(ctx: &Context, relation: Option<&RelationEvent>) {}
            }
        });
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(
            table,
            [
                (
                    vec![
                        Key::Hook("install".into()),
                        Key::Hook("db-relation-changed".into()),
                        Key::Hook("data-storage-attached".into()),
                        Key::Any
                    ],
                    true,
                    1
                ),
                (vec![Key::Action("do-backup".into())], false, 1),
            ]
        );
        assert!(collect);
    }

    #[test]
    fn mistakes_are_reported_once_each() {
        let (_, _, errors) = run(quote! {
            impl C {
                #[hook(config_chnged, relation_changed("dbs"), storage_attached, start("x"))]
                fn a(&mut self) {}
                #[collect_status]
                fn b(event: &RelationEvent) {}
                #[collect_status]
                fn c() {}
                #[hook(install)]
                #[collect_status]
                fn d() {}
            }
        });
        assert_eq!(
            errors,
            [
                "a method is one kind of handler: a `#[hook]`, an `#[action]` or a `#[collect_status]`, not several",
                "a handler takes `&self` or no receiver at all: the charm value is shared, never changed or consumed",
                "unknown hook `config_chnged`; did you mean `config_changed`?",
                "relation endpoint `dbs` is not declared in charmcraft.yaml (provides/requires/peers); declared: `db`; \
                 did you mean `db`?",
                "`storage_attached` needs the storage name: `storage_attached(\"<storage>\")`",
                "`start` takes no name: write `start`",
                "`&RelationEvent` is not available in `#[collect_status]`: it runs after every hook and action, and \
                 only relation hooks carry it; take `Option<&RelationEvent>`",
                "second `#[collect_status]` method: a charm has one, which adds every status",
                "first `#[collect_status]` method is here",
            ]
        );
    }
}
