//! `ctx.container("name")` with a string literal, in the `#[charm]` impl's methods, must name a
//! container of charmcraft.yaml (`containers:`), as hook scopes must.

use goops_juju::Scope;
use goops_juju::charmcraft::CharmMeta;
use syn::visit::Visit;

use crate::errors::{Ctxt, list, suggestion};

/// The method whose literal argument is checked (goops-runtime's `Context::container`).
const METHOD: &str = "container";

/// Report every `.container("lit")` call in `item`'s methods whose literal is not a declared
/// container. Without charmcraft.yaml nothing is checked.
pub(crate) fn check(cx: &Ctxt, item: &syn::ItemImpl, meta: Option<&CharmMeta>) {
    let Some(meta) = meta else { return };
    let mut visitor = Calls { cx, declared: meta.containers.keys().map(String::as_str).collect() };
    for member in &item.items {
        if let syn::ImplItem::Fn(method) = member {
            visitor.visit_block(&method.block);
        }
    }
}

struct Calls<'a> {
    cx: &'a Ctxt,
    declared: Vec<&'a str>,
}

impl<'ast> Visit<'ast> for Calls<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == METHOD
            && call.args.len() == 1
            && let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(lit), .. })) = call.args.first()
        {
            let name = lit.value();
            if !self.declared.contains(&name.as_str()) {
                let scope = Scope::Container;
                self.cx.spanned(
                    lit,
                    format!(
                        "{} `{name}` is not declared in charmcraft.yaml ({}); declared: {}{}",
                        scope.noun(),
                        scope.sections(),
                        list(self.declared.iter().copied()),
                        suggestion(&name, self.declared.iter().copied())
                    ),
                );
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn errors(item: proc_macro2::TokenStream, yaml: &str) -> Vec<String> {
        let meta = CharmMeta::from_charmcraft_yaml(yaml).expect("valid charmcraft.yaml");
        let cx = Ctxt::new();
        check(&cx, &syn::parse2(item).unwrap(), Some(&meta));
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    const YAML: &str =
        "name: k\ntype: charm\ncontainers:\n  workload:\n    resource: img\n  sidecar:\n    resource: img\n";

    #[test]
    fn declared_names_pass_and_others_are_reported_once_each() {
        let item = quote! {
            impl K {
                fn a(ctx: &Context) { ctx.container("workload").replan(); }
                fn b(&self, ctx: &Context) { let c = ctx.container("workloda"); helper(|| ctx.container("nope")); }
                fn c(ctx: &Context, name: &str) { ctx.container(name); other.container(1); }
            }
        };
        let errors = errors(item, YAML);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            errors[0],
            "container `workloda` is not declared in charmcraft.yaml (containers); declared: `sidecar`, `workload`; did you mean `workload`?"
        );
        assert!(errors[1].starts_with("container `nope` is not declared"), "{errors:?}");
    }

    #[test]
    fn no_containers_declared_says_so() {
        let item = quote! { impl K { fn a(ctx: &Context) { ctx.container("workload"); } } };
        let errors = errors(item, "name: k\ntype: charm\n");
        assert_eq!(
            errors,
            ["container `workload` is not declared in charmcraft.yaml (containers); declared: (none declared)"]
        );
    }
}
