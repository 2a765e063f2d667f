//! The generated code is clean under `clippy::pedantic` (CI runs clippy with `-D warnings` on
//! every target, so a lint in the expansion fails the build).

#![warn(clippy::pedantic)]

use goops_runtime::prelude::*;

/// A secret.
#[secret(label = "lint-secret", owner = "unit", rotate = "daily", description = "d", expire = "1h")]
pub struct LintSecret {
    /// A password.
    pub password: SecretString,
    /// A port.
    pub port: Option<u16>,
}

/// The config.
#[derive(CharmConfig)]
#[config(metadata = "tests/fixtures/charmcraft.yaml")]
pub struct LintConfig {
    /// The port.
    pub port: i64,
}

/// The parameters.
#[derive(ActionParams)]
#[params(action = "do-backup", metadata = "tests/fixtures/charmcraft.yaml")]
pub struct LintParams {
    /// The target.
    pub target: String,
}

/// The charm.
#[derive(Default)]
pub struct LintCharm {
    greeting: String,
}

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl LintCharm {
    #[hook(install, relation_changed("db"))]
    fn configure(ctx: &Context, config: LintConfig, relation: Option<&RelationEvent>) -> goops_runtime::Result<()> {
        let _ = (ctx, config.port, relation);
        Ok(())
    }

    #[hook(any)]
    fn fallback() {}

    #[action("do-backup")]
    fn backup(&self, params: LintParams) -> std::result::Result<(), Error> {
        let _ = (&self.greeting, params.target);
        Ok(())
    }

    #[collect_status]
    fn status(ctx: &Context) {
        let _ = ctx;
    }
}

#[test]
fn expands() {
    assert_eq!(<LintCharm as Charm>::HANDLERS.len(), 4);
    assert!(<LintCharm as Charm>::COLLECT_STATUS.is_some());
    assert_eq!(LintSecret::KEYS, ["password", "port"]);
}
