//! `secret-add`, `secret-set`, `secret-get`, `secret-info-get`, `secret-ids`, `secret-grant`,
//! `secret-revoke`, `secret-remove` (docs/hook-tools.md §4.7, rules 24–36), and `Context`'s
//! cached secret reads.
//!
//! Every value in here comes from `SECRET_VALUES`: each hook's report (its tool calls, its
//! `Debug`) and each error is checked not to show any of them.

use chrono::{DateTime, Duration, Utc};
use goops_runtime::hookcmds::secret::{
    self, Expiry, RevokeTarget, SecretAddOptions, SecretReadMode, SecretSelector, SecretSetOptions,
};
use goops_runtime::{RelationId, RotatePolicy, SecretOwner};
use goops_sim::state::{Relation, Secret, SecretGrant, SecretRevision};
use goops_sim::testing::End;
use goops_sim::{EventOptions, State};

use crate::Coverage;
use crate::support::{
    Kind, assert_invalid_input, assert_juju_error, bag, content, err, finish, hook, hook_with, secret_value, v,
};

pub(crate) const COVERAGE: Coverage = &[
    (
        "secret_add",
        &[an_added_secret_exists_at_the_end_of_the_hook, adding_is_refused, the_context_reads_each_secret_once],
    ),
    ("secret_set", &[only_new_content_makes_a_revision, a_non_leader_cannot_manage_the_apps_secrets]),
    (
        "secret_get",
        &[
            owners_and_consumers_read_their_tracked_revision,
            labels_name_secrets,
            reading_fails_as_juju_says,
            an_added_secret_exists_at_the_end_of_the_hook,
        ],
    ),
    (
        "secret_get_key",
        &[
            owners_and_consumers_read_their_tracked_revision,
            reading_fails_as_juju_says,
            binary_values_are_never_changed,
        ],
    ),
    ("secret_get_key_bytes", &[binary_values_are_never_changed]),
    (
        "secret_info_get",
        &[
            info_and_ids_show_what_this_unit_owns,
            an_added_secret_exists_at_the_end_of_the_hook,
            a_non_leader_cannot_manage_the_apps_secrets,
        ],
    ),
    (
        "secret_ids",
        &[
            info_and_ids_show_what_this_unit_owns,
            removing_drops_a_revision_or_the_secret,
            the_context_finds_owned_secrets_by_label,
        ],
    ),
    (
        "secret_grant",
        &[
            grants_and_revokes_change_access_with_the_hook,
            grant_and_revoke_refusals,
            the_context_finds_owned_secrets_by_label,
        ],
    ),
    (
        "secret_revoke",
        &[
            grants_and_revokes_change_access_with_the_hook,
            grant_and_revoke_refusals,
            a_non_leader_cannot_manage_the_apps_secrets,
        ],
    ),
    ("secret_remove", &[removing_drops_a_revision_or_the_secret, a_non_leader_cannot_manage_the_apps_secrets]),
];

/// Owned by the application, labelled `db`, two revisions, tracked at 1, granted to `client`.
const APP_SECRET: &str = "secret:cn0s4cu5gdbs7e2q5l4g";
/// Owned by this unit, labelled `api-token`, never read.
const UNIT_SECRET: &str = "secret:d1fa9k3vrgbs7e2q5m10";
/// Another application's, consumed here as `their-ca`, tracked at 1 of 2.
const THEIR_SECRET: &str = "secret:cq2b7l5vrgbs7e2q5m30";

fn bare(uri: &str) -> &str {
    uri.strip_prefix("secret:").unwrap_or(uri)
}

fn certificates() -> RelationId {
    RelationId::new("certificates", 7)
}

fn revision(revision: u32, pairs: &[(&str, &str)]) -> SecretRevision {
    SecretRevision { revision, content: bag(pairs), ..SecretRevision::default() }
}

fn state(leader: bool) -> State {
    State {
        leader,
        relations: vec![Relation {
            id: 7,
            endpoint: "certificates".into(),
            remote_app: "client".into(),
            remote_units: [("client/0".to_owned(), bag(&[])), ("client/1".to_owned(), bag(&[]))].into(),
            ..Relation::default()
        }],
        secrets: vec![
            Secret {
                id: APP_SECRET.into(),
                owner: Some(SecretOwner::Application),
                label: Some("db".into()),
                description: Some("the database password".into()),
                revisions: vec![
                    revision(1, &[("password", secret_value(0))]),
                    revision(2, &[("password", secret_value(3))]),
                ],
                tracked: Some(1),
                grants: vec![SecretGrant { relation_id: 7, target: "client".into() }],
                ..Secret::default()
            },
            Secret {
                id: UNIT_SECRET.into(),
                owner: Some(SecretOwner::Unit),
                label: Some("api-token".into()),
                // Juju prints times with their nanoseconds in JSON (§4.7).
                expire: Some(at("2030-01-01T00:00:00.123456789Z")),
                revisions: vec![revision(1, &[("token", secret_value(1))])],
                ..Secret::default()
            },
            Secret {
                id: THEIR_SECRET.into(),
                owner: None,
                consumer_label: Some("their-ca".into()),
                revisions: vec![
                    revision(1, &[("ca-cert", secret_value(4))]),
                    revision(2, &[("ca-cert", secret_value(5))]),
                ],
                tracked: Some(1),
                // The owner granted this unit's application over the relation (Juju refuses a
                // read without a grant).
                grants: vec![SecretGrant { relation_id: 7, target: State::default().app().into() }],
                ..Secret::default()
            },
        ],
        ..State::default()
    }
}

/// The one value of `key` in `content`, exposed.
fn value(content: &goops_runtime::SecretContent, key: &str) -> String {
    content.get(key).unwrap_or_else(|| panic!("no key {key}")).expose_secret().to_owned()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
}

#[test]
pub(crate) fn an_added_secret_exists_at_the_end_of_the_hook() {
    let engine = hook(state(true), "install");
    let expire = at("2030-05-06T07:08:09Z");
    let options = SecretAddOptions::new()
        .label("new-db")
        .description("a new database")
        .expire(Expiry::At(expire))
        .rotate(RotatePolicy::Monthly);
    let added = content(&[("password", secret_value(0)), ("private-key", secret_value(2))]);
    let uri = secret::secret_add(&engine, &added, &options).expect("the leader adds an app secret");
    assert!(uri.starts_with("secret:") && bare(&uri).len() == 20, "{uri}");
    // The creation is deferred, but reads later in the hook already see it (§4.7).
    let got = secret::secret_get(&engine, &SecretSelector::id(&uri), SecretReadMode::Tracked).expect("read");
    assert_eq!(got, added);
    let info = secret::secret_info_get(&engine, &SecretSelector::label("new-db")).expect("info");
    assert_eq!((info.id.as_str(), info.revision, info.label.as_str()), (bare(&uri), 1, "new-db"));
    assert_eq!((info.owner, info.description.as_deref()), (SecretOwner::Application, Some("a new database")));
    assert_eq!((info.rotation, info.expiry), (Some(RotatePolicy::Monthly), Some(expire)));
    // A secret created in this hook has no next rotation time yet: the controller sets it.
    assert_eq!(info.rotates, None);
    assert!(secret::secret_ids(&engine).expect("ids").contains(&bare(&uri).to_owned()));
    let report = finish(&engine, true);
    assert!(report.committed, "{:?}", report.end);
    let stored = report.secret_by_label("new-db").expect("committed");
    assert_eq!(stored.id, uri);
    assert_eq!(stored.owner, Some(SecretOwner::Application));
    assert_eq!(stored.content(1), Some(&bag(&[("password", secret_value(0)), ("private-key", secret_value(2))])));
    assert_eq!((stored.expire, stored.rotate), (Some(expire), Some(RotatePolicy::Monthly)));
    assert!(stored.rotates.is_some_and(|t| t > Utc::now() + Duration::days(27)), "{:?}", stored.rotates);
    // The content went in files, named on argv, that are gone once the call returned.
    let argv = &report.calls_of("secret-add")[0];
    assert_eq!(
        argv[..10],
        v(&[
            "--label",
            "new-db",
            "--description",
            "a new database",
            "--expire",
            "2030-05-06T07:08:09Z",
            "--rotate",
            "monthly",
            "--owner",
            "application",
        ])
    );
    let files: Vec<&str> = argv[10..].iter().map(|a| a.split_once("#file=").expect("a file argument").1).collect();
    assert_eq!(
        argv[10..].iter().map(|a| a.split_once('#').expect("key#file").0).collect::<Vec<_>>(),
        ["password", "private-key"]
    );
    assert!(files.iter().all(|f| f.starts_with('/') && !std::path::Path::new(f).exists()), "{files:?}");

    // A unit-owned secret needs no leadership; a duration expiry is from now.
    let engine = hook(state(false), "install");
    let options =
        SecretAddOptions::new().owner(SecretOwner::Unit).expire(Expiry::In(std::time::Duration::from_secs(3600)));
    let uri = secret::secret_add(&engine, &content(&[("token", secret_value(1))]), &options).expect("added");
    let info = secret::secret_info_get(&engine, &SecretSelector::id(&uri)).expect("info");
    assert_eq!((info.owner, info.label.as_str()), (SecretOwner::Unit, ""));
    let expiry = info.expiry.expect("an expiry");
    assert!((expiry - (Utc::now() + Duration::hours(1))).num_seconds().abs() < 60, "{expiry}");
    let report = finish(&engine, true);
    assert_eq!(report.state.secret(&uri).expect("committed").owner, Some(SecretOwner::Unit));
    assert_eq!(report.calls_of("secret-add")[0][..4], v(&["--expire", "3600s", "--owner", "unit"]));

    // Deferred (§1.5): a failed hook creates nothing.
    let engine = hook(state(true), "install");
    let uri = secret::secret_add(&engine, &content(&[("password", secret_value(0))]), &SecretAddOptions::new())
        .expect("added");
    let report = finish(&engine, false);
    assert!(report.state.secret(&uri).is_none());
    assert_eq!(report.state.secrets, state(true).secrets);
}

#[test]
pub(crate) fn adding_is_refused() {
    let engine = hook(state(false), "install");
    let error = err(secret::secret_add(&engine, &content(&[("password", secret_value(0))]), &SecretAddOptions::new()));
    assert_juju_error(&error, Kind::NotLeader, "secret-add", "this unit is not the leader");
    finish(&engine, true);

    let engine = hook(state(true), "install");
    let labelled = SecretAddOptions::new().label("dup");
    secret::secret_add(&engine, &content(&[("password", secret_value(0))]), &labelled).expect("the first");
    let error = err(secret::secret_add(&engine, &content(&[("password", secret_value(3))]), &labelled));
    // Rule 28.
    assert_juju_error(&error, Kind::ToolFailed(1), "secret-add", "secret with label \"dup\" already exists");
    // Juju's content rules are checked before anything runs (rule 25).
    for key in ["Password", "pw", "a--b", "key-", "1key"] {
        let error = err(secret::secret_add(&engine, &content(&[(key, secret_value(0))]), &SecretAddOptions::new()));
        assert_invalid_input(&error, &format!("secret content key {key:?}"));
    }
    assert_invalid_input(&err(secret::secret_add(&engine, &content(&[]), &SecretAddOptions::new())), "secret content");
    let error = err(secret::secret_add(&engine, &content(&[("password", "")]), &SecretAddOptions::new()));
    assert_invalid_input(&error, "secret content for key \"password\"");
    let error = err(secret::secret_add(
        &engine,
        &content(&[("password", secret_value(0))]),
        &SecretAddOptions::new().expire(Expiry::In(std::time::Duration::from_millis(10))),
    ));
    assert_invalid_input(&error, "secret expiry");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("secret-add").len(), 2);
    assert_eq!(report.state.secrets.len(), 4, "the first add only");
}

#[test]
pub(crate) fn only_new_content_makes_a_revision() {
    // Rule 29: the same content as the latest revision, and metadata alone, make no revision.
    let engine = hook(state(true), "update-status");
    secret::secret_set(&engine, APP_SECRET, Some(&content(&[("password", secret_value(3))])), &SecretSetOptions::new())
        .expect("the latest revision's content again");
    let expire = at("2031-01-02T03:04:05Z");
    let options = SecretSetOptions::new()
        .label("db-v2")
        .description("rotated daily")
        .rotate(RotatePolicy::Daily)
        .expire(Expiry::At(expire));
    secret::secret_set(&engine, APP_SECRET, None, &options).expect("metadata only");
    let info = secret::secret_info_get(&engine, &SecretSelector::id(APP_SECRET)).expect("info");
    assert_eq!((info.revision, info.label.as_str(), info.rotation), (2, "db-v2", Some(RotatePolicy::Daily)));
    let report = finish(&engine, true);
    let stored = report.state.secret(APP_SECRET).expect("still there");
    assert_eq!(stored.latest(), 2);
    assert_eq!(stored.label.as_deref(), Some("db-v2"));
    assert_eq!(stored.description.as_deref(), Some("rotated daily"));
    assert_eq!((stored.rotate, stored.expire), (Some(RotatePolicy::Daily), Some(expire)));
    assert!(stored.rotates.is_some());
    assert_eq!(
        report.calls_of("secret-set")[1],
        v(&[
            "--label",
            "db-v2",
            "--description",
            "rotated daily",
            "--expire",
            "2031-01-02T03:04:05Z",
            "--rotate",
            "daily",
            APP_SECRET
        ])
    );

    // New content makes revision 3 when the hook succeeds, and nothing when it fails.
    let next = content(&[("password", secret_value(0))]);
    for ok in [false, true] {
        let engine = hook(report.state.clone(), "update-status");
        secret::secret_set(&engine, APP_SECRET, Some(&next), &SecretSetOptions::new()).expect("new content");
        let after = finish(&engine, ok);
        let stored = after.state.secret(APP_SECRET).expect("still there");
        if ok {
            assert_eq!(stored.latest(), 3);
            assert_eq!(stored.content(3), Some(&bag(&[("password", secret_value(0))])));
        } else {
            assert_eq!(stored.latest(), 2);
        }
    }

    // A unit's own secret: any unit may set it.
    let engine = hook(state(false), "update-status");
    secret::secret_set(&engine, UNIT_SECRET, Some(&content(&[("token", secret_value(3))])), &SecretSetOptions::new())
        .expect("unit-owned");
    assert_invalid_input(&err(secret::secret_set(&engine, "", None, &SecretSetOptions::new())), "secret id \"\"");
    // A malformed URI is Juju's usage error, with the content staged and never quoted.
    let error = err(secret::secret_set(
        &engine,
        "secret:nope",
        Some(&content(&[("token", secret_value(2))])),
        &SecretSetOptions::new(),
    ));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-set", "secret URI \"secret:nope\" not valid");
    let report = finish(&engine, true);
    assert_eq!(report.state.secret(UNIT_SECRET).expect("there").content(2), Some(&bag(&[("token", secret_value(3))])));
}

#[test]
pub(crate) fn a_non_leader_cannot_manage_the_apps_secrets() {
    // A unit that is not the leader has no metadata for application-owned secrets (§4.7): it
    // cannot see them, and what it asks to change them with is refused when the hook commits.
    let engine = hook(state(false), "update-status");
    let error = err(secret::secret_info_get(&engine, &SecretSelector::id(APP_SECRET)));
    assert_juju_error(&error, Kind::NotFound, "secret-info-get", &format!("secret \"{}\" not found", bare(APP_SECRET)));
    let error = err(secret::secret_grant(&engine, APP_SECRET, &certificates(), None));
    assert_juju_error(&error, Kind::NotFound, "secret-grant", &format!("secret \"{}\" not found", bare(APP_SECRET)));
    secret::secret_set(&engine, APP_SECRET, Some(&content(&[("password", secret_value(0))])), &SecretSetOptions::new())
        .expect("the tool accepts it");
    let report = finish(&engine, true);
    assert!(!report.committed);
    assert_eq!(report.end, End::CommitRefused("permission denied".into()));
    assert_eq!(report.state.secret(APP_SECRET).expect("unchanged").latest(), 2);

    let changes: [fn(&goops_sim::Engine) -> goops_runtime::Result<()>; 2] = [
        |e| secret::secret_remove(e, APP_SECRET, None),
        |e| secret::secret_revoke(e, APP_SECRET, &RevokeTarget::Relation(certificates())),
    ];
    for change in changes {
        let engine = hook(state(false), "update-status");
        change(&engine).expect("the tool accepts it");
        let report = finish(&engine, true);
        assert_eq!(report.end, End::CommitRefused("permission denied".into()));
        assert_eq!(report.state.secrets, state(false).secrets);
    }
}

#[test]
pub(crate) fn owners_and_consumers_read_their_tracked_revision() {
    // Rule 30 (Juju >= 3.1.7): owners and consumers alike read the revision they track; --peek
    // reads the latest once; --refresh reads the latest and tracks it.
    let engine = hook(state(true), "update-status");
    let read = |selector: &SecretSelector, mode| {
        let content = secret::secret_get(&engine, selector, mode).expect("read");
        content.values().next().expect("one value").expose_secret().to_owned()
    };
    let owned = SecretSelector::id(APP_SECRET);
    assert_eq!(read(&owned, SecretReadMode::Tracked), secret_value(0), "the owner tracks revision 1");
    assert_eq!(read(&owned, SecretReadMode::Peek), secret_value(3));
    assert_eq!(read(&owned, SecretReadMode::Tracked), secret_value(0), "peek leaves tracking alone");
    let key = secret::secret_get_key(&engine, &owned, "password", SecretReadMode::Peek).expect("one key");
    assert_eq!(key.expose_secret(), secret_value(3));
    assert_eq!(read(&owned, SecretReadMode::Refresh), secret_value(3));
    assert_eq!(read(&owned, SecretReadMode::Tracked), secret_value(3), "refresh moved tracking");

    let theirs = SecretSelector::id(THEIR_SECRET);
    assert_eq!(read(&theirs, SecretReadMode::Tracked), secret_value(4));
    assert_eq!(read(&theirs, SecretReadMode::Peek), secret_value(5));
    assert_eq!(read(&SecretSelector::label("their-ca"), SecretReadMode::Tracked), secret_value(4));
    assert_eq!(read(&SecretSelector::label("their-ca"), SecretReadMode::Refresh), secret_value(5));
    let key = secret::secret_get_key(&engine, &theirs, "ca-cert", SecretReadMode::Tracked).expect("one key");
    assert_eq!(key.expose_secret(), secret_value(5));

    // The first read of a never-read secret pins its latest revision.
    assert_eq!(read(&SecretSelector::id(UNIT_SECRET), SecretReadMode::Tracked), secret_value(1));
    let report = finish(&engine, true);
    let tracked = |id: &str| report.state.secret(id).expect("there").tracked;
    assert_eq!((tracked(APP_SECRET), tracked(THEIR_SECRET), tracked(UNIT_SECRET)), (Some(2), Some(2), Some(1)));

    // An update made earlier in the hook is seen only with --peek or --refresh (§4.7).
    let engine = hook(state(true), "update-status");
    secret::secret_set(&engine, APP_SECRET, Some(&content(&[("password", secret_value(1))])), &SecretSetOptions::new())
        .expect("set");
    let read = |mode| value(&secret::secret_get(&engine, &owned, mode).expect("read"), "password");
    assert_eq!(read(SecretReadMode::Tracked), secret_value(0));
    assert_eq!(read(SecretReadMode::Peek), secret_value(1));
    finish(&engine, true);
}

/// Owned by this unit: `blob` holds bytes that are not UTF-8, `note` text with a real U+FFFD.
const BINARY_SECRET: &str = "secret:d1fa9k3vrgbs7e2q5m20";

#[test]
pub(crate) fn binary_values_are_never_changed() {
    // Juju stores bytes (`key#base64=…`); its JSON output turns bad bytes into U+FFFD. The
    // runtime must not hand those back as if they were the value.
    let mut state = state(true);
    let mut revision = revision(1, &[("note", "a\u{FFFD}b")]);
    revision.binary.insert("blob".into(), vec![0xFF, 0x00, 0xFE]);
    state.secrets.push(Secret {
        id: BINARY_SECRET.into(),
        owner: Some(SecretOwner::Unit),
        revisions: vec![revision],
        ..Secret::default()
    });
    let engine = hook(state, "update-status");
    let selector = SecretSelector::id(BINARY_SECRET);
    let refused = err(secret::secret_get(&engine, &selector, SecretReadMode::Tracked));
    assert!(matches!(refused, goops_runtime::Error::Parse { .. }), "{refused:?}");
    assert!(refused.to_string().contains("the value of key \"blob\" is binary"), "{refused}");
    let refused = err(secret::secret_get_key(&engine, &selector, "blob", SecretReadMode::Tracked));
    assert!(refused.to_string().contains("\"blob\""), "{refused}");
    // The bytes, as stored; their Debug shows nothing.
    let bytes = secret::secret_get_key_bytes(&engine, &selector, "blob", SecretReadMode::Tracked).expect("bytes");
    assert_eq!(bytes.expose_secret(), [0xFF, 0x00, 0xFE]);
    assert_eq!(format!("{bytes:?}"), "[REDACTED]");
    // A text value that holds U+FFFD itself reads back the same, and is kept.
    let note = secret::secret_get_key(&engine, &selector, "note", SecretReadMode::Tracked).expect("text");
    assert_eq!(note.expose_secret(), "a\u{FFFD}b");
    let bytes = secret::secret_get_key_bytes(&engine, &selector, "note", SecretReadMode::Tracked).expect("bytes");
    assert_eq!(bytes.expose_secret(), "a\u{FFFD}b".as_bytes());
    finish(&engine, true);
}

#[test]
pub(crate) fn labels_name_secrets() {
    let engine = hook(state(true), "update-status");
    // Rule 31: a label alone finds an owner label, then a consumer label.
    let got = secret::secret_get(&engine, &SecretSelector::label("db"), SecretReadMode::Tracked).expect("owner label");
    assert_eq!(value(&got, "password"), secret_value(0));
    // With an id, the label is set: a consumer label at once, an owner label with the hook.
    let renamed = SecretSelector::id_with_label(THEIR_SECRET, "their-ca-v2");
    secret::secret_get(&engine, &renamed, SecretReadMode::Tracked).expect("consumer relabelled");
    let got = secret::secret_get(&engine, &SecretSelector::label("their-ca-v2"), SecretReadMode::Tracked)
        .expect("by the new label");
    assert_eq!(value(&got, "ca-cert"), secret_value(4));
    secret::secret_get(&engine, &SecretSelector::id_with_label(UNIT_SECRET, "api-token-v2"), SecretReadMode::Tracked)
        .expect("owner relabelled");
    let got =
        secret::secret_get(&engine, &SecretSelector::label("api-token-v2"), SecretReadMode::Peek).expect("in the hook");
    assert_eq!(value(&got, "token"), secret_value(1));
    let report = finish(&engine, false);
    // The hook failed: the consumer label stands (immediate, §1.5), the owner label does not.
    assert_eq!(report.state.secret(THEIR_SECRET).expect("there").consumer_label.as_deref(), Some("their-ca-v2"));
    assert_eq!(report.state.secret(UNIT_SECRET).expect("there").label.as_deref(), Some("api-token"));
    assert_eq!(report.calls_of("secret-get")[1], v(&["--format=json", THEIR_SECRET, "--label", "their-ca-v2"]));
}

#[test]
pub(crate) fn reading_fails_as_juju_says() {
    let engine = hook(state(true), "update-status");
    let unknown = "secret:cr9h7l5vrgbs7e2q5m40";
    let error = err(secret::secret_get(&engine, &SecretSelector::id(unknown), SecretReadMode::Tracked));
    assert_juju_error(&error, Kind::NotFound, "secret-get", &format!("secret \"{unknown}\" not found"));
    // A bare id is read as the URI it names.
    let error = err(secret::secret_get(&engine, &SecretSelector::id(bare(unknown)), SecretReadMode::Peek));
    assert_juju_error(&error, Kind::NotFound, "secret-get", &format!("secret \"{unknown}\" not found"));
    let error = err(secret::secret_get(&engine, &SecretSelector::label("nope"), SecretReadMode::Tracked));
    assert_juju_error(&error, Kind::NotFound, "secret-get", "consumer label \"nope\" not found");
    let error = err(secret::secret_get(&engine, &SecretSelector::id("secret:nope"), SecretReadMode::Tracked));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-get", "secret URI \"secret:nope\" not valid");
    let error =
        err(secret::secret_get_key(&engine, &SecretSelector::id(APP_SECRET), "username", SecretReadMode::Tracked));
    assert_juju_error(&error, Kind::NotFound, "secret-get", "secret key value \"username\" not found");
    let none = SecretSelector { id: None, label: None };
    assert_invalid_input(&err(secret::secret_get(&engine, &none, SecretReadMode::Tracked)), "secret selector");
    let error =
        err(secret::secret_get_key(&engine, &SecretSelector::id(APP_SECRET), "Password", SecretReadMode::Tracked));
    assert_invalid_input(&error, "secret content key \"Password\"");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("secret-get").len(), 5);
}

#[test]
pub(crate) fn info_and_ids_show_what_this_unit_owns() {
    let engine = hook(state(true), "update-status");
    let mut ids = secret::secret_ids(&engine).expect("ids");
    ids.sort();
    // Bare ids (§4.7); the leader sees the application's secrets, nobody sees a consumed one.
    assert_eq!(ids, [bare(APP_SECRET), bare(UNIT_SECRET)]);
    let info = secret::secret_info_get(&engine, &SecretSelector::id(APP_SECRET)).expect("info");
    assert_eq!((info.id.as_str(), info.revision, info.label.as_str()), (bare(APP_SECRET), 2, "db"));
    assert_eq!((info.owner, info.description.as_deref()), (SecretOwner::Application, Some("the database password")));
    assert_eq!((info.rotation, info.expiry, info.rotates), (None, None, None));
    assert_eq!(info.access.len(), 1);
    assert_eq!((info.access[0].target.as_str(), info.access[0].role.as_str()), ("application-client", "view"));
    assert!(info.access[0].scope.starts_with("relation-"), "{}", info.access[0].scope);
    let info = secret::secret_info_get(&engine, &SecretSelector::label("api-token")).expect("by label");
    assert_eq!((info.id.as_str(), info.owner, info.access.len()), (bare(UNIT_SECRET), SecretOwner::Unit, 0));
    assert_eq!(info.expiry, Some(at("2030-01-01T00:00:00.123456789Z")), "to the nanosecond");
    // Juju takes an id or a label: with both, the runtime sends the id.
    let info = secret::secret_info_get(&engine, &SecretSelector::id_with_label(UNIT_SECRET, "other")).expect("by id");
    assert_eq!(info.id, bare(UNIT_SECRET));
    // Rule 32: only owned secrets; a miss names what was asked for.
    let error = err(secret::secret_info_get(&engine, &SecretSelector::id(THEIR_SECRET)));
    assert_juju_error(
        &error,
        Kind::NotFound,
        "secret-info-get",
        &format!("secret \"{}\" not found", bare(THEIR_SECRET)),
    );
    let error = err(secret::secret_info_get(&engine, &SecretSelector::label("their-ca")));
    assert_juju_error(&error, Kind::NotFound, "secret-info-get", "secret \"their-ca\" not found");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("secret-info-get")[2], v(&["--format=json", UNIT_SECRET]));

    let engine = hook(state(false), "update-status");
    assert_eq!(secret::secret_ids(&engine).expect("ids"), [bare(UNIT_SECRET)], "a non-leader: its own only");
    finish(&engine, true);
}

#[test]
pub(crate) fn grants_and_revokes_change_access_with_the_hook() {
    let grant = |target: &str| SecretGrant { relation_id: 7, target: target.into() };
    let engine = hook(state(true), "update-status");
    let rel = certificates();
    secret::secret_grant(&engine, UNIT_SECRET, &rel, Some("client/0")).expect("one unit");
    secret::secret_grant(&engine, UNIT_SECRET, &rel, Some("client/1")).expect("another unit");
    // Revoking one unit of a relation leaves the other's grant (§4.7).
    secret::secret_revoke(&engine, UNIT_SECRET, &RevokeTarget::RelationUnit(rel.clone(), "client/1".into()))
        .expect("revoked");
    // The application's grant goes, by name.
    secret::secret_revoke(&engine, APP_SECRET, &RevokeTarget::Application("client".into())).expect("revoked");
    let info = secret::secret_info_get(&engine, &SecretSelector::id(UNIT_SECRET)).expect("info");
    assert_eq!(info.access.iter().map(|a| a.target.as_str()).collect::<Vec<_>>(), ["unit-client-0"]);
    let report = finish(&engine, true);
    assert_eq!(report.state.secret(UNIT_SECRET).expect("there").grants, [grant("client/0")]);
    assert!(report.state.secret(APP_SECRET).expect("there").grants.is_empty());
    assert_eq!(
        crate::support::argvs(&report, "secret-revoke"),
        [v(&["-r", "certificates:7", "--unit", "client/1", UNIT_SECRET]), v(&["--app", "client", APP_SECRET])]
    );

    // The next hook: a unit revoked by name, the relation's application granted, then revoked
    // through the relation; a failed hook changes nothing.
    let after = report.state;
    let engine = hook(after.clone(), "update-status");
    secret::secret_revoke(&engine, UNIT_SECRET, &RevokeTarget::Unit("client/0".into())).expect("revoked");
    secret::secret_grant(&engine, UNIT_SECRET, &rel, None).expect("the application, once its units' grants are gone");
    secret::secret_revoke(&engine, APP_SECRET, &RevokeTarget::Relation(rel.clone())).expect("nothing to revoke");
    assert_eq!(finish(&engine, false).state, after);
    let engine = hook(after, "update-status");
    secret::secret_revoke(&engine, UNIT_SECRET, &RevokeTarget::Unit("client/0".into())).expect("revoked");
    secret::secret_grant(&engine, UNIT_SECRET, &rel, None).expect("granted");
    let report = finish(&engine, true);
    assert_eq!(report.state.secret(UNIT_SECRET).expect("there").grants, [grant("client")]);
    assert_eq!(crate::support::argvs(&report, "secret-grant"), [v(&["-r", "certificates:7", UNIT_SECRET])]);
}

#[test]
pub(crate) fn grant_and_revoke_refusals() {
    let engine = hook(state(true), "update-status");
    let rel = certificates();
    secret::secret_grant(&engine, UNIT_SECRET, &rel, Some("client/0")).expect("a unit");
    let error = err(secret::secret_grant(&engine, UNIT_SECRET, &rel, None));
    assert_juju_error(
        &error,
        Kind::ToolFailed(1),
        "secret-grant",
        "any unit level grants need to be revoked before granting access to the corresponding application",
    );
    let error = err(secret::secret_grant(&engine, UNIT_SECRET, &rel, Some("other/0")));
    assert_juju_error(
        &error,
        Kind::InvalidUsage,
        "secret-grant",
        "cannot specify unit \"other/0\" in relation to application \"client\"",
    );
    let error = err(secret::secret_grant(&engine, UNIT_SECRET, &rel, Some("client")));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-grant", "unit \"client\" not valid");
    let gone = RelationId::new("certificates", 70);
    let error = err(secret::secret_grant(&engine, UNIT_SECRET, &gone, None));
    assert_juju_error(
        &error,
        Kind::NotFound,
        "secret-grant",
        "invalid value \"certificates:70\" for option -r: relation not found",
    );
    let error = err(secret::secret_grant(&engine, THEIR_SECRET, &rel, None));
    assert_juju_error(&error, Kind::NotFound, "secret-grant", &format!("secret \"{}\" not found", bare(THEIR_SECRET)));
    let error = err(secret::secret_revoke(&engine, UNIT_SECRET, &RevokeTarget::Application("Not_An_App".into())));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-revoke", "application \"Not_An_App\" not valid");
    let error = err(secret::secret_revoke(&engine, UNIT_SECRET, &RevokeTarget::Unit("client".into())));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-revoke", "unit \"client\" not valid");
    let error = err(secret::secret_revoke(&engine, "secret:nope", &RevokeTarget::Unit("client/0".into())));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-revoke", "secret URI \"secret:nope\" not valid");
    assert_invalid_input(&err(secret::secret_grant(&engine, "-r", &rel, None)), "secret id \"-r\"");
    assert_invalid_input(&err(secret::secret_revoke(&engine, "", &RevokeTarget::Relation(rel))), "secret id \"\"");
    let report = finish(&engine, true);
    assert_eq!(report.state.secret(UNIT_SECRET).expect("there").grants.len(), 1);

    // In a relation hook the hook's relation is implied, so naming an application too is refused
    // (rule 35).
    let options = EventOptions { remote_unit: Some("client/0".into()), ..EventOptions::default() };
    let engine = hook_with(state(true), "certificates-relation-changed", &options);
    let error = err(secret::secret_revoke(&engine, APP_SECRET, &RevokeTarget::Application("client".into())));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-revoke", "do not specify both relation and app");
    finish(&engine, true);
}

#[test]
pub(crate) fn removing_drops_a_revision_or_the_secret() {
    let engine = hook(state(true), "update-status");
    secret::secret_remove(&engine, APP_SECRET, Some(1)).expect("one revision");
    secret::secret_remove(&engine, UNIT_SECRET, None).expect("the whole secret");
    // A pending removal is already out of the owned secrets (rule 32).
    assert_eq!(secret::secret_ids(&engine).expect("ids"), [bare(APP_SECRET)]);
    // Removing a secret created in this hook drops the creation.
    let uri = secret::secret_add(&engine, &content(&[("password", secret_value(0))]), &SecretAddOptions::new())
        .expect("added");
    secret::secret_remove(&engine, &uri, None).expect("removed again");
    let report = finish(&engine, true);
    let app = report.state.secret(APP_SECRET).expect("still there");
    assert_eq!(app.revisions.iter().map(|r| r.revision).collect::<Vec<_>>(), [2]);
    assert!(report.state.secret(UNIT_SECRET).is_none());
    assert!(report.state.secret(&uri).is_none());
    assert_eq!(
        crate::support::argvs(&report, "secret-remove")[..2],
        [v(&[APP_SECRET, "--revision", "1"]), v(&[UNIT_SECRET])]
    );

    let engine = hook(state(true), "update-status");
    let error = err(secret::secret_remove(&engine, "secret:nope", Some(2)));
    assert_juju_error(&error, Kind::InvalidUsage, "secret-remove", "secret URI \"secret:nope\" not valid");
    secret::secret_remove(&engine, UNIT_SECRET, None).expect("removed");
    assert_eq!(finish(&engine, false).state.secrets, state(true).secrets, "deferred (§1.5)");
}

#[test]
pub(crate) fn the_context_reads_each_secret_once() {
    let engine = hook(state(true), "update-status");
    let ctx = engine.context().expect("a context");
    let by_label = SecretSelector::label("their-ca");
    for _ in 0..3 {
        let got = ctx.secret_get(&by_label, SecretReadMode::Tracked).expect("read").expect("exists");
        assert_eq!(value(&got, "ca-cert"), secret_value(4));
    }
    for _ in 0..2 {
        let got = ctx.secret_get(&by_label, SecretReadMode::Peek).expect("read").expect("exists");
        assert_eq!(value(&got, "ca-cert"), secret_value(5));
    }
    // Refresh by id moves tracking: a tracked read by label must not answer from the cache.
    let by_id = SecretSelector::id(THEIR_SECRET);
    let got = ctx.secret_get(&by_id, SecretReadMode::Refresh).expect("read").expect("exists");
    assert_eq!(value(&got, "ca-cert"), secret_value(5));
    let got = ctx.secret_get(&by_label, SecretReadMode::Tracked).expect("read").expect("exists");
    assert_eq!(value(&got, "ca-cert"), secret_value(5));
    ctx.secret_get(&by_id, SecretReadMode::Tracked).expect("read");
    // Reading by id and label names the secret: the answer serves reads by either.
    let mine = SecretSelector::id_with_label(UNIT_SECRET, "api-token-v2");
    let got = ctx.secret_get(&mine, SecretReadMode::Peek).expect("read").expect("exists");
    assert_eq!(value(&got, "token"), secret_value(1));
    ctx.secret_get(&SecretSelector::id(UNIT_SECRET), SecretReadMode::Peek).expect("cached");
    ctx.secret_get(&SecretSelector::label("api-token-v2"), SecretReadMode::Peek).expect("cached");
    // A write through the context forgets what was read.
    ctx.secret_set(UNIT_SECRET, Some(&content(&[("token", secret_value(3))])), &SecretSetOptions::new()).expect("set");
    let got = ctx.secret_get(&SecretSelector::id(UNIT_SECRET), SecretReadMode::Peek).expect("read").expect("exists");
    assert_eq!(value(&got, "token"), secret_value(3));
    // Not found is None, until a secret with that label is added.
    let fresh = SecretSelector::label("fresh");
    assert!(ctx.secret_get(&fresh, SecretReadMode::Tracked).expect("read").is_none());
    assert!(ctx.secret_get(&fresh, SecretReadMode::Tracked).expect("read").is_none());
    let added = content(&[("private-key", secret_value(2))]);
    ctx.secret_add(&added, &SecretAddOptions::new().label("fresh")).expect("added");
    assert_eq!(ctx.secret_get(&fresh, SecretReadMode::Tracked).expect("read"), Some(added));
    drop(ctx);
    let report = finish(&engine, true);
    let reads: Vec<Vec<String>> = crate::support::argvs(&report, "secret-get");
    assert_eq!(
        reads,
        [
            v(&["--format=json", "--label", "their-ca"]),
            v(&["--format=json", "--label", "their-ca", "--peek"]),
            v(&["--format=json", THEIR_SECRET, "--refresh"]),
            v(&["--format=json", "--label", "their-ca"]),
            v(&["--format=json", UNIT_SECRET, "--label", "api-token-v2", "--peek"]),
            v(&["--format=json", UNIT_SECRET, "--peek"]),
            v(&["--format=json", "--label", "fresh"]),
            v(&["--format=json", "--label", "fresh"]),
        ]
    );
    assert_eq!(report.state.secret(THEIR_SECRET).expect("there").tracked, Some(2));
}

#[test]
pub(crate) fn the_context_finds_owned_secrets_by_label() {
    let engine = hook(state(true), "update-status");
    let ctx = engine.context().expect("a context");
    assert_eq!(
        ctx.secret_id(&SecretSelector::id(APP_SECRET)).expect("an id needs no lookup").as_deref(),
        Some(APP_SECRET)
    );
    for _ in 0..2 {
        assert_eq!(ctx.secret_id(&SecretSelector::label("db")).expect("found").as_deref(), Some(bare(APP_SECRET)));
    }
    assert_eq!(ctx.secret_id(&SecretSelector::label("their-ca")).expect("not owned"), None);
    assert!(ctx.secret_info(&SecretSelector::label("nope")).expect("not found is None").is_none());
    // A secret added with a label is known by it without a lookup.
    let uri = ctx
        .secret_add(&content(&[("password", secret_value(0))]), &SecretAddOptions::new().label("new"))
        .expect("added");
    assert_eq!(ctx.secret_id(&SecretSelector::label("new")).expect("known").as_deref(), Some(uri.as_str()));
    let id = ctx.secret_id(&SecretSelector::label("api-token")).expect("found").expect("owned");
    ctx.secret_grant(&id, &certificates(), Some("client/1")).expect("granted");
    ctx.secret_revoke(APP_SECRET, &certificates(), None).expect("revoked");
    ctx.secret_remove(APP_SECRET, Some(1)).expect("removed");
    let mut ids = ctx.secret_ids().expect("ids");
    ids.sort();
    let mut expected = vec![bare(APP_SECRET).to_owned(), bare(UNIT_SECRET).to_owned(), bare(&uri).to_owned()];
    expected.sort();
    assert_eq!(ids, expected);
    drop(ctx);
    let report = finish(&engine, true);
    assert_eq!(
        crate::support::argvs(&report, "secret-info-get"),
        [
            v(&["--format=json", "--label", "db"]),
            v(&["--format=json", "--label", "their-ca"]),
            v(&["--format=json", "--label", "nope"]),
            v(&["--format=json", "--label", "api-token"]),
        ]
    );
    assert_eq!(
        report.state.secret(UNIT_SECRET).expect("there").grants,
        [SecretGrant { relation_id: 7, target: "client/1".into() }]
    );
    // Juju's secretsChangeRecorder.remove drops the secret's pending revokes on any remove, of a
    // revision too: the revoke before `secret_remove(APP_SECRET, Some(1))` is not committed.
    assert_eq!(
        report.state.secret(APP_SECRET).expect("there").grants,
        [SecretGrant { relation_id: 7, target: "client".into() }]
    );
    assert_eq!(report.state.secret(APP_SECRET).expect("there").revisions.len(), 1);
}

/// `#[secret]` accessors against goops-sim: owners read their tracked revision like consumers
/// (rule 30), and `set` compares with the latest revision, never the tracked one.
mod typed {
    use goops_runtime::prelude::*;

    use super::{APP_SECRET, finish, hook, secret_value, state};

    #[secret(label = "db")]
    struct Db {
        password: SecretString,
    }

    fn db(value: &str) -> Db {
        Db { password: SecretString::from(value) }
    }

    #[test]
    pub(crate) fn set_compares_with_the_latest_revision_not_the_tracked_one() {
        // The app's `db` secret is tracked at revision 1 (value 0); revision 2 (value 3) is the latest.
        let engine = hook(state(true), "update-status");
        let ctx = engine.context().expect("a context");
        let tracked = Db::get(&ctx).expect("read").expect("exists");
        assert_eq!(tracked.password.expose_secret(), secret_value(0), "owners read the tracked revision");
        let latest = Db::peek(&ctx).expect("read").expect("exists");
        assert_eq!(latest.password.expose_secret(), secret_value(3));
        // The latest content again: no new revision, though it differs from the tracked one.
        assert!(!db(secret_value(3)).set(&ctx).expect("set"));
        drop(ctx);
        let report = finish(&engine, true);
        assert!(report.calls_of("secret-set").is_empty());
        assert_eq!(report.state.secret(APP_SECRET).expect("there").latest(), 2);
        // The tracked content: it differs from the latest, so it makes revision 3.
        let engine = hook(report.state.clone(), "update-status");
        let ctx = engine.context().expect("a context");
        assert!(db(secret_value(0)).set(&ctx).expect("set"));
        drop(ctx);
        let report = finish(&engine, true);
        let stored = report.state.secret(APP_SECRET).expect("there");
        assert_eq!((stored.latest(), stored.tracked), (3, Some(1)));
    }
}
