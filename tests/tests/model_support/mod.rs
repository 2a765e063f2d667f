//! What the model tests share: the charms staged for a model, the Python venv of the
//! tls-certificates library, and readers of what a settled model holds (statuses, relation
//! bags, secrets) with the certificate checks. Readers return `Err(String)` rather than
//! panicking so that `explore` checks can use them.

// Each test file uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use goops_sim::model::controller::SecretOwnerRef;
use goops_sim::model::{DispatchCharm, Model};
use goops_sim::state::StatusName;
use goops_tests::{TempDir, pip_venv, stage_python_charm, target_dir, workspace_root};

/// The pinned version of the Python tls-certificates library (also in the Python charms'
/// `requirements.txt`).
pub const TLS_LIB_VERSION: &str = "1.12.0";

/// The requirer's default `common-name` (examples/tls-requirer/charmcraft.yaml).
pub const RUST_REQUIRER_CN: &str = "tls-requirer.example.internal";

/// The Python requirer's common name (tests/tls-python-requirer/src/charm.py).
pub const PY_REQUIRER_CN: &str = "py-requirer.example";

/// A venv with ops and the pinned tls-certificates library, shared by the tests (created on
/// first use; PyPI must be reachable then).
pub fn tls_python() -> PathBuf {
    let venv = target_dir().join(format!("tls-venv-{TLS_LIB_VERSION}"));
    let packages = [
        format!("ops=={}", goops_tests::OPS_VERSION),
        format!("charmlibs-interfaces-tls-certificates=={TLS_LIB_VERSION}"),
    ];
    let bin = pip_venv(&venv, &packages, &|bin| {
        let check = "from charmlibs.interfaces import tls_certificates as t; print(t.__version__)";
        let out = Command::new(bin.join("python")).args(["-c", check]).output().expect("run the venv's python");
        let found = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert_eq!(
            found,
            TLS_LIB_VERSION,
            "the venv imports the library {found}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    })
    .unwrap_or_else(|e| panic!("cannot prepare {}: {e}", venv.display()));
    bin.join("python")
}

/// A Python charm of `tests/<name>` staged (as `charmcraft pack` lays it out, with a
/// `dispatch` running `python`) in a temp dir that lives as long as the value.
pub struct StagedPython {
    _dir: TempDir,
    /// The charm dir (metadata, `src/`, `dispatch`).
    pub charm: PathBuf,
}

impl StagedPython {
    /// Stages `tests/<name>` with `python`.
    pub fn new(name: &str, python: &Path) -> StagedPython {
        let dir = TempDir::new(&format!("goops-model-{name}"));
        let charm = dir.path().join("charm");
        stage_python_charm(&workspace_root().join("tests").join(name), &charm, python);
        StagedPython { _dir: dir, charm }
    }

    /// The staged charm as a model charm, run by `goops-sim run`.
    pub fn charm(&self) -> DispatchCharm {
        DispatchCharm::new(&self.charm).unwrap_or_else(|e| panic!("cannot load {}: {e}", self.charm.display()))
    }
}

/// An example charm's directory (`examples/<name>`).
pub fn example_dir(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

/// `unit`'s workload status as `(status, message)`.
pub fn unit_status(model: &Model, unit: &str) -> Result<(StatusName, String), String> {
    let u = model.controller().units.get(unit).ok_or_else(|| format!("no unit {unit}"))?;
    Ok((u.status.status, u.status.message.clone()))
}

/// Every unit of the model is active and no agent is in error.
pub fn all_active(model: &Model) -> Result<(), String> {
    for name in model.controller().unit_names() {
        let unit = &model.controller().units[&name];
        if unit.life == goops_sim::model::Life::Dead {
            continue;
        }
        if let Some(error) = &unit.agent.error {
            return Err(format!("{name} is in error: {} ({})", error.op.hook, error.message));
        }
        if unit.status.status != StatusName::Active {
            return Err(format!("{name} is {} {:?}, not active", unit.status.status.as_str(), unit.status.message));
        }
    }
    Ok(())
}

/// The alive units of `app`, in number order.
pub fn alive_units(model: &Model, app: &str) -> Vec<String> {
    let ctrl = model.controller();
    ctrl.units_of(app).into_iter().filter(|u| ctrl.units[u].life == goops_sim::model::Life::Alive).collect()
}

/// The latest content of the secret owned by `owner` whose label satisfies `label`.
pub fn secret_content(
    model: &Model,
    owner: &SecretOwnerRef,
    label: impl Fn(&str) -> bool,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let secret = model
        .controller()
        .secrets
        .iter()
        .find(|s| &s.owner == owner && s.label.as_deref().is_some_and(&label))
        .ok_or_else(|| format!("no secret of {owner:?} with the wanted label"))?;
    let latest = secret.latest();
    secret
        .revisions
        .iter()
        .find(|r| r.revision == latest)
        .map(|r| r.content.clone())
        .ok_or_else(|| format!("secret {} has no revision {latest}", secret.id))
}

/// The certificate (PEM) `unit` holds: the tls-certificates library keeps it in a unit-owned
/// secret labelled `<LIBID>-certificate-<unit number>-certificates-…` (the Python library's
/// labels, which the Rust library copies).
pub fn held_certificate(model: &Model, unit: &str) -> Result<String, String> {
    let number = unit.rsplit_once('/').map(|(_, n)| n).ok_or_else(|| format!("{unit} is not app/N"))?;
    let infix = format!("-certificate-{number}-certificates-");
    let content = secret_content(model, &SecretOwnerRef::Unit(unit.to_owned()), |l| l.contains(&infix))
        .map_err(|e| format!("{unit} holds no certificate: {e}"))?;
    content.get("certificate").cloned().ok_or_else(|| format!("{unit}'s certificate secret has no certificate"))
}

/// The CA certificate (PEM) the provider `app` keeps in its application-owned secret: the
/// Rust charm's `active-ca-certificates` (`ca-certificate`) or the Python charm's
/// `py-provider-ca` (`certificate`).
pub fn provider_ca(model: &Model, app: &str) -> Result<String, String> {
    let owner = SecretOwnerRef::Application(app.to_owned());
    let content = secret_content(model, &owner, |l| l == "active-ca-certificates" || l == "py-provider-ca")?;
    content
        .get("ca-certificate")
        .or_else(|| content.get("certificate"))
        .cloned()
        .ok_or_else(|| format!("{app}'s CA secret has no certificate"))
}

/// `cert_pem` is signed by `ca_pem`, is not a CA and names `cn`.
pub fn verify_issued_by(cert_pem: &str, ca_pem: &str, cn: &str) -> Result<(), String> {
    let der = |what: &str, pem: &str| {
        x509_parser::pem::parse_x509_pem(pem.as_bytes())
            .map(|(_, pem)| pem.contents)
            .map_err(|e| format!("the {what} is not PEM: {e}"))
    };
    let (cert_der, ca_der) = (der("certificate", cert_pem)?, der("CA", ca_pem)?);
    let (_, cert) = x509_parser::parse_x509_certificate(&cert_der).map_err(|e| format!("certificate: {e}"))?;
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).map_err(|e| format!("CA: {e}"))?;
    cert.verify_signature(Some(ca.public_key())).map_err(|e| format!("the CA's signature does not verify: {e}"))?;
    if cert.issuer() != ca.subject() {
        return Err(format!("issued by {}, not by the CA {}", cert.issuer(), ca.subject()));
    }
    if cert.is_ca() {
        return Err("the certificate is a CA".to_owned());
    }
    let names: Vec<_> = cert.subject().iter_common_name().filter_map(|c| c.as_str().ok()).collect();
    if names != [cn] {
        return Err(format!("the certificate names {names:?}, not {cn:?}"));
    }
    Ok(())
}

/// Every alive unit of `requirer` holds a certificate for `cn` that verifies against the CA
/// of `provider`, and no two units hold the same certificate (each has its own key).
pub fn certificates_verify(model: &Model, provider: &str, requirer: &str, cn: &str) -> Result<(), String> {
    let ca = provider_ca(model, provider)?;
    let mut seen = Vec::new();
    for unit in alive_units(model, requirer) {
        let cert = held_certificate(model, &unit)?;
        verify_issued_by(&cert, &ca, cn).map_err(|e| format!("{unit}: {e}"))?;
        if seen.contains(&cert) {
            return Err(format!("{unit} holds the same certificate as another unit"));
        }
        seen.push(cert);
    }
    if seen.is_empty() {
        return Err(format!("{requirer} has no alive unit"));
    }
    Ok(())
}

/// The provider's answers in relation `id`: the `certificates` list of `provider`'s app bag.
pub fn provider_answers(model: &Model, id: u32, provider: &str) -> Result<Vec<serde_json::Value>, String> {
    let relation = model.controller().relation(id).ok_or_else(|| format!("no relation {id}"))?;
    let bag = relation.app_data.get(provider).ok_or_else(|| format!("{provider} wrote no app bag in {id}"))?;
    let text = bag.data.get("certificates").ok_or_else(|| format!("no certificates in {provider}'s app bag"))?;
    serde_json::from_str(text).map_err(|e| format!("{provider}'s certificates are not a JSON list: {e}"))
}
