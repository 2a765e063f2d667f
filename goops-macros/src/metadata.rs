//! The charm's metadata at compile time: charmcraft.yaml (or the legacy metadata.yaml,
//! config.yaml and actions.yaml), read with goops-juju's parser, tracked so editing it rebuilds
//! the charm, and baked into the binary as `::goops_runtime::__private::CharmMetadata`.

use std::path::{Path, PathBuf};

use goops_juju::charmcraft::{CharmMeta, MetaError};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

/// Read the metadata: `path` (from `metadata = "…"`, relative to `CARGO_MANIFEST_DIR`) or the
/// crate directory's charmcraft.yaml / metadata.yaml. Errors are spanned on `path`, or on the
/// macro call when there is none, and name the file and key.
pub(crate) fn load(path: Option<&LitStr>) -> syn::Result<CharmMeta> {
    let span = path.map_or_else(Span::call_site, LitStr::span);
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(span, "CARGO_MANIFEST_DIR is not set: build the charm with cargo"))?;
    let result = match path {
        Some(lit) => CharmMeta::from_file(&manifest_dir.join(lit.value())),
        None => CharmMeta::from_dir(&manifest_dir),
    };
    result.map_err(|e| syn::Error::new(span, describe(&e, &manifest_dir)))
}

/// A [`MetaError`] for a compile error: paths relative to the crate's directory.
fn describe(error: &MetaError, manifest_dir: &Path) -> String {
    let relative = |text: &str| text.replace(&format!("{}/", manifest_dir.display()), "");
    match error {
        MetaError::Missing { .. } => "no `charmcraft.yaml` or `metadata.yaml` in the crate's directory; add one, or \
                                      point at it with `metadata = \"path/to/charmcraft.yaml\"`"
            .to_owned(),
        MetaError::Io { path, source } => {
            format!("cannot read `{}` (in the crate's directory): {source}", shown(path, manifest_dir))
        }
        MetaError::Yaml { path, message } => {
            format!("cannot parse `{}`: {}", shown(path, manifest_dir), relative(message))
        }
        MetaError::Invalid { path, key, message } => {
            format!("`{}`, key `{key}`: {}", shown(path, manifest_dir), relative(message))
        }
    }
}

/// A path as the user wrote it: relative to the crate's directory when it is inside it.
fn shown(file: &Path, manifest_dir: &Path) -> String {
    file.strip_prefix(manifest_dir).unwrap_or(file).display().to_string()
}

/// The variant name of one of goops-juju's fieldless enums, as a token. The runtime re-exports
/// those enums under `__private`, so the names match.
pub(crate) fn variant(value: impl std::fmt::Debug) -> syn::Ident {
    syn::Ident::new(&format!("{value:?}"), Span::call_site())
}

/// `const _: &[u8] = include_bytes!(…);` per file read, so editing one re-runs the macro.
pub(crate) fn tracking(meta: &CharmMeta) -> TokenStream {
    let files = meta.files.iter().filter_map(|f| f.to_str());
    quote! { #( const _: &[u8] = ::core::include_bytes!(#files); )* }
}

/// The metadata as a `::goops_runtime::__private::CharmMetadata` expression.
pub(crate) fn to_static(meta: &CharmMeta) -> TokenStream {
    let p = quote!(::goops_runtime::__private);
    let name = &meta.name;
    let relations = meta.endpoints.iter().map(|(endpoint, spec)| {
        let interface = &spec.interface;
        let role = variant(spec.role);
        quote! { #p::RelationMeta { endpoint: #endpoint, interface: #interface, role: #p::RelationRole::#role } }
    });
    let storage = meta.storage.keys();
    let containers = meta.containers.keys();
    let actions = meta.actions.iter().map(|(name, spec)| {
        let params = spec.params.keys();
        quote! { #p::ActionMeta { name: #name, params: &[#(#params),*] } }
    });
    let config = meta.config.iter().map(|(name, option)| {
        let kind = variant(option.kind);
        let has_default = option.default.is_some();
        quote! { #p::ConfigOptionMeta { name: #name, kind: #p::ConfigType::#kind, has_default: #has_default } }
    });
    quote! {
        #p::CharmMetadata {
            name: #name,
            relations: &[#(#relations),*],
            storage: &[#(#storage),*],
            containers: &[#(#containers),*],
            actions: &[#(#actions),*],
            config: &[#(#config),*],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bakes_every_section() {
        let meta = CharmMeta::from_charmcraft_yaml(
            "name: x\nrequires:\n  db:\n    interface: pg\npeers:\n  cluster:\n    interface: c\nstorage:\n  data: {}\n\
             containers:\n  web: {}\nactions:\n  do-backup:\n    params:\n      path:\n        type: string\n\
             config:\n  options:\n    port:\n      type: int\n      default: 80\n    name:\n      type: string\n",
        )
        .unwrap();
        let text = to_static(&meta).to_string().replace(' ', "");
        for expected in [
            "name:\"x\"",
            "endpoint:\"cluster\",interface:\"c\",role:::goops_runtime::__private::RelationRole::Peers",
            "endpoint:\"db\",interface:\"pg\",role:::goops_runtime::__private::RelationRole::Requires",
            "storage:&[\"data\"]",
            "containers:&[\"web\"]",
            "name:\"do-backup\",params:&[\"path\"]",
            "name:\"port\",kind:::goops_runtime::__private::ConfigType::Int,has_default:true",
            "name:\"name\",kind:::goops_runtime::__private::ConfigType::String,has_default:false",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
    }

    #[test]
    fn errors_name_the_file_and_key_relative_to_the_crate() {
        let dir = Path::new("/charm");
        let invalid = MetaError::Invalid {
            path: dir.join("charmcraft.yaml"),
            key: "config.options.port.default".to_owned(),
            message: "not an int; see /charm/metadata.yaml".to_owned(),
        };
        assert_eq!(
            describe(&invalid, dir),
            "`charmcraft.yaml`, key `config.options.port.default`: not an int; see metadata.yaml"
        );
        let missing = MetaError::Missing { dir: dir.to_path_buf() };
        assert!(describe(&missing, dir).starts_with("no `charmcraft.yaml` or `metadata.yaml`"));
    }
}
