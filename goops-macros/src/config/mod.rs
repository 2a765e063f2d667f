//! `#[derive(CharmConfig)]` and `#[derive(ActionParams)]`.
use proc_macro2::TokenStream;
pub(crate) enum Kind {
    Config,
    Params,
}
pub(crate) fn derive(_kind: Kind, _item: TokenStream) -> TokenStream {
    TokenStream::new()
}
