//! Expansion snapshots: each macro's output for representative inputs, pretty-printed, so a
//! codegen change shows up as a reviewed diff (`INSTA_UPDATE=always` to accept, then review).

use proc_macro2::TokenStream;
use quote::quote;

/// Pretty-print an expansion, with this machine's paths replaced.
fn pretty(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    let text = prettyplease::unparse(&file);
    text.replace(env!("CARGO_MANIFEST_DIR"), "$CARGO_MANIFEST_DIR")
}

#[test]
fn charm_table() {
    let out = crate::charm::charm(
        quote!(metadata = "tests/fixtures/charmcraft.yaml"),
        quote! {
            impl MyCharm {
                #[hook(install, config_changed)]
                fn configure(&self, ctx: &Context, config: Config) -> Result<()> { Ok(()) }

                #[hook(relation_changed("db"))]
                fn on_db(event: &RelationEvent) -> Result<()> { Ok(()) }

                #[hook(any)]
                fn fallback(&self) {}

                #[action("do-backup")]
                fn backup(&self, params: BackupParams) -> Result<Report, Error> { Ok(Report::new(params)) }

                #[collect_status]
                fn status(ctx: &Context, config: Config) {}

                fn helper(&self) {}
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn charm_errors_keep_the_impl() {
    let out = crate::charm::charm(
        quote!(metadata = "tests/fixtures/charmcraft.yaml"),
        quote! {
            impl MyCharm {
                #[hook(instal)]
                fn install(&self) -> Result<()> { Ok(()) }
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn secret_accessors() {
    let out = crate::secret::secret(
        quote!(label = "ca", owner = "unit", rotate = "monthly", description = "the CA", expire = "24h"),
        quote! {
            pub struct Ca {
                private_key: SecretString,
                #[secret(key = "cert")]
                certificate: String,
                serial: Option<u64>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn secret_with_the_default_add_options() {
    let out = crate::secret::secret(
        quote!(label = "token"),
        quote!(
            struct Token {
                token: SecretString,
            }
        ),
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn secret_errors_keep_the_struct_and_stub_the_trait() {
    let out = crate::secret::secret(
        quote!(label = "creds"),
        quote! {
            struct Creds<'a> {
                #[secret(key = "Password")]
                password: &'a str,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn charm_config() {
    let out = crate::config::derive(
        crate::config::Kind::Config,
        quote! {
            #[config(metadata = "tests/fixtures/charmcraft.yaml")]
            struct Config {
                port: u16,
                external_hostname: Option<String>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn action_params() {
    let out = crate::config::derive(
        crate::config::Kind::Params,
        quote! {
            #[params(action = "do-backup", metadata = "tests/fixtures/charmcraft.yaml")]
            struct BackupParams {
                target: String,
                retries: Option<u8>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn databag() {
    let out = crate::databag::derive(quote! {
        struct Offer {
            #[databag(required)]
            host: String,
            #[serde(rename = "max-size")]
            max_size: Option<u32>,
            #[databag(rename = "ca-chain", default)]
            chain: Vec<String>,
            #[databag(raw)]
            version: Option<String>,
            #[databag(raw, default)]
            mode: String,
            #[databag(unchecked)]
            url: Option<Url>,
        }
    });
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn databag_errors_stub_the_trait() {
    let out = crate::databag::derive(quote! {
        struct Offer {
            host: String,
        }
    });
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn databag_value() {
    let out = crate::databag::derive_value(quote! {
        enum Mode {
            Fast,
            Limited { rate: u32 },
            #[serde(other)]
            Unknown,
        }
    });
    insta::assert_snapshot!(pretty(out));
    let out = crate::databag::derive_value(quote! {
        struct Pair<T> {
            left: T,
            right: Vec<T>,
        }
    });
    insta::assert_snapshot!("databag_value_generic", pretty(out));
}
