//! The goops "manage secrets" how-to (`shared/seed/manage-secrets.md`), translated line for line.

use goops_runtime::hookcmds::secret::{Expiry, RotatePolicy, SecretAddOptions, SecretOwner, SecretReadMode};
use goops_runtime::{Charm, Context, Handler, HandlerKey, IntoHookOutcome, SecretSelector, SecretString};

const CA_CERTIFICATE_SECRET_LABEL: &str = "active-ca-certificates";

#[derive(Default)]
struct ManageSecrets;

impl ManageSecrets {
    fn configure(&self, ctx: &Context) -> Result<(), String> {
        generate_and_store_root_certificate(ctx)
            .map_err(|e| format!("could not generate and store root certificate: {e}"))
    }
}

fn generate_and_store_root_certificate(ctx: &Context) -> goops_runtime::Result<()> {
    // goops.GetSecretByLabel(label, peek=false, refresh=true)
    if ctx.secret_get(&SecretSelector::label(CA_CERTIFICATE_SECRET_LABEL), SecretReadMode::Refresh)?.is_none() {
        ctx.log_info(format!("could not get secret: secret {CA_CERTIFICATE_SECRET_LABEL:?} not found"))?;

        let secret_content = [
            ("private-key".to_owned(), SecretString::from("Example private key")),
            ("ca-certificate".to_owned(), SecretString::from("Example CA certificate")),
        ]
        .into();

        let expiry = chrono::Utc::now() + chrono::Months::new(12);

        let output = ctx.secret_add(
            &secret_content,
            &SecretAddOptions::new()
                .description("ca certificate and private key for the certificates charm")
                .expire(Expiry::At(expiry))
                .label(CA_CERTIFICATE_SECRET_LABEL)
                .rotate(RotatePolicy::Never)
                .owner(SecretOwner::Application),
        )?;

        ctx.log_info(format!("Created new secret with ID: {output}"))?;

        return Ok(());
    }

    // Go checks for a nil info; here "not found" is `None`, an error is an error.
    if ctx.secret_info(&SecretSelector::label(CA_CERTIFICATE_SECRET_LABEL))?.is_none() {
        return Err(goops_runtime::Error::invalid("secret info", "secret info is nil"));
    }

    Ok(())
}

impl Charm for ManageSecrets {
    const HANDLERS: &'static [Handler<Self>] = &[
        Handler { key: HandlerKey::Hook("install"), run: |c, ctx| c.configure(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("config-changed"), run: |c, ctx| c.configure(ctx).into_hook_outcome() },
        Handler { key: HandlerKey::Hook("upgrade-charm"), run: |c, ctx| c.configure(ctx).into_hook_outcome() },
    ];
}

fn main() -> std::process::ExitCode {
    goops_runtime::run::<ManageSecrets>()
}
