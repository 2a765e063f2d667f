//! Checking the parsed handlers: hook names, signatures, duplicates, and names against charmcraft.yaml.

use std::collections::BTreeMap;

use proc_macro2::Span;
use syn::{FnArg, ReceiverKind, Type};

use super::parse::{CharmInput, HandlerFn, Trigger};
use crate::charmcraft::Metadata;
use crate::errors::{Errors, list, suggestion};
use crate::hooks::{self, Data, Scope};

/// A dispatch-table key, as the runtime's `HandlerKey`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    Hook(String),
    Action(String),
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
    pub(crate) keys: Vec<Key>,
    pub(crate) args: Vec<&'a Type>,
}

/// Check every handler; problems go to `errors`, good handlers are returned.
pub(crate) fn validate<'a>(input: &'a CharmInput, metadata: Option<&Metadata>, errors: &Errors) -> Vec<Checked<'a>> {
    if !input.item.generics.params.is_empty() {
        errors.spanned(&input.item.generics, "`#[charm]` does not support generic impl blocks");
    }
    if let Some((path, _)) = &input.item.trait_ {
        errors.spanned(path, "`#[charm]` goes on an inherent impl block (`impl MyCharm { … }`), not a trait impl");
    }
    let mut seen: BTreeMap<Key, Span> = BTreeMap::new();
    let mut checked = Vec::new();
    for handler in &input.handlers {
        let args = check_signature(handler, errors);
        let mut keys = Vec::new();
        let mut data = Vec::new();
        for trigger in &handler.triggers {
            let Some((key, span, hook_data)) = check_trigger(trigger, metadata, errors) else { continue };
            if let Some(first) = seen.get(&key) {
                errors.at(span, format!("second handler for {key}"));
                errors.at(*first, format!("first handler for {key} is here"));
                continue;
            }
            seen.insert(key.clone(), span);
            keys.push(key);
            data.push(hook_data);
        }
        if let Some(args) = args {
            check_event_args(&args, &keys, &data, errors);
            checked.push(Checked { handler, keys, args });
        }
    }
    checked
}

const ACCEPTED: &str = "accepted: `&Context`, `&RelationEvent`, `&SecretEvent`, `&StorageEvent`, `&WorkloadEvent`, \
                        `&ActionEvent` (or `Option<&…Event>`), a `#[derive(CharmConfig)]` struct or a \
                        `#[derive(ActionParams)]` struct";

/// `&self` first, then typed arguments; `None` when the signature cannot be used.
fn check_signature<'a>(handler: &'a HandlerFn, errors: &Errors) -> Option<Vec<&'a Type>> {
    let sig = &handler.sig;
    let mut ok = true;
    if let Some(t) = &sig.asyncness {
        errors.spanned(t, "handlers cannot be `async`: a hook runs to completion synchronously");
        ok = false;
    }
    if !sig.generics.params.is_empty() {
        errors.spanned(&sig.generics, "handlers cannot be generic: the dispatch table needs one concrete function");
        ok = false;
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if matches!(r.kind, ReceiverKind::Reference(_, _, None)) => {}
        Some(FnArg::Receiver(r)) => {
            errors.spanned(r, "a handler takes `&self`: the charm value is shared and not consumed");
            ok = false;
        }
        _ => {
            errors.spanned(
                &sig.ident,
                format!("a handler takes `&self` first, e.g. `fn {}(&self, ctx: &Context)`", sig.ident),
            );
            ok = false;
        }
    }
    let mut args = Vec::new();
    for input in inputs {
        if let FnArg::Typed(pat) = input {
            if let Type::Reference(r) = &*pat.ty
                && r.mutability.is_some()
            {
                errors.spanned(&pat.ty, format!("handler arguments cannot be `&mut`; {ACCEPTED}"));
                ok = false;
            }
            if matches!(*pat.ty, Type::ImplTrait(_)) {
                errors.spanned(&pat.ty, format!("handler arguments cannot be `impl Trait`; {ACCEPTED}"));
                ok = false;
            }
            args.push(&*pat.ty);
        }
    }
    ok.then_some(args)
}

/// A `&RelationEvent` (etc.) argument on a handler for a hook that never carries it is a mistake
/// we can see now rather than at run time.
fn check_event_args(args: &[&Type], keys: &[Key], data: &[Option<Data>], errors: &Errors) {
    for ty in args {
        let Type::Reference(r) = ty else { continue };
        let Type::Path(p) = &*r.elem else { continue };
        let Some(last) = p.path.segments.last() else { continue };
        let (wanted, carriers) = match last.ident.to_string().as_str() {
            "RelationEvent" => (Data::Relation, "relation hooks"),
            "SecretEvent" => (Data::Secret, "secret hooks"),
            "StorageEvent" => (Data::Storage, "storage hooks"),
            "WorkloadEvent" => (Data::Workload, "pebble hooks"),
            "ActionEvent" => (Data::Action, "actions"),
            _ => continue,
        };
        // `None` is `any`: any event may come, so it is a run-time matter.
        let mismatch = keys.iter().zip(data).find(|(_, d)| matches!(d, Some(d) if *d != wanted));
        if let Some((key, _)) = mismatch {
            let name = &last.ident;
            errors.spanned(
                ty,
                format!(
                    "`&{name}` is not available in {key}: only {carriers} carry it; take `Option<&{name}>` or split the handler"
                ),
            );
        }
    }
}

/// The key of one trigger, its span and the data its event carries (`None` for `any`).
fn check_trigger(trigger: &Trigger, metadata: Option<&Metadata>, errors: &Errors) -> Option<(Key, Span, Option<Data>)> {
    match trigger {
        Trigger::Action(name) => {
            let value = name.value();
            if let Some(m) = metadata
                && m.action(&value).is_none()
            {
                let names = m.actions.iter().map(|a| a.name.as_str());
                errors.spanned(
                    name,
                    format!(
                        "action `{value}` is not declared in charmcraft.yaml; declared: {}{}",
                        list(names.clone()),
                        suggestion(&value, names)
                    ),
                );
                return None;
            }
            Some((Key::Action(value), name.span(), Some(Data::Action)))
        }
        Trigger::Hook(arg) => {
            let name = arg.name.to_string();
            if name == "any" {
                if let Some(scope) = &arg.scope {
                    errors.spanned(scope, "`any` takes no name: it runs for every hook without a handler");
                    return None;
                }
                return Some((Key::Any, arg.name.span(), None));
            }
            let Some((juju, scope, data)) = hooks::find(&name) else {
                errors.spanned(&arg.name, format!("unknown hook `{name}`{}", suggestion(&name, hooks::all_names())));
                return None;
            };
            let span = arg.name.span();
            match (scope, &arg.scope) {
                (Scope::None, None) => Some((Key::Hook(juju.to_owned()), span, Some(data))),
                (Scope::None, Some(s)) => {
                    errors.spanned(s, format!("`{name}` takes no name: write `{name}`"));
                    None
                }
                (scope, None) => {
                    errors.spanned(
                        &arg.name,
                        format!(
                            "`{name}` needs the {} name: `{name}(\"<{}>\")`",
                            scope.noun(),
                            scope.noun().replace(' ', "-")
                        ),
                    );
                    None
                }
                (scope, Some(lit)) => {
                    let value = lit.value();
                    if let Some(m) = metadata {
                        let (declared, section): (Vec<&str>, &str) = match scope {
                            Scope::Endpoint => {
                                (m.relations.iter().map(|r| r.endpoint.as_str()).collect(), "provides/requires/peers")
                            }
                            Scope::Storage => (m.storage.iter().map(String::as_str).collect(), "storage"),
                            _ => (m.containers.iter().map(String::as_str).collect(), "containers"),
                        };
                        if !declared.contains(&value.as_str()) {
                            errors.spanned(
                                lit,
                                format!(
                                    "{} `{value}` is not declared in charmcraft.yaml ({section}); declared: {}{}",
                                    scope.noun(),
                                    list(declared.iter().copied()),
                                    suggestion(&value, declared.iter().copied())
                                ),
                            );
                            return None;
                        }
                    }
                    Some((Key::Hook(format!("{value}-{juju}")), span, Some(data)))
                }
            }
        }
    }
}
