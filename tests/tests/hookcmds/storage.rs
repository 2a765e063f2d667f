//! `storage-list`, `storage-get`, `storage-add` (docs/hook-tools.md §4.5, rule 39).

use std::path::PathBuf;

use goops_runtime::StorageKind;
use goops_runtime::hookcmds::storage;
use goops_sim::state::Storage;
use goops_sim::{EventOptions, State};

use crate::Coverage;
use crate::support::{Kind, assert_invalid_input, assert_juju_error, err, finish, hook, hook_with, v};

pub(crate) const COVERAGE: Coverage = &[
    ("storage_list", &[attached_storage_is_listed_and_described]),
    ("storage_get", &[attached_storage_is_listed_and_described, a_storage_hook_describes_its_own, bad_storage_ids]),
    ("storage_add", &[requests_add_up_and_wait_for_the_hook_to_succeed, bad_storage_requests]),
];

fn attached() -> State {
    let storage =
        |name: &str, index, kind, location: &str| Storage { name: name.into(), index, kind, location: location.into() };
    State {
        storage: vec![
            storage("data", 1, StorageKind::Filesystem, "/srv/data/1"),
            storage("data", 0, StorageKind::Filesystem, "/srv/data/0"),
            storage("cache", 0, StorageKind::Block, "/dev/sdb"),
        ],
        ..State::default()
    }
}

#[test]
pub(crate) fn attached_storage_is_listed_and_described() {
    let engine = hook(attached(), "update-status");
    let mut all = storage::storage_list(&engine, None).expect("ids");
    all.sort();
    assert_eq!(all, ["cache/0", "data/0", "data/1"]);
    let mut data = storage::storage_list(&engine, Some("data")).expect("ids");
    data.sort();
    assert_eq!(data, ["data/0", "data/1"]);
    assert!(storage::storage_list(&engine, Some("logs")).expect("none attached").is_empty());
    let cache = storage::storage_get(&engine, Some("cache/0")).expect("info");
    assert_eq!((cache.kind, cache.location), (StorageKind::Block, PathBuf::from("/dev/sdb")));
    let data1 = storage::storage_get(&engine, Some("data/1")).expect("info");
    assert_eq!((data1.kind, data1.location), (StorageKind::Filesystem, PathBuf::from("/srv/data/1")));
    let report = finish(&engine, true);
    assert_eq!(crate::support::argvs(&report, "storage-get")[0], v(&["--format=json", "-s", "cache/0"]));
}

#[test]
pub(crate) fn a_storage_hook_describes_its_own() {
    let options = EventOptions { storage: Some("data/1".into()), ..EventOptions::default() };
    let engine = hook_with(attached(), "data-storage-attached", &options);
    let info = storage::storage_get(&engine, None).expect("the hook's storage");
    assert_eq!((info.kind, info.location), (StorageKind::Filesystem, PathBuf::from("/srv/data/1")));
    finish(&engine, true);
}

#[test]
pub(crate) fn bad_storage_ids() {
    let engine = hook(attached(), "update-status");
    let error = err(storage::storage_get(&engine, None));
    assert_juju_error(&error, Kind::InvalidUsage, "storage-get", "no storage instance specified");
    let error = err(storage::storage_get(&engine, Some("data")));
    assert_juju_error(
        &error,
        Kind::InvalidUsage,
        "storage-get",
        "invalid value \"data\" for option -s: invalid storage ID \"data\"",
    );
    // An id of nothing attached: Juju gives no text for it (§4.5); it is not found.
    assert!(err(storage::storage_get(&engine, Some("data/9"))).is_not_found());
    finish(&engine, true);
}

#[test]
pub(crate) fn requests_add_up_and_wait_for_the_hook_to_succeed() {
    let engine = hook(attached(), "update-status");
    storage::storage_add(&engine, &[("data", 2), ("cache", 1)]).expect("requested");
    storage::storage_add(&engine, &[("data", 1)]).expect("requested again");
    let report = finish(&engine, true);
    // Repeated calls add up (§4.5).
    assert_eq!(report.state.storage_requests, [("cache".to_owned(), 1), ("data".to_owned(), 3)].into());
    assert_eq!(crate::support::argvs(&report, "storage-add"), [v(&["data=2", "cache=1"]), v(&["data=1"])]);

    let engine = hook(attached(), "update-status");
    storage::storage_add(&engine, &[("data", 2)]).expect("requested");
    assert!(finish(&engine, false).state.storage_requests.is_empty(), "deferred (§1.5)");
}

#[test]
pub(crate) fn bad_storage_requests() {
    let engine = hook(attached(), "update-status");
    let error = err(storage::storage_add(&engine, &[("data", 1), ("data", 2)]));
    assert_juju_error(&error, Kind::InvalidUsage, "storage-add", "storage \"data\" specified more than once");
    assert_invalid_input(&err(storage::storage_add(&engine, &[])), "storage request");
    assert_invalid_input(&err(storage::storage_add(&engine, &[("data", 0)])), "storage count for \"data\"");
    assert_invalid_input(&err(storage::storage_add(&engine, &[("data=1", 1)])), "storage name \"data=1\"");
    let report = finish(&engine, true);
    assert_eq!(report.calls_of("storage-add").len(), 1);
    assert!(report.state.storage_requests.is_empty());
}
