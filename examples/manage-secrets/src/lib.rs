//! The goops (Go) how-to "Manage secrets", translated line for line
//! from Go into goops-rs: the smallest complete charm. README.md shows both side by side.
//!
//! Errors are `String`s built with `format!`, as the Go code builds them with `fmt.Errorf`, so
//! the hook's error chain reads the same in `juju debug-log`.

use goops_runtime::prelude::*;

/// `CaCertificateSecretLabel`.
pub const CA_CERTIFICATE_SECRET_LABEL: &str = "active-ca-certificates";

/// The charm.
#[derive(Default)]
pub struct ManageSecrets;

#[charm]
impl ManageSecrets {
    /// `Configure`.
    #[hook(install, config_changed, upgrade_charm)]
    fn configure(ctx: &Context) -> Result<(), String> {
        generate_and_store_root_certificate(ctx)
            .map_err(|err| format!("could not generate and store root certificate: {err}"))?;

        Ok(())
    }
}

/// `generateAndStoreRootCertificate`.
fn generate_and_store_root_certificate(ctx: &Context) -> Result<(), String> {
    // goops.GetSecretByLabel(label, peek=false, refresh=true); "not found" is an error in Go.
    let secret = match ctx.secret_get(&SecretSelector::label(CA_CERTIFICATE_SECRET_LABEL), SecretReadMode::Refresh) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(format!("secret {CA_CERTIFICATE_SECRET_LABEL:?} not found")),
        Err(err) => Err(err.to_string()),
    };
    if let Err(err) = secret {
        ctx.log_info(format!("could not get secret: {err}"));

        let secret_content: SecretContent = [
            ("private-key".to_owned(), SecretString::from("Example private key")),
            ("ca-certificate".to_owned(), SecretString::from("Example CA certificate")),
        ]
        .into();

        let expiry = chrono::Utc::now() + chrono::Months::new(12);

        let output = ctx
            .secret_add(
                &secret_content,
                &SecretAddOptions::new()
                    .description("ca certificate and private key for the certificates charm")
                    .expire(Expiry::At(expiry))
                    .label(CA_CERTIFICATE_SECRET_LABEL)
                    .rotate(RotatePolicy::Never)
                    .owner(SecretOwner::Application),
            )
            .map_err(|err| format!("could not add secret: {err}"))?;

        ctx.log_info(format!("Created new secret with ID: {output}"));

        return Ok(());
    }

    let secret_info = ctx
        .secret_info(&SecretSelector::label(CA_CERTIFICATE_SECRET_LABEL))
        .map_err(|err| format!("could not get secret info: {err}"))?;

    // goops-rs says "not found" with `None` where goops returns an error or a nil info.
    if secret_info.is_none() {
        return Err("secret info is nil".to_owned());
    }

    Ok(())
}
