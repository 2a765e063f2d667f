//! The certificates charm, event by event, on goops-sim's harness (in-process).

mod common;

use chrono::Utc;
use common::*;
use goops_sim::state::{Secret, SecretOwner, StatusName};
use goops_sim::testing::{End, HarnessError, Inconsistency, On, RunReport};

#[test]
fn leader_install_creates_a_real_ca_in_an_application_secret() {
    let state = unit(true);
    let out = harness().run(On::install(), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    assert!(out.committed);
    let secret = out.secret_by_label(LABEL).expect("the CA secret exists");
    assert_eq!(secret.owner, Some(SecretOwner::Application));
    assert_eq!(secret.description.as_deref(), Some("ca certificate and private key for the certificates charm"));
    assert_eq!(secret.rotate, Some(goops_sim::state::RotatePolicy::Never));
    let expire = secret.expire.expect("an expiry");
    let in_a_year = Utc::now() + chrono::Duration::days(365);
    assert!((expire - in_a_year).num_minutes().abs() < 10, "expires one year ahead, not {expire}");
    let content = secret.content(secret.latest()).expect("revision 1");
    assert_eq!(content.keys().collect::<Vec<_>>(), ["ca-certificate", "private-key"]);
    assert!(content["private-key"].starts_with("-----BEGIN PRIVATE KEY-----"));
    let ca_der = der(&content["ca-certificate"]);
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
    assert!(ca.is_ca());
    let cn: Vec<_> = ca.subject().iter_common_name().filter_map(|c| c.as_str().ok()).collect();
    assert_eq!(cn, ["goops-rs self-signed CA"], "the config default names the CA");

    // The new id is logged, the info read back, the unit active; the input state is untouched.
    assert!(out.log_messages().contains(&format!("Created new secret with ID: {}", secret.id).as_str()), "{out:?}");
    assert_eq!(out.calls_of("secret-info-get").len(), 1);
    assert!(out.logs_at("INFO").iter().any(|m| m.contains("revision 1, expires")), "{:?}", out.logs);
    assert_eq!(out.state.unit_status.status, StatusName::Active);
    assert_eq!(out.unit_statuses.len(), 1);
    assert!(state.secrets.is_empty() && state.juju_log.is_empty(), "the input state is never changed");

    // The key never appears on argv or in Debug output.
    for call in &out.tool_calls {
        assert!(!call.args.iter().any(|a| a.contains("PRIVATE KEY")), "secret content on argv: {call:?}");
    }
    assert!(!format!("{out:?}").contains("PRIVATE KEY"));
}

#[test]
fn config_changed_and_upgrade_charm_create_the_ca_too_with_the_configured_name() {
    let mut state = unit(true);
    state.config.insert("ca-common-name".to_owned(), "Example Corp CA".into());
    for event in [On::config_changed(), On::upgrade_charm()] {
        let out = harness().run(event, &state).unwrap();
        assert_eq!(out.end, End::Completed);
        let secret = out.secret_by_label(LABEL).expect("created");
        let ca_der = der(&secret.content(1).unwrap()["ca-certificate"]);
        let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).unwrap();
        let cn: Vec<_> = ca.subject().iter_common_name().filter_map(|c| c.as_str().ok()).collect();
        assert_eq!(cn, ["Example Corp CA"]);
    }
}

#[test]
fn second_install_keeps_the_existing_ca() {
    let first = harness().run(On::install(), &unit(true)).unwrap();
    let again = harness().run(On::install(), &first.state).unwrap();
    assert_eq!(again.end, End::Completed);
    assert!(again.calls_of("secret-add").is_empty());
    // Same secret, same revision; the unit's first read now tracks it (owners track like consumers).
    assert_eq!(first.state.secrets[0].tracked, None, "creating a secret does not read it");
    let tracked: Vec<_> = first.state.secrets.iter().map(|s| Secret { tracked: Some(1), ..s.clone() }).collect();
    assert_eq!(again.state.secrets, tracked);
    assert_eq!(again.state.unit_status.status, StatusName::Active);
}

#[test]
fn a_unit_with_the_secret_already_present_goes_active_without_creating_one() {
    let (secret, _) = ca_secret();
    for leader in [true, false] {
        let mut state = unit(leader);
        state.secrets.push(secret.clone());
        let out = harness().run(On::install(), &state).unwrap();
        assert_eq!(out.end, End::Completed);
        assert!(out.calls_of("secret-add").is_empty());
        assert_eq!(
            out.state.secrets,
            vec![Secret { tracked: Some(1), ..secret.clone() }],
            "read and tracked, not changed"
        );
        assert_eq!(out.state.unit_status.status, StatusName::Active, "leader={leader}");
    }
}

#[test]
fn a_non_leader_without_the_secret_waits_instead_of_failing() {
    let out = harness().run(On::install(), &unit(false)).unwrap();
    assert_eq!(out.end, End::Completed);
    assert!(out.state.secrets.is_empty());
    assert!(out.calls_of("secret-add").is_empty());
    assert_eq!(out.state.unit_status.status, StatusName::Waiting);
    assert_eq!(out.state.unit_status.message, "waiting for the leader to create the CA");
}

#[test]
fn a_good_csr_gets_a_certificate_that_verifies_against_the_ca() {
    let (secret, ca) = ca_secret();
    let request = csr("db.example.internal");
    let mut state = unit(true);
    state.secrets.push(secret);
    state.relations.push(relation_requesting(&[&request]));
    let relation = state.relations[0].clone();
    let out = harness().run(On::relation_changed(&relation), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    let answers = answers(&out.state, RELATION);
    assert_eq!(answers.len(), 1);
    let answer = &answers[0];
    assert_eq!(answer.certificate_signing_request, request);
    assert_eq!(answer.ca, ca.certificate_pem);
    assert_eq!(answer.chain, Some(vec![answer.certificate.clone(), ca.certificate_pem.clone()]));
    assert_signed_by(&answer.certificate, &ca.certificate_pem, "db.example.internal");
    assert_eq!(out.state.unit_status.status, StatusName::Active);
    assert!(out.logs_at("ERROR").is_empty());

    // The same CSR again: the same certificate, nothing rewritten.
    let again = harness().run(On::relation_changed(out.relation(RELATION).unwrap()), &out.state).unwrap();
    assert_eq!(again.end, End::Completed);
    assert!(again.calls_of("relation-set").is_empty(), "{:?}", again.tool_calls);
    assert_eq!(answers_of(&again), answers);
}

fn answers_of(out: &RunReport) -> Vec<goops_tls_certificates::ProvidedCertificate> {
    answers(&out.state, RELATION)
}

#[test]
fn a_bad_csr_is_logged_and_blocks_with_a_message_for_the_operator() {
    let (secret, ca) = ca_secret();
    let good = csr("web.example.internal");
    let mut state = unit(true);
    state.secrets.push(secret);
    state.relations.push(relation_requesting(&["not a CSR", &good]));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    // The hook succeeds: retrying cannot fix the requirer's CSR.
    assert_eq!(out.end, End::Completed, "{out:?}");
    let errors = out.logs_at("ERROR");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "certificates:{RELATION}: rejected a certificate request from requirer/0: the certificate signing request is not valid"
        )),
        "{errors:?}"
    );
    assert_eq!(out.state.unit_status.status, StatusName::Blocked);
    assert_eq!(
        out.state.unit_status.message,
        format!("rejected 1 certificate request(s) on certificates:{RELATION}; see juju debug-log")
    );
    // The good one is still answered; the bad one gets a v4 request error saying why.
    let data = provider_data(&out.state, RELATION);
    assert_eq!(data.certificates.len(), 1);
    assert_signed_by(&data.certificates[0].certificate, &ca.certificate_pem, "web.example.internal");
    let [refused] = &data.request_errors[..] else { panic!("one request error: {data:?}") };
    assert_eq!(refused.csr, "not a CSR");
    assert_eq!((refused.error.code, refused.error.name.as_str()), (999, "other"));
    assert!(refused.error.message.starts_with("the certificate signing request is not valid"), "{refused:?}");

    // Answered once: the next relation-changed neither signs again nor repeats the error.
    let again = harness().run(On::relation_changed(out.relation(RELATION).unwrap()), &out.state).unwrap();
    assert!(again.calls_of("relation-set").is_empty(), "{:?}", again.tool_calls);
}

#[test]
fn a_csr_the_requirer_withdraws_loses_its_certificate() {
    let (secret, _) = ca_secret();
    let (first, second) = (csr("one.example"), csr("two.example"));
    let mut state = unit(true);
    state.secrets.push(secret);
    state.relations.push(relation_requesting(&[&first, &second]));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(answers(&out.state, RELATION).len(), 2);

    let mut state = out.state.clone();
    let requests = relation_requesting(&[&second]).remote_units["requirer/0"].clone();
    state.relations[0].remote_units.insert("requirer/0".to_owned(), requests);
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    let answers = answers(&out.state, RELATION);
    assert_eq!(answers.iter().map(|a| a.certificate_signing_request.as_str()).collect::<Vec<_>>(), [second.as_str()]);
}

#[test]
fn requests_that_are_not_json_are_rejected_the_same_way() {
    let (secret, _) = ca_secret();
    let mut state = unit(true);
    state.secrets.push(secret);
    state.relations.push(relation_with("{not json"));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    let errors = out.logs_at("ERROR");
    assert_eq!(
        errors[0],
        format!(
            "certificates:{RELATION}: rejected a certificate request from requirer/0: key \"certificate_signing_requests\" has the wrong type: invalid type: map, expected a sequence at line 1 column 0"
        ),
    );
    assert_eq!(out.state.unit_status.status, StatusName::Blocked);
    assert!(answers(&out.state, RELATION).is_empty());
}

#[test]
fn relation_changed_before_the_ca_exists_waits_and_a_non_leader_does_nothing() {
    let mut state = unit(true);
    state.relations.push(relation_requesting(&[&csr("a.example")]));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert_eq!(out.state.unit_status.status, StatusName::Waiting);
    assert!(out.calls_of("relation-set").is_empty());

    let (secret, _) = ca_secret();
    let mut state = unit(false);
    state.secrets.push(secret);
    state.relations.push(relation_requesting(&[&csr("a.example")]));
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed);
    assert!(out.calls_of("relation-set").is_empty() && out.calls_of("secret-get").is_empty());
    assert_eq!(out.state.unit_status, state.unit_status);
}

#[test]
fn the_action_returns_the_ca_certificate() {
    let (secret, ca) = ca_secret();
    for leader in [true, false] {
        let mut state = unit(leader);
        state.secrets.push(secret.clone());
        let out = harness().run(On::action("get-ca-certificate"), &state).unwrap();
        assert_eq!(out.end, End::Completed, "{out:?}");
        let action = out.action.as_ref().expect("an action ran");
        assert_eq!(action.result("ca-certificate"), Some(ca.certificate_pem.as_str()));
        assert_eq!(action.status, "completed");
        assert_eq!(action.failure, None);
        assert!(!action.results.values().any(|v| v.as_str().is_some_and(|s| s.contains("PRIVATE KEY"))));
    }
}

#[test]
fn the_action_without_a_ca_fails_with_a_clear_message() {
    let out = harness().run(On::action("get-ca-certificate"), &unit(true)).unwrap();
    let message = "there is no CA certificate yet: the leader creates it on install";
    assert_eq!(out.end, End::ActionFailed(message.to_owned()));
    let action = out.action.unwrap();
    assert_eq!((action.status.as_str(), action.failure.as_deref()), ("failed", Some(message)));
}

#[test]
fn inconsistent_tests_are_refused_before_the_charm_runs() {
    let mut state = unit(true);
    state.config.insert("ca-common-name".to_owned(), 42.into());
    let err = harness().run(On::install(), &state).unwrap_err();
    assert!(
        matches!(&err, HarnessError::Inconsistent(Inconsistency::ConfigType { key, got: "integer", .. }) if key == "ca-common-name"),
        "{err}"
    );
    // An undeclared action parameter: Juju 4 refuses it (Juju 3 would pass it to the charm).
    let mut juju4 = unit(true);
    juju4.model.juju_version = "4.0.1".to_owned();
    let err = harness().run(On::action("get-ca-certificate").param("format", "der"), &juju4).unwrap_err();
    assert!(matches!(err, HarnessError::Inconsistent(Inconsistency::ActionParamUnknown { .. })), "{err}");
    let err = harness().run(On::action("rotate-ca"), &unit(true)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "inconsistent test: action \"rotate-ca\" is not declared by the charm (declared: get-ca-certificate)"
    );
    let relation = relation_requesting(&[]);
    let err = harness().run(On::relation_changed(&relation), &unit(true)).unwrap_err();
    assert!(matches!(err, HarnessError::Inconsistent(Inconsistency::EventRelationMissing { id: RELATION, .. })));
}

#[test]
fn the_quick_start_state_and_csr_work() {
    // scripts/quickstart.sh runs these files under goops-sim; keep them valid.
    let state = goops_sim::State::from_json(include_str!("../testdata/quickstart-state.json")).unwrap();
    let installed = harness().run(On::install(), &state).unwrap();
    assert_eq!(installed.end, End::Completed);
    let ca_pem = installed.secret_by_label(LABEL).unwrap().content(1).unwrap()["ca-certificate"].clone();
    let relation = installed.relation(1).unwrap().clone();
    let out = harness().run(On::relation_changed(&relation), &installed.state).unwrap();
    let answers = answers(&out.state, 1);
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].certificate_signing_request, include_str!("../testdata/csr.pem"));
    assert_signed_by(&answers[0].certificate, &ca_pem, "requirer.example.internal");
}

#[test]
fn an_application_request_for_a_ca_certificate_gets_an_intermediate_ca() {
    let (secret, ca) = ca_secret();
    let request = csr("intermediate.example.internal");
    let mut relation = relation_with("[]");
    let requests = serde_json::json!([{"certificate_signing_request": request, "ca": true}]);
    relation.remote_app_data.insert("certificate_signing_requests".to_owned(), requests.to_string());
    let mut state = unit(true);
    state.secrets.push(secret);
    state.relations.push(relation);
    let out = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert_eq!(out.end, End::Completed, "{out:?}");
    let answers = answers(&out.state, RELATION);
    assert_eq!(answers.len(), 1);
    assert!(signed_by(&answers[0].certificate, &ca.certificate_pem, "intermediate.example.internal"), "a CA");
}

#[test]
fn requests_waiting_for_the_ca_are_answered_when_the_leader_creates_it() {
    let mut state = unit(true);
    state.relations.push(relation_requesting(&[&csr("early.example")]));
    let waited = harness().run(On::relation_changed(&state.relations[0]), &state).unwrap();
    assert!(waited.state.relation(RELATION).unwrap().local_app_data.is_empty(), "nothing published without a CA");

    let installed = harness().run(On::install(), &waited.state).unwrap();
    assert_eq!(installed.end, End::Completed, "{installed:?}");
    let ca_pem = installed.secret_by_label(LABEL).unwrap().content(1).unwrap()["ca-certificate"].clone();
    let answers = answers(&installed.state, RELATION);
    assert_eq!(answers.len(), 1, "answered in the same install hook");
    assert_signed_by(&answers[0].certificate, &ca_pem, "early.example");
    assert_eq!(installed.state.unit_status.status, StatusName::Active);
}
