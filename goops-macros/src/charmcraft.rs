//! Reading the charm's metadata at compile time: charmcraft.yaml, or the legacy metadata.yaml,
//! config.yaml and actions.yaml next to it.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use yaml_rust2::{Yaml, YamlLoader};

/// Which side of a relation an endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Provides,
    Requires,
    Peers,
}

/// One relation endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub(crate) endpoint: String,
    pub(crate) interface: String,
    pub(crate) role: Role,
}

/// One action parameter.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    /// The JSON-schema type (`string`, `integer`, `number`, `boolean`, `array`, `object`).
    pub(crate) ty: Option<String>,
    pub(crate) required: bool,
}

/// One action.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    pub(crate) name: String,
    pub(crate) params: Vec<Param>,
}

/// One config option.
#[derive(Debug, Clone)]
pub(crate) struct ConfigOption {
    pub(crate) name: String,
    /// `string`, `int`, `float`, `boolean` or `secret`.
    pub(crate) ty: String,
    pub(crate) has_default: bool,
}

/// Everything the macros check against.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    pub(crate) name: String,
    pub(crate) relations: Vec<Relation>,
    pub(crate) storage: Vec<String>,
    pub(crate) containers: Vec<String>,
    pub(crate) actions: Vec<Action>,
    pub(crate) config: Vec<ConfigOption>,
    /// The files read, tracked for rebuilds.
    pub(crate) files: Vec<PathBuf>,
}

impl Metadata {
    pub(crate) fn relation(&self, endpoint: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.endpoint == endpoint)
    }

    pub(crate) fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    pub(crate) fn config_option(&self, name: &str) -> Option<&ConfigOption> {
        self.config.iter().find(|o| o.name == name)
    }

    /// Parse the metadata files. `path` (relative to `CARGO_MANIFEST_DIR`) overrides the default
    /// `charmcraft.yaml`; errors are spanned at `span`.
    pub(crate) fn load(path: Option<&str>, span: Span) -> syn::Result<Metadata> {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .ok_or_else(|| syn::Error::new(span, "CARGO_MANIFEST_DIR is not set: build the charm with cargo"))?;
        let primary = manifest_dir.join(path.unwrap_or("charmcraft.yaml"));
        let dir = primary.parent().map_or_else(|| manifest_dir.clone(), Path::to_path_buf);
        let legacy = ["metadata.yaml", "config.yaml", "actions.yaml"].map(|f| dir.join(f));
        let mut metadata = Metadata::default();
        let mut read_any = false;
        for file in std::iter::once(&primary).chain(legacy.iter().filter(|f| **f != primary)) {
            let is_primary = file == &primary;
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                // The legacy files are optional, and so is charmcraft.yaml when metadata.yaml exists.
                Err(_) if !is_primary || (path.is_none() && legacy[0].exists()) => continue,
                Err(e) => {
                    return Err(syn::Error::new(
                        span,
                        format!("cannot read `{}` (in the crate's directory): {e}", shown(file, &manifest_dir)),
                    ));
                }
            };
            let doc = YamlLoader::load_from_str(&text)
                .map_err(|e| syn::Error::new(span, format!("cannot parse `{}`: {e}", shown(file, &manifest_dir))))?
                .into_iter()
                .next()
                .unwrap_or(Yaml::Null);
            let shape = match file.file_name().and_then(|n| n.to_str()) {
                Some("config.yaml") => Shape::Config,
                Some("actions.yaml") => Shape::Actions,
                _ => Shape::Charm,
            };
            metadata.merge(&doc, shape);
            metadata.files.push(file.clone());
            read_any = true;
        }
        if !read_any {
            return Err(syn::Error::new(
                span,
                format!("cannot read `{}` (in the crate's directory)", shown(&primary, &manifest_dir)),
            ));
        }
        Ok(metadata)
    }

    fn merge(&mut self, doc: &Yaml, shape: Shape) {
        match shape {
            Shape::Config => self.merge_config(&doc["options"]),
            Shape::Actions => self.merge_actions(doc),
            Shape::Charm => {
                if let Some(name) = doc["name"].as_str() {
                    self.name = name.to_owned();
                }
                for (key, role) in [("provides", Role::Provides), ("requires", Role::Requires), ("peers", Role::Peers)]
                {
                    for (endpoint, spec) in entries(&doc[key]) {
                        let interface = spec["interface"].as_str().unwrap_or_default().to_owned();
                        if self.relation(&endpoint).is_none() {
                            self.relations.push(Relation { endpoint, interface, role });
                        }
                    }
                }
                self.storage.extend(entries(&doc["storage"]).map(|(n, _)| n));
                self.containers.extend(entries(&doc["containers"]).map(|(n, _)| n));
                self.merge_actions(&doc["actions"]);
                self.merge_config(&doc["config"]["options"]);
            }
        }
    }

    fn merge_actions(&mut self, actions: &Yaml) {
        for (name, spec) in entries(actions) {
            let required: Vec<&str> =
                spec["required"].as_vec().into_iter().flatten().filter_map(Yaml::as_str).collect();
            let params = entries(&spec["params"])
                .map(|(name, p)| Param {
                    ty: p["type"].as_str().map(str::to_owned),
                    required: required.contains(&name.as_str()),
                    name,
                })
                .collect();
            if self.action(&name).is_none() {
                self.actions.push(Action { name, params });
            }
        }
    }

    fn merge_config(&mut self, options: &Yaml) {
        for (name, spec) in entries(options) {
            let ty = spec["type"].as_str().unwrap_or("string").to_owned();
            let has_default = !spec["default"].is_badvalue() && !spec["default"].is_null();
            if self.config_option(&name).is_none() {
                self.config.push(ConfigOption { name, ty, has_default });
            }
        }
    }

    /// `const _: &[u8] = include_bytes!(…);` per file, so editing them re-runs the macro.
    pub(crate) fn tracking(&self) -> TokenStream {
        let files = self.files.iter().filter_map(|f| f.to_str());
        quote! { #( const _: &[u8] = ::core::include_bytes!(#files); )* }
    }

    /// The metadata as a `::goops_runtime::__private::CharmMetadata` expression.
    pub(crate) fn to_static(&self) -> TokenStream {
        let name = &self.name;
        let relations = self.relations.iter().map(|r| {
            let (endpoint, interface) = (&r.endpoint, &r.interface);
            let role = match r.role {
                Role::Provides => quote!(Provides),
                Role::Requires => quote!(Requires),
                Role::Peers => quote!(Peers),
            };
            quote! {
                ::goops_runtime::__private::RelationMeta {
                    endpoint: #endpoint,
                    interface: #interface,
                    role: ::goops_runtime::__private::RelationRole::#role,
                }
            }
        });
        let storage = &self.storage;
        let containers = &self.containers;
        let actions = self.actions.iter().map(|a| {
            let name = &a.name;
            let params = a.params.iter().map(|p| &p.name);
            quote! { ::goops_runtime::__private::ActionMeta { name: #name, params: &[#(#params),*] } }
        });
        let config = self.config.iter().map(|o| {
            let name = &o.name;
            let kind = match o.ty.as_str() {
                "int" => quote!(Int),
                "float" => quote!(Float),
                "boolean" => quote!(Boolean),
                "secret" => quote!(Secret),
                _ => quote!(String),
            };
            let has_default = o.has_default;
            quote! {
                ::goops_runtime::__private::ConfigOptionMeta {
                    name: #name,
                    kind: ::goops_runtime::__private::ConfigType::#kind,
                    has_default: #has_default,
                }
            }
        });
        quote! {
            ::goops_runtime::__private::CharmMetadata {
                name: #name,
                relations: &[#(#relations),*],
                storage: &[#(#storage),*],
                containers: &[#(#containers),*],
                actions: &[#(#actions),*],
                config: &[#(#config),*],
            }
        }
    }
}

/// A path as the user wrote it: relative to the crate's directory when it is inside it.
fn shown(file: &Path, manifest_dir: &Path) -> String {
    file.strip_prefix(manifest_dir).unwrap_or(file).display().to_string()
}

#[derive(Clone, Copy)]
enum Shape {
    Charm,
    Config,
    Actions,
}

/// The string-keyed entries of a YAML map (nothing for anything else).
fn entries(yaml: &Yaml) -> impl Iterator<Item = (String, &Yaml)> {
    yaml.as_hash().into_iter().flatten().filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_charmcraft_shape() {
        let doc = YamlLoader::load_from_str(
            "name: x\nrequires:\n  db:\n    interface: pg\npeers:\n  cluster:\n    interface: c\nstorage:\n  data: {}\n\
             containers:\n  web: {}\nactions:\n  do-backup:\n    params:\n      path:\n        type: string\n    \
             required: [path]\nconfig:\n  options:\n    port:\n      type: int\n      default: 80\n    name:\n      \
             type: string\n",
        )
        .unwrap();
        let mut m = Metadata::default();
        m.merge(&doc[0], Shape::Charm);
        assert_eq!(m.name, "x");
        assert_eq!(m.relation("db").unwrap().role, Role::Requires);
        assert_eq!(m.relation("cluster").unwrap().interface, "c");
        assert_eq!(
            (m.storage.as_slice(), m.containers.as_slice()),
            (&["data".to_owned()][..], &["web".to_owned()][..])
        );
        let action = m.action("do-backup").unwrap();
        assert_eq!((action.params[0].ty.as_deref(), action.params[0].required), (Some("string"), true));
        assert!(m.config_option("port").unwrap().has_default);
        assert!(!m.config_option("name").unwrap().has_default);
    }
}
