//! The agent alone, secrets: who gets secret-changed, secret-remove, rotate and expired, and
//! what happens to a leader-only hook when the lease moves (Juju's `secrets/resolver.go`,
//! `state/secrets.go`, `operation/runhook.go`).

use super::*;

/// A secret owned by app `a`, at revisions 1..=latest.
pub(super) fn app_secret(ctrl: &mut Controller, owner: &str, latest: u32) -> String {
    let id = format!("secret:{:0>20}", ctrl.secrets.len());
    let revisions = (1..=latest).map(|revision| SecretRevision { revision, ..SecretRevision::default() }).collect();
    ctrl.secrets.push(SecretDoc {
        id: id.clone(),
        owner: SecretOwnerRef::Application(owner.to_owned()),
        label: None,
        description: None,
        expire: None,
        rotate: None,
        next_rotate: None,
        revisions,
        grants: Vec::new(),
        consumers: BTreeMap::new(),
    });
    id
}

/// A consumer's first read: a consumer record tracking `rev`, committed by a hook of
/// `unit` (here an update-status run by the test's agent loop).
pub(super) fn first_read(ctrl: &mut Controller, id: &str, unit: &str, rev: u32) {
    ctrl.secret_mut(id).unwrap().consumers.insert(unit.to_owned(), ConsumerRecord { tracked: rev, label: None });
    let op = Op::hook(HookKind::UpdateStatus.juju_name());
    finish(ctrl, unit, &op, true, None);
}

/// Add a revision to a secret.
pub(super) fn new_revision(ctrl: &mut Controller, id: &str) -> u32 {
    let s = ctrl.secret_mut(id).unwrap();
    let revision = s.latest() + 1;
    s.revisions.push(SecretRevision { revision, ..SecretRevision::default() });
    revision
}

/// secret-changed reaches only units holding a consumer record, once per new revision
/// (coalesced to the newest); the first read itself gives none.
#[test]
fn secret_changed_only_for_readers_once_per_revision() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 1);
    deploy(&mut ctrl, "app", 2);
    let rel = relate(&mut ctrl, "owner", "creds", "app", "creds");
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 1);
    ctrl.secret_mut(&id).unwrap().grants.push(SecretGrant { relation_id: rel, target: "app".into() });
    first_read(&mut ctrl, &id, "app/0", 1);
    assert!(settle(&mut ctrl).is_empty());
    new_revision(&mut ctrl, &id);
    new_revision(&mut ctrl, &id);
    let trace = settle(&mut ctrl);
    // Only the reader, once for the newest revision; the unpinned revision 2 goes to the owner
    // leader as secret-remove (revision 1 is still pinned by app/0).
    assert_eq!(trace, strs(&["app/0 secret-changed", "owner/0 secret-remove rev=2"]));
    assert_eq!(ctrl.units["app/0"].agent.secrets_notified[&id], 3);
    assert!(settle(&mut ctrl).is_empty());
}

/// A unit whose first read happens at revision 2 is not told about revision 2.
#[test]
fn first_read_at_a_later_revision_is_not_a_change() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 1);
    deploy(&mut ctrl, "app", 1);
    let rel = relate(&mut ctrl, "owner", "creds", "app", "creds");
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 2);
    ctrl.secret_mut(&id).unwrap().grants.push(SecretGrant { relation_id: rel, target: "app/0".into() });
    first_read(&mut ctrl, &id, "app/0", 2);
    // No secret-changed; revision 1, pinned by no one, goes to the owner.
    assert_eq!(settle(&mut ctrl), strs(&["owner/0 secret-remove rev=1"]));
    new_revision(&mut ctrl, &id);
    assert_eq!(settle(&mut ctrl), strs(&["app/0 secret-changed"]));
}

/// A reader whose grant went with its relation gets no more secret-changed.
#[test]
fn revoked_reader_gets_no_secret_changed() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 1);
    deploy(&mut ctrl, "app", 1);
    let rel = relate(&mut ctrl, "owner", "creds", "app", "creds");
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 1);
    ctrl.secret_mut(&id).unwrap().grants.push(SecretGrant { relation_id: rel, target: "app".into() });
    first_read(&mut ctrl, &id, "app/0", 1);
    ctrl.relations.retain(|r| r.id != rel);
    new_revision(&mut ctrl, &id);
    let trace = settle(&mut ctrl);
    assert!(!trace.iter().any(|l| l.contains("secret-changed")), "{trace:#?}");
}

/// secret-remove runs once per unpinned old revision, on the leader of the owning app only,
/// and waits while a consumer pins the revision.
#[test]
fn secret_remove_once_per_unpinned_revision_on_the_leader() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 2);
    deploy(&mut ctrl, "app", 1);
    let rel = relate(&mut ctrl, "owner", "creds", "app", "creds");
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 1);
    ctrl.secret_mut(&id).unwrap().grants.push(SecretGrant { relation_id: rel, target: "app".into() });
    first_read(&mut ctrl, &id, "app/0", 1);
    new_revision(&mut ctrl, &id);
    new_revision(&mut ctrl, &id);
    // app/0 pins revision 1: only revision 2 is obsolete.
    let trace = settle(&mut ctrl);
    assert_eq!(trace, strs(&["app/0 secret-changed", "owner/0 secret-remove rev=2"]));
    // The consumer refreshes to 3: revision 1 goes, once; 2 is not offered again.
    ctrl.secret_mut(&id).unwrap().consumers.get_mut("app/0").unwrap().tracked = 3;
    assert_eq!(settle(&mut ctrl), strs(&["owner/0 secret-remove rev=1"]));
    assert!(settle(&mut ctrl).is_empty());
    assert!(!ctrl.units["owner/1"].agent.removes_notified.iter().any(|(s, _)| s == &id));
}

/// secret-expired and secret-rotate run on the owner's leader when due (expired first); a
/// rotate that made no new revision is tried again 5 minutes later, not at once.
#[test]
fn secret_expired_and_rotate_on_the_leader() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 2);
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 1);
    let now = ctrl.clock;
    let s = ctrl.secret_mut(&id).unwrap();
    s.expire = Some(now);
    s.next_rotate = Some(now);
    let ops = next_ops(&ctrl, "owner/0");
    assert_eq!(ops.iter().map(|o| o.hook.as_str()).collect::<Vec<_>>(), vec!["secret-expired"]);
    assert_eq!(settle(&mut ctrl), strs(&["owner/0 secret-expired rev=1", "owner/0 secret-rotate"]));
    assert_eq!(ctrl.secret(&id).unwrap().next_rotate, Some(now + Duration::minutes(5)));
    ctrl.clock = now + Duration::minutes(5);
    assert_eq!(settle(&mut ctrl), strs(&["owner/0 secret-rotate"]));
}

/// A consumer record the agent has not yet seen (state built by hand, or loaded) counts as
/// notified at its tracked revision: no secret-changed for the revision it already reads.
#[test]
fn unseen_consumer_record_counts_as_notified_at_tracked() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "owner", 1);
    deploy(&mut ctrl, "app", 1);
    let rel = relate(&mut ctrl, "owner", "creds", "app", "creds");
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "owner", 2);
    ctrl.units.get_mut("owner/0").unwrap().agent.removes_notified.insert((id.clone(), 1));
    let s = ctrl.secret_mut(&id).unwrap();
    s.grants.push(SecretGrant { relation_id: rel, target: "app".into() });
    s.consumers.insert("app/0".into(), ConsumerRecord { tracked: 2, label: None });
    assert!(next_ops(&ctrl, "app/0").is_empty());
    new_revision(&mut ctrl, &id);
    // app/0 still pins revision 2 (it did not refresh): no secret-remove yet.
    assert_eq!(settle(&mut ctrl), strs(&["app/0 secret-changed"]));
}

/// A unit of the owner's application that read the secret holds a consumer record like any
/// reader (Juju >= 3.1.7), so it hears secret-changed; the revision it pins is held back from
/// secret-remove until it refreshes.
#[test]
fn owner_readers_get_secret_changed_and_pin() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    settle(&mut ctrl);
    let id = app_secret(&mut ctrl, "a", 1);
    first_read(&mut ctrl, &id, "a/1", 1);
    new_revision(&mut ctrl, &id);
    assert_eq!(settle(&mut ctrl), strs(&["a/1 secret-changed"]));
    ctrl.secret_mut(&id).unwrap().consumers.get_mut("a/1").unwrap().tracked = 2;
    assert_eq!(settle(&mut ctrl), strs(&["a/0 secret-remove rev=1"]));
}

/// An injected failure of leader-elected, then the lease moves on: Juju skips the retry of a
/// hook only the leader may run, so the unit is not offered it again; its next commit clears
/// the error. The same holds for an app-owned secret's rotate.
#[test]
fn leader_only_retry_is_dropped_when_the_lease_moved() {
    let mut ctrl = machine();
    deploy(&mut ctrl, "a", 2);
    settle(&mut ctrl);
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/1".into());
    assert_eq!(step(&mut ctrl, "a/0").as_deref(), Some("a/0 leader-settings-changed"));
    let elected = next_ops(&ctrl, "a/1").remove(0);
    assert_eq!(elected.hook, "leader-elected");
    finish(&mut ctrl, "a/1", &elected, false, Some(("injected".into(), true)));
    assert_eq!(next_ops(&ctrl, "a/1"), vec![elected.clone()]);
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/0".into());
    assert_eq!(settle(&mut ctrl), strs(&["a/0 leader-elected"]));
    assert!(next_ops(&ctrl, "a/1").is_empty());
    ctrl.update_status_tick += 1;
    assert_eq!(run_unit(&mut ctrl, "a/1"), strs(&["a/1 update-status"]));
    assert!(ctrl.units["a/1"].agent.error.is_none());
    // A real failure of an app-owned secret's rotate, resolved after the lease moved: the
    // queued retry is not run either, and is dropped at the next commit.
    let id = app_secret(&mut ctrl, "a", 1);
    let now = ctrl.clock;
    ctrl.secret_mut(&id).unwrap().next_rotate = Some(now);
    let rotate = next_ops(&ctrl, "a/0").remove(0);
    assert_eq!(rotate.hook, "secret-rotate");
    finish(&mut ctrl, "a/0", &rotate, false, Some(("boom".into(), false)));
    let u = ctrl.units.get_mut("a/0").unwrap();
    u.agent.queued = u.agent.error.take().map(|e| e.op);
    ctrl.applications.get_mut("a").unwrap().leader = Some("a/1".into());
    assert_eq!(settle(&mut ctrl), strs(&["a/0 leader-settings-changed", "a/1 leader-elected", "a/1 secret-rotate"]));
    assert!(ctrl.units["a/0"].agent.queued.is_none());
}
