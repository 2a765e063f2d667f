//! Expansion snapshots of charm libraries: `#[charm_lib]`, and a `#[charm]` that includes
//! libraries with `#[lib]` (`INSTA_UPDATE=always` to accept, then review the diff).

use proc_macro2::TokenStream;
use quote::quote;

/// Pretty-print an expansion, with this machine's paths replaced.
fn pretty(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    prettyplease::unparse(&file).replace(env!("CARGO_MANIFEST_DIR"), "$CARGO_MANIFEST_DIR")
}

#[test]
fn library_table() {
    let out = super::library::charm_lib(
        quote!(interface = "tls-certificates", role = "requires", event = TlsEvent),
        quote! {
            impl TlsRequirer {
                #[hook(relation_joined, relation_changed)]
                fn on_changed(&self, ctx: &Context, rel: &RelationEvent) -> HookResult { Ok(()) }

                #[hook(update_status, secret_expired)]
                fn renew(ctx: &Context) -> HookResult { Ok(()) }

                #[collect_status]
                fn status(&self, ctx: &Context) {}

                pub fn certificate(&self, ctx: &Context) -> Option<String> { None }
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn charm_with_libraries() {
    let out = super::charm(
        quote!(metadata = "tests/fixtures/charmcraft.yaml"),
        quote! {
            impl MyCharm {
                #[lib(endpoint = "certificates", events = on_tls)]
                fn tls(&self) -> &TlsProvider { &self.tls }

                #[lib(endpoint = "db")]
                fn db(&self) -> &db::Requirer { &self.db }

                fn on_tls(&self, ctx: &Context, event: &TlsEvent) -> HookResult { Ok(()) }

                #[hook(relation_changed("certificates"))]
                fn on_certificates(&self) {}
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}
