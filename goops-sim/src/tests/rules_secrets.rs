//! One test per rule of docs/hook-tools.md §7, rules 24–45 (secrets, unit state, ports,
//! storage, addresses, config, environment, stdin), run through the in-process engine.

use super::*;
use crate::EventOptions;
use crate::tools::ToolResponse;

#[test]
fn rule_24_app_secrets_need_leadership() {
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    // A leader that loses leadership mid-hook: every management tool refuses at once.
    let e = engine(base(), "install");
    e.with(|s| s.state.leader = false);
    fails(&e, "secret-add", &["key=value"], 1, "this unit is not the leader");
    fails(&e, "secret-set", &[id, "password=two"], 1, "this unit is not the leader");
    fails(&e, "secret-remove", &[id], 1, "this unit is not the leader");
    fails(&e, "secret-grant", &[id, "-r", "1"], 1, "this unit is not the leader");
    fails(&e, "secret-revoke", &[id, "-r", "1"], 1, "this unit is not the leader");
    // A unit that was not leader when the hook started has no app-secret metadata (as in Juju):
    // secret-add is refused, secret-grant cannot find the secret, and secret-set is accepted but
    // fails the hook when its changes are committed.
    let e = engine(non_leader(), "install");
    fails(&e, "secret-add", &["key=value"], 1, "this unit is not the leader");
    fails(&e, "secret-grant", &[id, "-r", "1"], 1, "secret \"aaaaaaaaaaaaaaaaaaaa\" not found");
    ok(&e, "secret-set", &[id, "password=two"]);
    ok(&e, "state-set", &["other=write"]);
    let finished = e.finish(true).unwrap();
    assert!(!finished.committed);
    assert_eq!(finished.end, crate::testing::End::CommitRefused("permission denied".into()));
    assert!(finished.state.unit_state.is_empty());
    assert_eq!(finished.state.secret(id).unwrap().latest(), 1);
    // Unit-owned secrets need no leadership.
    let e = engine(non_leader(), "install");
    assert!(ok(&e, "secret-add", &["--owner", "unit", "key=value"]).starts_with("secret:"));
    ok(&e, "secret-set", &["secret:cccccccccccccccccccc", "key=u2"]);
    let finished = e.finish(true).unwrap();
    assert!(finished.committed, "{:?}", finished.end);
    assert_eq!(finished.state.secret("cccccccccccccccccccc").unwrap().latest(), 2);
}

#[test]
fn rule_25_secret_content_keys_and_encodings() {
    let dir = temp_dir("rule25");
    std::fs::write(dir.join("cert"), "-----BEGIN-----\nabc\n").unwrap();
    let e = engine(base(), "install");
    e.with(|s| s.charm_dir = dir.clone());
    fails(&e, "secret-add", &["Ab=1"], 2, "key \"Ab\" not valid");
    fails(&e, "secret-add", &["ab=1"], 2, "key \"ab\" not valid");
    fails(&e, "secret-add", &["key="], 2, "key value \"key=\" not valid");
    let uri = ok(
        &e,
        "secret-add",
        &["plain-key=hello", "encoded#base64=aGk=", &format!("cert#file={}", dir.join("cert").display())],
    );
    let uri = uri.trim();
    assert_eq!(ok(&e, "secret-get", &[uri, "encoded"]), "hi\n");
    assert_eq!(ok(&e, "secret-get", &[uri, "encoded#base64"]), "aGk=\n");
    assert_eq!(ok(&e, "secret-get", &[uri, "cert"]), "|\n  -----BEGIN-----\n  abc\n");
    // The agent opens #file paths itself, relative to its own directory, not the hook's: a path
    // relative to the charm dir is not found there.
    fails(&e, "secret-add", &["cert#file=cert"], 2, "open cert: no such file or directory");
    fails(&e, "secret-add", &["--file", "cert"], 2, "open cert: no such file or directory");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rule_26_secret_add_requires_content_and_prints_the_uri() {
    let e = engine(base(), "install");
    fails(&e, "secret-add", &[], 2, "missing secret value or filename");
    let out = ok(&e, "secret-add", &["--label", "new", "password=pw"]);
    assert!(out.starts_with("secret:") && out.ends_with('\n') && out.trim().len() == 27, "{out:?}");
    let bare = &out.trim()["secret:".len()..];
    assert!(ok(&e, "secret-ids", &[]).contains(bare));
}

#[test]
fn rule_27_rotate_and_expire_are_validated() {
    let e = engine(base(), "install");
    fails(&e, "secret-add", &["--rotate", "sometimes", "k1k=v"], 2, "rotate policy \"sometimes\" not valid");
    fails(&e, "secret-add", &["--expire", "-1h", "k1k=v"], 2, "negative expire duration \"-1h\" not valid");
    fails(&e, "secret-add", &["--expire", "tomorrow", "k1k=v"], 2, "expire time or duration \"tomorrow\" not valid");
    fails(&e, "secret-add", &["--owner", "model", "k1k=v"], 2, "secret owner \"model\" not valid");
    for expire in ["2030-01-02T03:04:05Z", "2030-01-02T03:04:05", "24h"] {
        ok(&e, "secret-add", &["--rotate", "daily", "--expire", expire, "k1k=v"]);
    }
    let uri = ok(&e, "secret-add", &["--rotate", "weekly", "--expire", "2030-01-02T03:04:05Z", "k1k=v"]);
    let info = ok(&e, "secret-info-get", &[uri.trim(), "--format=json"]);
    assert!(info.contains("\"rotation\":\"weekly\",\"expiry\":\"2030-01-02T03:04:05Z\"}"), "{info}");
    // The controller schedules the rotation when it stores the secret.
    let state = e.finish(true).unwrap().state;
    let e = engine(state, "update-status");
    let info = ok(&e, "secret-info-get", &[uri.trim(), "--format=json"]);
    assert!(info.contains("\"rotation\":\"weekly\",\"expiry\":\"2030-01-02T03:04:05Z\",\"rotates\":"), "{info}");
}

#[test]
fn rule_28_duplicate_label_in_one_hook_is_rejected() {
    let e = engine(base(), "install");
    ok(&e, "secret-add", &["--label", "dup", "key=v"]);
    fails(&e, "secret-add", &["--label", "dup", "key=w"], 1, "secret with label \"dup\" already exists");
    // A clash with an existing secret's label is the controller's to refuse, at commit
    // (secretsChangeRecorder.create checks only this hook's creates), with state's messages
    // (uniqueSecretOwnerLabelOps).
    ok(&e, "secret-add", &["--label", "mine", "key=w"]);
    let refused = |e: Engine| match e.finish(true).unwrap().end {
        crate::testing::End::CommitRefused(message) => message,
        other => panic!("committed: {other:?}"),
    };
    assert_eq!(refused(e), "secret label \"mine\" for owner \"application-demo\" already exists");
    // An application label may not be a unit's label (owner or consumer), nor the reverse.
    let e = engine(base(), "install");
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "--label", "unit-owned"]);
    assert_eq!(refused(e), "secret label \"unit-owned\" for \"application-demo\" already exists");
    let e = engine(base(), "install");
    ok(&e, "secret-add", &["--owner", "unit", "--label", "theirs", "key=v"]);
    assert_eq!(refused(e), "secret label \"theirs\" for consumer \"unit-demo-0\" already exists");
    // A secret-set that moves a label onto another secret, unless that one gives it up.
    let e = engine(base(), "install");
    ok(&e, "secret-add", &["--label", "fresh", "key=v"]);
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "--label", "fresh"]);
    assert_eq!(refused(e), "secret label \"fresh\" for owner \"application-demo\" already exists");
    let e = engine(base(), "install");
    ok(&e, "secret-add", &["--label", "mine", "key=w"]);
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "--label", "renamed"]);
    assert!(e.finish(true).unwrap().committed);
    // A consumer label is saved at once, and refused at once when taken.
    let e = engine(base(), "install");
    fails(
        &e,
        "secret-get",
        &["secret:bbbbbbbbbbbbbbbbbbbb", "--label", "mine"],
        1,
        "secret label \"mine\" for \"unit-demo-0\" already exists",
    );
    fails(
        &e,
        "secret-get",
        &["secret:bbbbbbbbbbbbbbbbbbbb", "--label", "unit-owned"],
        1,
        "secret label \"unit-owned\" for owner \"unit-demo-0\" already exists",
    );
}

#[test]
fn rule_29_secret_set_makes_a_revision_only_for_changed_content() {
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(base(), "install");
    ok(&e, "secret-set", &[id, "password=one"]);
    ok(&e, "secret-set", &[id, "--description", "metadata only"]);
    let s = e.finish(true).unwrap().state;
    let secret = s.secret(id).unwrap();
    assert_eq!((secret.latest(), secret.description.as_deref()), (1, Some("metadata only")));
    let e = engine(s, "install");
    ok(&e, "secret-set", &[id, "password=two"]);
    let s = e.finish(true).unwrap().state;
    assert_eq!(s.secret(id).unwrap().latest(), 2);
    assert_eq!(s.secret(id).unwrap().content(2).unwrap()["password"], "two");
}

#[test]
fn rule_30_secret_get_revisions_for_owners_and_consumers() {
    let consumed = "secret:bbbbbbbbbbbbbbbbbbbb";
    let e = engine(base(), "install");
    // Consumer: tracked revision, --peek latest once, --refresh latest and re-track.
    assert_eq!(ok(&e, "secret-get", &[consumed, "token"]), "t1\n");
    assert_eq!(ok(&e, "secret-get", &[consumed, "token", "--peek"]), "t2\n");
    assert_eq!(ok(&e, "secret-get", &[consumed, "token"]), "t1\n");
    fails(&e, "secret-get", &[consumed, "--peek", "--refresh"], 2, "specify one of --peek or --refresh but not both");
    assert_eq!(ok(&e, "secret-get", &[consumed, "token", "--refresh"]), "t2\n");
    assert_eq!(ok(&e, "secret-get", &[consumed, "token"]), "t2\n");
    assert_eq!(e.finish(true).unwrap().state.secret(consumed).unwrap().tracked, Some(2));
    // Owner: the same; a pending update is only seen with --peek/--refresh.
    let owned = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(base(), "install");
    ok(&e, "secret-set", &[owned, "password=two"]);
    assert_eq!(ok(&e, "secret-get", &[owned, "password"]), "one\n");
    assert_eq!(ok(&e, "secret-get", &[owned, "password", "--peek"]), "two\n");
    fails(&e, "secret-get", &[owned, "nokey"], 1, "secret key value \"nokey\" not found");
    // The owner's first read pinned revision 1: its new revision 2 is read with --refresh only.
    let state = e.finish(true).unwrap().state;
    assert_eq!(state.secret(owned).unwrap().tracked, Some(1));
    let e = engine(state, "install");
    assert_eq!(ok(&e, "secret-get", &[owned, "password"]), "one\n");
    assert_eq!(ok(&e, "secret-get", &["--label", "mine"]), "password: one\n");
    assert_eq!(ok(&e, "secret-get", &[owned, "password", "--refresh"]), "two\n");
    assert_eq!(ok(&e, "secret-get", &[owned, "password"]), "two\n");
    assert_eq!(e.finish(true).unwrap().state.secret(owned).unwrap().tracked, Some(2));
}

#[test]
fn rule_31_secret_get_label_resolution() {
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "secret-get", &["--label", "mine"]), "password: one\n");
    assert_eq!(ok(&e, "secret-get", &["--label", "theirs"]), "token: t1\n");
    fails(&e, "secret-get", &["--label", "nobody"], 1, "consumer label \"nobody\" not found");
    fails(&e, "secret-get", &[], 2, "require either a secret URI or label");
    // URI + label sets the consumer label at once (kept even if the hook fails).
    ok(&e, "secret-get", &["secret:bbbbbbbbbbbbbbbbbbbb", "--label", "renamed"]);
    let s = e.finish(false).unwrap().state;
    assert_eq!(s.secret("bbbbbbbbbbbbbbbbbbbb").unwrap().consumer_label.as_deref(), Some("renamed"));
}

#[test]
fn rule_32_secret_info_and_ids_see_only_owned_secrets() {
    let e = engine(non_leader(), "install");
    assert_eq!(ok(&e, "secret-ids", &[]), "cccccccccccccccccccc\n");
    fails(&e, "secret-info-get", &["secret:aaaaaaaaaaaaaaaaaaaa"], 1, "secret \"aaaaaaaaaaaaaaaaaaaa\" not found");
    fails(&e, "secret-info-get", &["--label", "theirs"], 1, "secret \"theirs\" not found");
    let e = engine(base(), "install");
    assert_eq!(ok(&e, "secret-ids", &["--format=json"]), "[\"aaaaaaaaaaaaaaaaaaaa\",\"cccccccccccccccccccc\"]\n");
    assert_eq!(
        ok(&e, "secret-info-get", &["--label", "mine"]),
        "aaaaaaaaaaaaaaaaaaaa:\n  revision: 1\n  label: mine\n  owner: application\n"
    );
}

#[test]
fn rule_33_secret_info_get_takes_uri_xor_label() {
    let e = engine(base(), "install");
    fails(&e, "secret-info-get", &[], 2, "require either a secret URI or label");
    fails(
        &e,
        "secret-info-get",
        &["secret:aaaaaaaaaaaaaaaaaaaa", "--label", "mine"],
        2,
        "specify either a secret URI or label but not both",
    );
    fails(&e, "secret-info-get", &["secret:bad"], 2, "secret URI \"secret:bad\" not valid");
}

#[test]
fn rule_34_secret_grant_checks() {
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(base(), "install");
    fails(&e, "secret-grant", &[], 2, "missing secret URI");
    fails(&e, "secret-grant", &[id], 2, "no relation id specified");
    fails(
        &e,
        "secret-grant",
        &[id, "-r", "1", "--unit", "other/0"],
        2,
        "cannot specify unit \"other/0\" in relation to application \"pg\"",
    );
    fails(&e, "secret-grant", &[id, "-r", "1", "--unit", "pg"], 2, "unit \"pg\" not valid");
    fails(
        &e,
        "secret-grant",
        &["secret:bbbbbbbbbbbbbbbbbbbb", "-r", "1"],
        1,
        "secret \"bbbbbbbbbbbbbbbbbbbb\" not found",
    );
    ok(&e, "secret-grant", &[id, "-r", "1", "--unit", "pg/0"]);
    fails(
        &e,
        "secret-grant",
        &[id, "-r", "1"],
        1,
        "any unit level grants need to be revoked before granting access to the corresponding application",
    );
    let s = e.finish(true).unwrap().state;
    assert_eq!(s.secret(id).unwrap().grants, vec![crate::state::SecretGrant { relation_id: 1, target: "pg/0".into() }]);
    let e = engine(s, "install");
    ok(&e, "secret-revoke", &[id, "--unit", "pg/0"]);
    ok(&e, "secret-grant", &[id, "-r", "db:1"]);
    let info = ok(&e, "secret-info-get", &[id, "--format=json"]);
    assert!(info.contains("\"access\":[{\"target\":\"application-pg\""), "{info}");
}

#[test]
fn rule_35_secret_revoke_needs_exactly_one_target() {
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(base(), "install");
    fails(&e, "secret-revoke", &[id], 2, "missing relation or application or unit");
    fails(&e, "secret-revoke", &[id, "--app", "pg", "--unit", "pg/0"], 2, "specify only one of application or unit");
    fails(&e, "secret-revoke", &[id, "-r", "1", "--app", "pg"], 2, "do not specify both relation and app");
    fails(&e, "secret-revoke", &[id, "--unit", "pg"], 2, "unit \"pg\" not valid");
    fails(&e, "secret-revoke", &[id, "--app", "Bad_App"], 2, "application \"Bad_App\" not valid");
    ok(&e, "secret-revoke", &[id, "--application", "pg"]);
    ok(&e, "secret-revoke", &[id, "-r", "1"]);
    // In a relation hook the hook's relation applies even without -r (a Juju quirk).
    let e = engine(base(), "db-relation-changed");
    fails(&e, "secret-revoke", &[id, "--app", "pg"], 2, "do not specify both relation and app");
    ok(&e, "secret-revoke", &[id]);
    // With --unit the unit is the one subject revoked, relation or not (`ToParams`).
    ok(&e, "secret-revoke", &[id, "--unit", "pg/1"]);
    ok(&e, "secret-revoke", &[id, "-r", "1", "--unit", "pg/0"]);
    assert_eq!(
        e.with(|s| s.pending.secret_revokes.clone()).unwrap(),
        vec![
            ("aaaaaaaaaaaaaaaaaaaa".to_owned(), crate::session::RevokeTarget::App("pg".into())),
            ("aaaaaaaaaaaaaaaaaaaa".to_owned(), crate::session::RevokeTarget::Unit("pg/1".into())),
            ("aaaaaaaaaaaaaaaaaaaa".to_owned(), crate::session::RevokeTarget::Unit("pg/0".into())),
        ]
    );
}

#[test]
fn rule_36_secret_remove_revision_or_all_and_cancel_pending() {
    let mut state = base();
    state.secrets[0].revisions.push(crate::state::SecretRevision {
        revision: 2,
        content: [("password".to_owned(), "two".to_owned())].into(),
        ..crate::state::SecretRevision::default()
    });
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(state.clone(), "install");
    fails(
        &e,
        "secret-remove",
        &["--revision", "one"],
        2,
        "invalid value \"one\" for option --revision: strconv.ParseInt: parsing \"one\": invalid syntax",
    );
    ok(&e, "secret-remove", &[id, "--revision", "1"]);
    let s = e.finish(true).unwrap().state;
    assert_eq!(s.secret(id).unwrap().revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), vec![2]);
    let e = engine(state, "install");
    ok(&e, "secret-set", &[id, "password=three"]);
    ok(&e, "secret-grant", &[id, "-r", "1"]);
    ok(&e, "secret-remove", &[id]);
    assert!(e.with(|s| s.pending.secret_updates.is_empty() && s.pending.secret_grants.is_empty()).unwrap());
    assert!(e.finish(true).unwrap().state.secret(id).is_none());
    // Removing a secret created in the same hook just drops the create.
    let e = engine(base(), "install");
    let uri = ok(&e, "secret-add", &["key=v"]);
    ok(&e, "secret-remove", &[uri.trim()]);
    assert_eq!(e.finish(true).unwrap().state.secrets.len(), 3);
}

#[test]
fn rule_37_state_limits_and_strict_get() {
    let e = engine(base(), "install");
    let long_key = "k".repeat(257);
    fails(&e, "state-set", &[&format!("{long_key}=v")], 1, "max allowed key length (256) exceeded");
    let long_value = format!("k={}", "v".repeat(65_537));
    fails(&e, "state-set", &[&long_value], 1, "max allowed value length (65536) exceeded");
    assert_eq!(ok(&e, "state-get", &["--format=json"]), "null\n");
    assert_eq!(ok(&e, "state-get", &[]), "{}\n");
    assert_eq!(ok(&e, "state-get", &["missing", "--format=json"]), "\"\"\n");
    fails(&e, "state-get", &["missing", "--strict"], 1, "\"missing\" not found");
    ok(&e, "state-set", &["a=1", "empty="]);
    assert_eq!(ok(&e, "state-get", &["--format=json"]), "{\"a\":\"1\",\"empty\":\"\"}\n");
    ok(&e, "state-delete", &["a"]);
    ok(&e, "state-delete", &[]);
    assert_eq!(ok(&e, "state-get", &["a", "--format=json"]), "\"\"\n");
}

#[test]
fn rule_38_port_specs_and_conflicts() {
    let mut state = base();
    state.machine_ports.push(crate::state::MachinePort {
        unit: "other/0".into(),
        port: crate::state::OpenedPort { protocol: "tcp".into(), from: 85, to: 85, endpoints: vec![] },
    });
    let e = engine(state, "install");
    fails(&e, "open-port", &[], 2, "no port or range specified");
    fails(&e, "open-port", &["80/sctp"], 2, "invalid protocol \"sctp\", expected \"tcp\", \"udp\", or \"icmp\"");
    fails(&e, "open-port", &["90-80"], 2, "invalid port range 90-80/tcp");
    fails(&e, "open-port", &["70000"], 2, "port range bounds must be between 0 and 65535, got 70000-70000");
    fails(&e, "open-port", &["1-2-3"], 2, "invalid port range \"1-2-3\"");
    fails(&e, "open-port", &["http"], 2, "invalid port \"http\": strconv.Atoi: parsing \"http\": invalid syntax");
    fails(&e, "open-port", &["80/icmp"], 2, "protocol \"icmp\" doesn't support any ports; got \"80\"");
    fails(
        &e,
        "open-port",
        &["80-90"],
        1,
        "cannot open 80-90/tcp (unit \"demo/0\"): port range conflicts with 85/tcp (unit \"other/0\")",
    );
    ok(&e, "open-port", &["8000-8010/UDP"]);
    ok(&e, "open-port", &["icmp"]);
    ok(&e, "open-port", &["443", "--endpoints", "website"]);
    assert_eq!(ok(&e, "opened-ports", &[]), "icmp\n443/tcp\n8000-8010/udp\n");
    assert_eq!(ok(&e, "opened-ports", &["--endpoints"]), "icmp (*)\n443/tcp (website)\n8000-8010/udp (*)\n");
    // This unit's own overlapping ranges conflict too ("requested earlier" for this hook's).
    fails(
        &e,
        "open-port",
        &["8005/udp"],
        1,
        "cannot open 8005/udp (unit \"demo/0\"): port range conflicts with 8000-8010/udp (unit \"demo/0\") requested earlier",
    );
    fails(
        &e,
        "close-port",
        &["85"],
        1,
        "cannot close 85/tcp (unit \"demo/0\"): port range conflicts with 85/tcp (unit \"other/0\")",
    );
    ok(&e, "close-port", &["icmp"]);
    ok(&e, "close-port", &["9999"]);
    assert_eq!(ok(&e, "opened-ports", &["--format=json"]), "[\"443/tcp\",\"8000-8010/udp\"]\n");
    let mut k8s = base();
    k8s.model.model_type = crate::state::ModelType::Kubernetes;
    let e = engine(k8s, "install");
    fails(
        &e,
        "open-port",
        &["80-90"],
        1,
        "port ranges are not supported for k8s applications, please specify a single port",
    );
}

#[test]
fn rule_39_storage_rules() {
    let e = engine(base(), "install");
    fails(&e, "storage-get", &[], 2, "no storage instance specified");
    fails(&e, "storage-get", &["-s", "bad"], 2, "invalid value \"bad\" for option -s: invalid storage ID \"bad\"");
    fails(&e, "storage-get", &["-s", "data/0", "size"], 1, "invalid storage attribute \"size\"");
    fails(
        &e,
        "storage-get",
        &["-s", "data/7"],
        2,
        "invalid value \"data/7\" for option -s: storage \"data/7\" not found",
    );
    assert_eq!(
        ok(&e, "storage-get", &["-s", "data/0", "--format=json"]),
        "{\"kind\":\"filesystem\",\"location\":\"/srv/data\"}\n"
    );
    assert_eq!(ok(&e, "storage-list", &["data"]), "data/0\n");
    fails(&e, "storage-add", &[], 2, "storage add requires a storage directive");
    fails(&e, "storage-add", &["data=10G"], 2, "only count can be specified for \"data\"");
    fails(&e, "storage-add", &["data", "data=2"], 2, "storage \"data\" specified more than once");
    ok(&e, "storage-add", &["data=2"]);
    assert_eq!(e.finish(true).unwrap().state.storage_requests["data"], 2);
    let e = engine(base(), "data-storage-attached");
    assert_eq!(ok(&e, "storage-get", &["location"]), "/srv/data\n");
    let e = engine(base(), "data-storage-detaching");
    assert_eq!(ok(&e, "storage-get", &["kind"]), "filesystem\n");
    assert!(e.finish(true).unwrap().state.storage.is_empty());
}

#[test]
fn rule_40_unit_get_accepts_only_addresses() {
    let e = engine(base(), "install");
    fails(&e, "unit-get", &[], 2, "no setting specified");
    fails(&e, "unit-get", &["hostname"], 2, "unknown setting \"hostname\"");
    assert_eq!(ok(&e, "unit-get", &["private-address"]), "192.0.2.0\n");
    assert_eq!(ok(&e, "unit-get", &["public-address"]), "192.0.2.0\n");
}

#[test]
fn network_get_output_and_selectors() {
    let e = engine(base(), "db-relation-changed");
    assert_eq!(
        ok(&e, "network-get", &["db", "--format=json"]),
        "{\"bind-addresses\":[{\"mac-address\":\"\",\"interface-name\":\"eth0\",\"addresses\":[{\"hostname\":\"\",\
         \"value\":\"192.0.2.0\",\"cidr\":\"192.0.2.0/24\"}]}],\"egress-subnets\":[\"192.0.2.0/24\"],\
         \"ingress-addresses\":[\"192.0.2.0\"]}\n"
    );
    // YAML (Juju 3.x, jujuc/network-get.go `networkInfoDisplay`): the new keys, then the old ones
    // kept for older agents, in struct field order.
    assert_eq!(
        ok(&e, "network-get", &["db"]),
        "bind-addresses:\n- mac-address: \"\"\n  interface-name: eth0\n  addresses:\n  - hostname: \"\"\n    \
         value: 192.0.2.0\n    cidr: 192.0.2.0/24\n    address: 192.0.2.0\n  macaddress: \"\"\n  interfacename: eth0\n\
         egress-subnets:\n- 192.0.2.0/24\ningress-addresses:\n- 192.0.2.0\n"
    );
    assert_eq!(ok(&e, "network-get", &["db", "--ingress-address"]), "192.0.2.0\n");
    assert_eq!(
        ok(&e, "network-get", &["db", "--bind-address", "--egress-subnets", "--format=json"]),
        "{\"bind-address\":\"192.0.2.0\",\"egress-subnets\":[\"192.0.2.0/24\"]}\n"
    );
    fails(
        &e,
        "network-get",
        &["db", "--primary-address", "--bind-address"],
        1,
        "--primary-address must be the only flag specified",
    );
    fails(&e, "network-get", &[], 2, "no arguments specified");
    fails(&e, "network-get", &["nosuch"], 1, "no network config found for binding \"nosuch\"");
    fails(&e, "network-get", &["db", "-r", "7"], 2, "invalid value \"7\" for option -r: relation not found");
}

#[test]
fn rule_41_config_get_nil_all_and_key() {
    let mut state = base();
    state.config.insert("port".into(), serde_json::json!(9000));
    let e = engine(state, "install");
    assert_eq!(ok(&e, "config-get", &["--format=json"]), "{\"debug\":false,\"port\":9000}\n");
    assert_eq!(ok(&e, "config-get", &["--all", "--format=json"]), "{\"debug\":false,\"name\":null,\"port\":9000}\n");
    assert_eq!(ok(&e, "config-get", &["missing", "--format=json"]), "null\n");
    fails(&e, "config-get", &["-a", "port"], 2, "cannot use argument --all together with key \"port\"");
}

#[test]
fn rule_42_env_vars_are_set_exactly_per_event() {
    let options = EventOptions { remote_unit: Some("pg/1".into()), ..Default::default() };
    let env = engine_with(base(), "db-relation-departed", &options).env();
    assert_eq!(env["JUJU_DEPARTING_UNIT"], "pg/1");
    assert_eq!(env["JUJU_RELATION_ID"], "db:1");
    assert_eq!(env["JUJU_HOOK_NAME"], "db-relation-departed");
    assert_eq!(env["JUJU_DISPATCH_PATH"], "hooks/db-relation-departed");
    assert!(env["JUJU_CONTEXT_ID"].starts_with("demo/0-db-relation-departed-"));
    assert!(!env.contains_key("JUJU_SECRET_REVISION"));
    let env = engine(base(), "db-relation-created").env();
    assert_eq!(env["JUJU_REMOTE_UNIT"], "");
    assert!(!env.contains_key("JUJU_DEPARTING_UNIT"));
    let env = engine(base(), "db-relation-changed").env();
    assert_eq!(env["JUJU_REMOTE_UNIT"], "pg/0");
    // An application-level relation-changed has no remote unit; relation-get then reads the app.
    let app_level = EventOptions { remote_unit: Some(String::new()), ..Default::default() };
    let e = engine_with(base(), "db-relation-changed", &app_level);
    assert_eq!((e.env()["JUJU_REMOTE_UNIT"].as_str(), e.env()["JUJU_REMOTE_APP"].as_str()), ("", "pg"));
    assert_eq!(ok(&e, "relation-get", &["db"]), "main\n");
    let secret = EventOptions { secret: Some("mine".into()), secret_revision: Some(1), ..Default::default() };
    let env = engine_with(base(), "secret-expired", &secret).env();
    assert_eq!(
        (env["JUJU_SECRET_ID"].as_str(), env["JUJU_SECRET_LABEL"].as_str()),
        ("secret:aaaaaaaaaaaaaaaaaaaa", "mine")
    );
    assert_eq!(env["JUJU_SECRET_REVISION"], "1");
    let secret = EventOptions { secret: Some("theirs".into()), ..Default::default() };
    let env = engine_with(base(), "secret-changed", &secret).env();
    assert!(!env.contains_key("JUJU_SECRET_REVISION"));
    let env = engine(base(), "action:backup").env();
    assert_eq!(env["JUJU_HOOK_NAME"], "");
    assert_eq!((env["JUJU_ACTION_NAME"].as_str(), env["JUJU_ACTION_TAG"].as_str()), ("backup", "action-1"));
    assert_eq!(env["JUJU_DISPATCH_PATH"], "actions/backup");
    let env = engine(base(), "install").env();
    assert!(!env.contains_key("JUJU_RELATION") && !env.contains_key("JUJU_ACTION_NAME"));
}

#[test]
fn rule_45_tools_read_stdin_only_when_needed() {
    let e = engine(base(), "db-relation-changed");
    let args = ["--file".into(), "-".into()];
    let response = e.with(|s| crate::tools::run(s, "relation-set", &args, None)).unwrap();
    assert_eq!(response, ToolResponse::NeedStdin);
    let response = e.with(|s| crate::tools::run(s, "relation-set", &["k=v".into()], None)).unwrap();
    assert!(matches!(response, ToolResponse::Done(ref out) if out.code == 0));
    // Through the HookTools seam stdin is handed over on request.
    use goops_runtime::HookTools;
    let out = e.call("relation-set", &args, Some(b"from-stdin: yes\nk: \"\"\n")).unwrap();
    assert_eq!(out.code, 0);
    assert_eq!(ok(&e, "relation-get", &["--format=json", "-", "demo/0"]), "{\"from-stdin\":\"yes\",\"u\":\"1\"}\n");
    let r = run_stdin(&e, "state-set", &["--file", "-"], b"{\"a\": \"b\"}");
    assert_eq!(r.code, 0);
    assert_eq!(ok(&e, "state-get", &["a"]), "b\n");
}

// ---------------------------------------------------------------------------------------------
// Secrets where goops-sim differed from Juju 3.6 (issue 11).

#[test]
fn secret_created_in_this_hook_has_no_next_rotation_yet() {
    // context.go's SecretMetadata(): a pending create carries the policy but no NextRotateTime;
    // a pending policy update keeps the loaded NextRotateTime.
    let e = engine(base(), "install");
    let uri = ok(&e, "secret-add", &["--rotate", "daily", "key=v"]);
    assert_eq!(
        ok(&e, "secret-info-get", &[uri.trim()]),
        format!("{}:\n  revision: 1\n  label: \"\"\n  owner: application\n  rotation: daily\n", &uri.trim()[7..])
    );
    let owned = "secret:aaaaaaaaaaaaaaaaaaaa";
    ok(&e, "secret-set", &[owned, "--rotate", "hourly"]);
    let info = ok(&e, "secret-info-get", &[owned]);
    assert!(info.contains("rotation: hourly") && !info.contains("rotates:"), "{info}");
}

#[test]
fn secret_info_get_finds_a_label_set_in_this_hook() {
    let e = engine(base(), "install");
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "--label", "new"]);
    assert_eq!(ok(&e, "secret-get", &["--label", "new"]), "password: one\n");
    assert!(ok(&e, "secret-info-get", &["--label", "new"]).starts_with("aaaaaaaaaaaaaaaaaaaa:\n"));
    fails(&e, "secret-info-get", &["--label", "mine"], 1, "secret \"mine\" not found");
}

#[test]
fn secret_added_then_removed_by_revision_and_whole_commits() {
    let e = engine(base(), "install");
    let uri = ok(&e, "secret-add", &["key=v"]);
    ok(&e, "secret-remove", &[uri.trim(), "--revision", "1"]);
    // secretsChangeRecorder.remove drops the create on any remove.
    fails(&e, "secret-get", &[uri.trim()], 1, &format!("secret \"{}\" not found", uri.trim()));
    ok(&e, "secret-remove", &[uri.trim()]);
    let finished = e.finish(true).unwrap();
    assert!(finished.committed, "{:?}", finished.end);
    assert_eq!(finished.state.secrets.len(), 3);
    // A remove of a revision also drops this hook's other changes to the secret.
    let e = engine(base(), "install");
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "password=two", "--label", "other"]);
    ok(&e, "secret-remove", &["secret:aaaaaaaaaaaaaaaaaaaa", "--revision", "5"]);
    assert!(e.with(|s| s.pending.secret_updates.is_empty()).unwrap());
    // An update after a remove cancels the remove (secretsChangeRecorder.update).
    let e = engine(base(), "install");
    ok(&e, "secret-remove", &["secret:aaaaaaaaaaaaaaaaaaaa"]);
    ok(&e, "secret-set", &["secret:aaaaaaaaaaaaaaaaaaaa", "password=two"]);
    let state = e.finish(true).unwrap().state;
    assert_eq!(state.secret("aaaaaaaaaaaaaaaaaaaa").map(|s| s.latest()), Some(2));
}

#[test]
fn consumer_needs_a_grant_to_read() {
    let consumed = "secret:bbbbbbbbbbbbbbbbbbbb";
    let mut state = base();
    state.secrets[1].grants.clear();
    let e = engine(state.clone(), "install");
    fails(&e, "secret-get", &[consumed], 1, "permission denied");
    fails(&e, "secret-get", &["--label", "theirs"], 1, "permission denied");
    // A unit grant counts; a grant over a relation that is gone does not.
    state.secrets[1].grants = vec![crate::state::SecretGrant { relation_id: 1, target: "demo/0".into() }];
    assert_eq!(ok(&engine(state.clone(), "install"), "secret-get", &[consumed, "token"]), "t1\n");
    state.secrets[1].grants = vec![crate::state::SecretGrant { relation_id: 9, target: "demo".into() }];
    fails(&engine(state, "install"), "secret-get", &[consumed], 1, "permission denied");
    // relation-broken takes the relation's grants with it.
    let e = engine(base(), "db-relation-broken");
    ok(&e, "secret-get", &[consumed]);
    let state = e.finish(true).unwrap().state;
    assert!(state.secret(consumed).unwrap().grants.is_empty());
}

#[test]
fn binary_secret_content_is_stored_and_returned_as_juju_does() {
    let e = engine(base(), "install");
    let uri = ok(&e, "secret-add", &["blob#base64=//79", "text=hi"]);
    let uri = uri.trim();
    // yaml.v2 prints a Go string that is not UTF-8 as !!binary base64.
    assert_eq!(ok(&e, "secret-get", &[uri, "blob"]), "!!binary //79\n");
    assert_eq!(ok(&e, "secret-get", &[uri, "blob#base64"]), "//79\n");
    assert_eq!(ok(&e, "secret-get", &[uri]), "blob: !!binary //79\ntext: hi\n");
    let state = e.finish(true).unwrap().state;
    let revision = state.secret(uri).unwrap().revision(1).unwrap().clone();
    assert_eq!(revision.value("blob"), Some(&[0xff, 0xfe, 0xfd][..]));
    // The state file keeps the bytes as base64 and reads them back.
    let json = state.to_json();
    assert!(json.contains("\"binary\": {\n            \"blob\": \"//79\"\n"), "{json}");
    let back = crate::state::State::from_json(&json).unwrap();
    assert_eq!(back.secret(uri).unwrap().revision(1), Some(&revision));
    // Same bytes, no new revision; other bytes, a new one.
    let e = engine(back, "install");
    ok(&e, "secret-set", &[uri, "blob#base64=//79", "text=hi"]);
    ok(&e, "secret-set", &[uri, "blob#base64=//7+", "text=hi"]);
    assert_eq!(e.finish(true).unwrap().state.secret(uri).unwrap().latest(), 2);
}

#[test]
fn binary_content_from_a_secret_file_keeps_its_bytes() {
    // Juju's `ReadSecretData` (core/secrets/createsecret.go) unmarshals `--file` into a
    // `map[string]string`: a `!!binary` value's bytes are kept, then base64-encoded.
    let dir = temp_dir("secret-binary-file");
    let file = dir.join("content.yaml");
    std::fs::write(&file, "blob: !!binary /w==\n").expect("write content");
    let file = file.display().to_string();
    let e = engine(base(), "install");
    let uri = ok(&e, "secret-add", &["--file", &file]);
    let uri = uri.trim();
    assert_eq!(ok(&e, "secret-get", &[uri, "blob#base64"]), "/w==\n");
    ok(&e, "secret-set", &[uri, "--file", &file]);
    let state = e.finish(true).unwrap().state;
    assert_eq!(state.secret(uri).unwrap().revision(1).unwrap().value("blob"), Some(&[0xff][..]));
}

#[test]
fn secret_revision_past_u32_max_is_refused() {
    let mut state = base();
    state.secrets[0].revisions[0].revision = u32::MAX;
    let id = "secret:aaaaaaaaaaaaaaaaaaaa";
    let e = engine(state.clone(), "install");
    let refused = "secret \"aaaaaaaaaaaaaaaaaaaa\" is at revision 4294967295, the last one goops-sim can store: no new revision can be made";
    fails(&e, "secret-set", &[id, "password=two"], 1, refused);
    // The same content makes no revision, so it is fine.
    ok(&e, "secret-set", &[id, "password=one"]);
    assert!(e.finish(true).unwrap().committed);
}

#[test]
fn state_refuses_duplicate_secret_revisions_labels_and_grants() {
    let mut state = base();
    let first = state.secrets[0].revisions[0].clone();
    state.secrets[0].revisions.push(first);
    assert_eq!(state.validate().unwrap_err(), "secret secret:aaaaaaaaaaaaaaaaaaaa: revision 1 is listed twice");
    let mut state = base();
    state.secrets[2].label = Some("mine".into());
    assert_eq!(
        state.validate().unwrap_err(),
        "secrets secret:aaaaaaaaaaaaaaaaaaaa and secret:cccccccccccccccccccc both have the label \"mine\""
    );
    let mut state = base();
    state.secrets[1].consumer_label = Some("unit-owned".into());
    assert_eq!(
        state.validate().unwrap_err(),
        "secrets secret:bbbbbbbbbbbbbbbbbbbb and secret:cccccccccccccccccccc both have the label \"unit-owned\""
    );
    let mut state = base();
    let grant = state.secrets[1].grants[0].clone();
    state.secrets[1].grants.push(grant);
    assert_eq!(
        state.validate().unwrap_err(),
        "secret secret:bbbbbbbbbbbbbbbbbbbb: the grant to \"demo\" on relation 1 is listed twice"
    );
    let mut state = base();
    state.secrets[0].revisions[0].revision = 0;
    assert_eq!(
        state.validate().unwrap_err(),
        "secret secret:aaaaaaaaaaaaaaaaaaaa: revision 0 is not valid (revisions start at 1)"
    );
}

#[test]
fn secret_ids_prints_a_nil_list_when_there_are_none() {
    // secret-ids.go: `var out []string` stays nil: JSON null, YAML [], smart nothing.
    let mut state = non_leader();
    state.secrets.retain(|s| s.owner != Some(crate::state::SecretOwner::Unit));
    let e = engine(state, "install");
    assert_eq!(ok(&e, "secret-ids", &["--format=json"]), "null\n");
    assert_eq!(ok(&e, "secret-ids", &["--format=yaml"]), "[]\n");
    assert_eq!(ok(&e, "secret-ids", &[]), "");
}
