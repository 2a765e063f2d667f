//! Checking fields against charmcraft.yaml: each field names a declared option or parameter,
//! and its Rust type fits the declared type.

use goops_juju::charmcraft::CharmMeta;
use syn::{GenericArgument, PathArguments, Type};

use super::Kind;
use super::parse::Input;
use crate::errors::{Ctxt, list, suggestion};

/// A checked field: its ident, type and the key it reads.
pub(crate) struct Checked<'a> {
    pub(crate) ident: &'a syn::Ident,
    pub(crate) ty: &'a Type,
    pub(crate) key: String,
}

/// The option or parameter a field maps to.
struct Declared<'m> {
    key: String,
    /// Its declared types (a config option has one; a parameter may have several, or none
    /// when anything goes).
    types: Vec<&'m str>,
    /// Whether the field may be required (`T` rather than `Option<T>`) without risk.
    optional_ok: bool,
}

/// `Option<T>` → `(true, T)`, anything else `(false, ty)`.
pub(crate) fn unwrap_option(ty: &Type) -> (bool, &Type) {
    if let Type::Path(p) = ty
        && p.qself.is_none()
        && let Some(last) = p.path.segments.last()
        && last.ident == "Option"
        && let PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(GenericArgument::Type(inner)) = args.args.first()
    {
        return (true, inner);
    }
    (false, ty)
}

/// The YAML type family a well-known Rust type belongs to; `None` for other types (checked at run time).
fn family(ty: &Type) -> Option<&'static str> {
    let Type::Path(p) = ty else { return None };
    let ident = p.path.segments.last()?.ident.to_string();
    Some(match ident.as_str() {
        "String" => "string",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "int",
        "f32" | "f64" => "float",
        "bool" => "boolean",
        "Vec" => "array",
        _ => return None,
    })
}

/// What Rust types fit a declared type, for messages.
fn fitting(declared: &str) -> &'static str {
    match declared {
        "string" | "secret" => "`String`",
        "int" | "integer" => "`i64`, `i32`, `u16`, … (any integer)",
        "float" | "number" => "`f64` or `f32`",
        "boolean" => "`bool`",
        "array" => "`Vec<T>`",
        _ => "a `Deserialize` type",
    }
}

/// Whether a Rust type family fits a declared config or param type.
fn fits(family: &str, declared: &str) -> bool {
    match declared {
        "string" | "secret" => family == "string",
        "int" | "integer" => family == "int",
        "float" => family == "float",
        "number" => family == "float" || family == "int",
        "boolean" => family == "boolean",
        "array" => family == "array",
        _ => true,
    }
}

pub(crate) fn validate<'a>(cx: &Ctxt, kind: Kind, input: &Input<'a>, meta: Option<&CharmMeta>) -> Vec<Checked<'a>> {
    let action = match kind {
        Kind::Params => match (&input.options.action, meta) {
            (None, _) => {
                cx.spanned(input.ident, "`#[derive(ActionParams)]` needs `#[params(action = \"<action name>\")]`");
                return Vec::new();
            }
            (Some(lit), Some(m)) => match m.actions.get_key_value(&lit.value()) {
                Some(action) => Some(action),
                None => {
                    let names = m.actions.keys().map(String::as_str);
                    cx.spanned(
                        lit,
                        format!(
                            "action `{}` is not declared in charmcraft.yaml; declared: {}{}",
                            lit.value(),
                            list(names.clone()),
                            suggestion(&lit.value(), names)
                        ),
                    );
                    return Vec::new();
                }
            },
            (Some(_), None) => None,
        },
        Kind::Config => None,
    };
    let mut checked = Vec::new();
    // A field whose attribute had errors was reported already: one error per field.
    for field in input.fields.iter().filter(|f| !f.broken) {
        let name = field.ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name);
        let kebab = name.replace('_', "-");
        let Some(m) = meta else {
            checked.push(Checked { ident: field.ident, ty: field.ty, key: kebab });
            continue;
        };
        let span_target: &dyn quote::ToTokens = match &field.key {
            Some(lit) => lit,
            None => field.ident,
        };
        // The declared option or parameter this field maps to.
        let (declared, what, known): (Option<Declared<'_>>, &str, Vec<&str>) = match kind {
            Kind::Config => {
                let lookup = |k: &str| {
                    m.config.get_key_value(k).map(|(key, o)| Declared {
                        key: key.clone(),
                        types: vec![o.kind.as_str()],
                        optional_ok: o.default.is_some(),
                    })
                };
                let found = match &field.key {
                    Some(lit) => lookup(&lit.value()),
                    None => lookup(&kebab).or_else(|| lookup(name)),
                };
                (found, "config option", m.config.keys().map(String::as_str).collect())
            }
            Kind::Params => {
                let Some((_, spec)) = action else { continue };
                let lookup = |k: &str| {
                    spec.params.get_key_value(k).map(|(key, _)| Declared {
                        key: key.clone(),
                        // `null` only says the parameter may be null: `Option<T>` takes it.
                        types: spec.param_types(key).into_iter().filter(|t| *t != "null").collect(),
                        optional_ok: !spec.required.contains(key),
                    })
                };
                let found = match &field.key {
                    Some(lit) => lookup(&lit.value()),
                    None => lookup(&kebab).or_else(|| lookup(name)),
                };
                (found, "parameter", spec.params.keys().map(String::as_str).collect())
            }
        };
        let Some(Declared { key, types, optional_ok }) = declared else {
            let wanted = field.key.as_ref().map_or(kebab.clone(), syn::LitStr::value);
            let place = match (kind, action) {
                (Kind::Params, Some((action, _))) => format!("a parameter of action `{action}`"),
                _ => "in charmcraft.yaml's `config.options`".to_owned(),
            };
            cx.spanned(
                span_target,
                format!(
                    "{what} `{wanted}` is not {place}; declared: {}{}",
                    list(known.iter().copied()),
                    suggestion(&wanted, known.iter().copied())
                ),
            );
            continue;
        };
        let (is_option, inner) = unwrap_option(field.ty);
        if let Some(family) = family(inner)
            && !types.is_empty()
            && !types.iter().any(|t| fits(family, t))
        {
            let declared = types.join("` or `");
            let rust_types: Vec<&str> = types.iter().map(|t| fitting(t)).collect();
            cx.spanned(
                field.ty,
                format!(
                    "{what} `{key}` is `{declared}` in charmcraft.yaml, so field `{name}` must be {}",
                    rust_types.join(" or ")
                ),
            );
            continue;
        }
        if kind == Kind::Config && !is_option && !optional_ok {
            cx.spanned(
                field.ty,
                format!("config option `{key}` has no default, so it may be unset: make field `{name}` an `Option<_>`"),
            );
            continue;
        }
        checked.push(Checked { ident: field.ident, ty: field.ty, key });
    }
    checked
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;
    use crate::config::parse::parse;

    const META: &str = "config:\n  options:\n    port:\n      type: int\n      default: 80\n    host:\n      type: string\n\
                        actions:\n  act:\n    params:\n      target:\n        type: [string, \"null\"]\n      \
                        count:\n        type: integer\n    required: [target]\n";

    /// Check a derive input against [`META`]: the checked keys and the errors.
    fn run(kind: Kind, tokens: proc_macro2::TokenStream) -> (Vec<String>, Vec<String>) {
        let meta = CharmMeta::from_charmcraft_yaml(META).unwrap();
        let input: syn::DeriveInput = syn::parse2(tokens).unwrap();
        let cx = Ctxt::new();
        let parsed = parse(&cx, kind, &input);
        let keys = validate(&cx, kind, &parsed, Some(&meta)).into_iter().map(|c| c.key).collect();
        let errors = cx.check().err().into_iter().flatten().map(|e| e.to_string()).collect();
        (keys, errors)
    }

    #[test]
    fn config_fields_map_to_options_by_kebab_name_or_key() {
        let (keys, errors) = run(
            Kind::Config,
            quote! {
                struct C {
                    port: u16,
                    #[config(key = "host")]
                    name: Option<String>,
                }
            },
        );
        assert_eq!((keys, errors), (vec!["port".to_owned(), "host".to_owned()], vec![]));
    }

    #[test]
    fn each_config_field_gets_one_error() {
        let (keys, errors) = run(
            Kind::Config,
            quote! {
                struct C {
                    // Unknown and mistyped: only "unknown" is said.
                    prot: String,
                    port: String,
                    host: String,
                    // A broken attribute: only that is said.
                    #[config(kee = "port")]
                    other: String,
                }
            },
        );
        assert!(keys.is_empty(), "{keys:?}");
        assert_eq!(
            errors,
            [
                "unknown `#[config]` field option `kee`; expected one of: `key`; did you mean `key`?",
                "config option `prot` is not in charmcraft.yaml's `config.options`; declared: `host`, `port`; did you \
                 mean `port`?",
                "config option `port` is `int` in charmcraft.yaml, so field `port` must be `i64`, `i32`, `u16`, … (any \
                 integer)",
                "config option `host` has no default, so it may be unset: make field `host` an `Option<_>`",
            ]
        );
    }

    #[test]
    fn params_follow_the_json_schema_types() {
        let (keys, errors) = run(
            Kind::Params,
            quote! {
                #[params(action = "act")]
                struct P {
                    target: Option<String>,
                    count: u8,
                }
            },
        );
        assert_eq!((keys, errors), (vec!["target".to_owned(), "count".to_owned()], vec![]));
        let (_, errors) = run(
            Kind::Params,
            quote! {
                #[params(action = "act", action = "other")]
                struct P {
                    target: bool,
                }
            },
        );
        assert_eq!(
            errors,
            [
                "`action` is given twice",
                "parameter `target` is `string` in charmcraft.yaml, so field `target` must be `String`",
            ]
        );
    }
}
