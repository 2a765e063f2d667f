//! `credential-get` (docs/hook-tools.md §4.2).

use goops_runtime::hookcmds::credential;
use goops_sim::State;
use goops_sim::state::{CloudCredential, CloudSpec};

use crate::Coverage;
use crate::support::{Kind, assert_juju_error, bag, err, finish, hook, secret_value};

pub(crate) const COVERAGE: Coverage =
    &[("credential_get", &[the_cloud_spec_comes_back_whole, a_minimal_spec, an_untrusted_application_is_refused])];

#[test]
pub(crate) fn the_cloud_spec_comes_back_whole() {
    let password = secret_value(6);
    let state = State {
        trusted: true,
        cloud_spec: Some(CloudSpec {
            cloud_type: "openstack".into(),
            name: "mycloud".into(),
            region: Some("RegionOne".into()),
            endpoint: Some("https://keystone:5000/v3".into()),
            identity_endpoint: Some("https://identity".into()),
            storage_endpoint: Some("https://storage".into()),
            credential: Some(CloudCredential {
                auth_type: "userpass".into(),
                attrs: bag(&[("username", "admin"), ("password", password)]),
                redacted: vec!["token".into()],
            }),
            cacertificates: vec!["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into()],
            skip_tls_verify: true,
            is_controller_cloud: false,
        }),
        ..State::default()
    };
    let engine = hook(state, "install");
    let spec = credential::credential_get(&engine).expect("a trusted application reads its cloud");
    assert_eq!((spec.cloud_type.as_str(), spec.name.as_str()), ("openstack", "mycloud"));
    assert_eq!(spec.region.as_deref(), Some("RegionOne"));
    assert_eq!(spec.endpoint.as_deref(), Some("https://keystone:5000/v3"));
    assert_eq!(spec.identity_endpoint.as_deref(), Some("https://identity"));
    assert_eq!(spec.storage_endpoint.as_deref(), Some("https://storage"));
    let cred = spec.credential.as_ref().expect("a credential");
    assert_eq!(cred.auth_type, "userpass");
    assert_eq!(cred.attrs["username"].expose_secret(), "admin");
    assert_eq!(cred.attrs["password"].expose_secret(), password);
    assert_eq!(cred.redacted, ["token"]);
    assert_eq!(spec.cacertificates, ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"]);
    assert!(spec.skip_tls_verify && !spec.is_controller_cloud);
    assert!(!format!("{spec:?}").contains(password), "credential attributes are redacted in Debug");
    // `finish` also checks the report: its state holds the credential, and Debug must not show it.
    finish(&engine, true);
}

#[test]
pub(crate) fn a_minimal_spec() {
    let spec = CloudSpec { cloud_type: "lxd".into(), name: "localhost".into(), ..CloudSpec::default() };
    let engine = hook(State { trusted: true, cloud_spec: Some(spec), ..State::default() }, "install");
    let spec = credential::credential_get(&engine).expect("spec");
    assert_eq!((spec.cloud_type.as_str(), spec.name.as_str()), ("lxd", "localhost"));
    assert!(spec.credential.is_none() && spec.region.is_none() && spec.cacertificates.is_empty());
    assert!(!spec.skip_tls_verify);
    finish(&engine, true);
}

#[test]
pub(crate) fn an_untrusted_application_is_refused() {
    // §4.2 `cannot access cloud credentials: <err>`; the controller's error for an application
    // that is not trusted is ErrPerm, `permission denied` (§1.2).
    let spec = CloudSpec { cloud_type: "lxd".into(), name: "localhost".into(), ..CloudSpec::default() };
    let engine = hook(State { trusted: false, cloud_spec: Some(spec), ..State::default() }, "install");
    let error = err(credential::credential_get(&engine));
    assert_juju_error(
        &error,
        Kind::PermissionDenied,
        "credential-get",
        "cannot access cloud credentials: permission denied",
    );
    assert!(error.is_permission_denied());
    finish(&engine, true);
}
