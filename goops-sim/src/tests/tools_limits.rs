//! Hook-tool limits and the simulated agent's file handling (docs/hook-tools.md §1.7 and
//! goops-sim/README.md "Limits"): what a hostile or careless charm can hand the tools must end in
//! a clear error, never a hang, an abort or a state that cannot be read back.

use super::*;

fn mkfifo(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo runs").success());
    path
}

#[test]
fn settings_files_that_are_fifos_or_devices_are_refused() {
    let dir = temp_dir("fifo");
    let fifo = mkfifo(&dir);
    let fifo = fifo.to_str().expect("utf-8 path");
    let e = engine(base(), "db-relation-changed");
    let not_regular = "not a regular file (goops-sim opens regular files only)";
    fails(&e, "relation-set", &["--file", fifo], 1, &format!("open {fifo}: {not_regular}"));
    fails(&e, "state-set", &["--file", fifo], 1, &format!("open {fifo}: {not_regular}"));
    fails(&e, "state-set", &["--file", "/dev/zero"], 1, &format!("open /dev/zero: {not_regular}"));
    fails(&e, "secret-add", &["--file", fifo], 2, &format!("open {fifo}: {not_regular}"));
    fails(&e, "secret-add", &[&format!("key#file={fifo}")], 2, &format!("open {fifo}: {not_regular}"));
    fails(&e, "secret-add", &["key#file=/dev/zero"], 2, &format!("open /dev/zero: {not_regular}"));
    // `-o` to a FIFO: refused, not blocked on.
    fails(&e, "config-get", &["-o", fifo], 1, &format!("open {fifo}: {not_regular}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_files_are_read_up_to_a_bound() {
    let dir = temp_dir("big");
    let big = dir.join("big.yaml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(16 * 1024 * 1024 + 1).expect("sparse file");
    let big = big.to_str().expect("utf-8 path");
    let e = engine(base(), "db-relation-changed");
    fails(
        &e,
        "relation-set",
        &["--file", big],
        1,
        &format!("open {big}: file too large (goops-sim reads at most 16 MiB)"),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_files_are_written_and_write_errors_name_the_reason() {
    let dir = temp_dir("out");
    let e = engine(base(), "install");
    let out = dir.join("out.yaml");
    let out = out.to_str().expect("utf-8 path");
    assert_eq!(ok(&e, "config-get", &["port", "-o", out]), "");
    assert_eq!(std::fs::read_to_string(out).expect("written"), "8080\n");
    let missing = dir.join("no/dir/out");
    let missing = missing.to_str().expect("utf-8 path");
    fails(&e, "config-get", &["-o", missing], 1, &format!("open {missing}: no such file or directory"));
    // Juju's os.Create opens a character device as it is: output thrown away, or a write error
    // as Go's *PathError words it (`write PATH: …`).
    assert_eq!(ok(&e, "config-get", &["port", "-o", "/dev/null"]), "");
    fails(&e, "config-get", &["port", "-o", "/dev/full"], 1, "write /dev/full: no space left on device");
    // A FIFO is still refused, not waited on.
    let fifo = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let fifo = fifo.to_str().expect("utf-8 path");
    let r = run(&e, "config-get", &["port", "-o", fifo]);
    assert_eq!((r.code, r.err.starts_with(&format!("ERROR open {fifo}: not a regular file"))), (1, true), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A ~500-byte "billion laughs" of merges: 10^9 map decodes if expanded.
fn merge_bomb() -> String {
    let mut doc = String::from("l0: &l0 {a: lol}\n");
    for level in 1..=9 {
        let refs = vec![format!("*l{}", level - 1); 10].join(",");
        doc.push_str(&format!("l{level}: &l{level} {{<<: [{refs}]}}\n"));
    }
    doc.push_str("<<: *l9\n");
    doc
}

#[test]
fn settings_files_are_read_as_yaml_v2_reads_them() {
    let dir = temp_dir("yaml");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("utf-8 path").to_owned()
    };
    let e = engine(base(), "db-relation-changed");
    // A stream of two documents: Juju reads the first.
    let two = write("two.yaml", "a: one\n---\nb: two\n");
    assert_eq!(ok(&e, "relation-set", &["--file", &two]), "");
    assert_eq!(ok(&e, "relation-get", &["a", "demo/0"]).trim_end(), "one");
    assert_eq!(ok(&e, "relation-get", &["b", "demo/0"]), "");
    // Values keep their text (yaml.v2 sets a string to the scalar as written).
    let text = write("text.yaml", "n: 1.50\nflag: yes\nhex: 0x1F\n");
    assert_eq!(ok(&e, "state-set", &["--file", &text]), "");
    assert_eq!(ok(&e, "state-get", &["n"]), "1.50\n");
    assert_eq!(ok(&e, "state-get", &["flag"]), "yes\n");
    assert_eq!(ok(&e, "state-get", &["hex"]), "0x1F\n");
    // yaml.v2's type errors.
    let nested = write("nested.yaml", "a: ok\nb: [1, 2]\n");
    fails(
        &e,
        "relation-set",
        &["--file", &nested],
        1,
        "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!seq into string",
    );
    fails(
        &e,
        "state-set",
        &["--file", &nested],
        1,
        "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!seq into string",
    );
    // Fault 1: an alias bomb ends in yaml.v2's error, not in an allocation abort.
    let bomb = merge_bomb();
    assert!(bomb.len() < 600, "{}", bomb.len());
    let bomb = write("bomb.yaml", &bomb);
    fails(&e, "relation-set", &["--file", &bomb], 1, "yaml: document contains excessive aliasing");
    fails(&e, "state-set", &["--file", &bomb], 1, "yaml: document contains excessive aliasing");
    // secret-add's Init returns ReadSecretData's yaml.v2 error as it is (core/secrets/createsecret.go).
    fails(&e, "secret-add", &["--file", &bomb], 2, "yaml: document contains excessive aliasing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn action_set_names_the_bad_segment() {
    let e = engine(base(), "action:backup");
    let rule =
        "must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods";
    fails(&e, "action-set", &["a.Foo=1"], 2, &format!("key \"Foo\" {rule}"));
    fails(&e, "action-set", &["=1"], 2, &format!("key \"\" {rule}"));
    fails(&e, "action-set", &["a..b=1"], 2, &format!("key \"\" {rule}"));
}

#[test]
fn action_set_depth_is_bounded_and_the_state_reads_back() {
    let e = engine(base(), "action:backup");
    let deepest = vec!["k"; 64].join(".");
    assert_eq!(ok(&e, "action-set", &[&format!("{deepest}=v")]), "");
    let too_deep = "k.".repeat(64) + "k=v";
    let message = "key \"k...\" has 65 segments: goops-sim keeps action results at most 64 levels deep \
                   (Juju stores them in MongoDB, which refuses documents nested over 100 levels)";
    fails(&e, "action-set", &[&too_deep], 2, message);
    // Fault 2: 60,000 segments once overflowed the stack; now a quick usage error.
    let huge = "k.".repeat(59_999) + "k=v";
    let r = run(&e, "action-set", &[&huge]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("has 60000 segments"), "{}", r.err);
    // The written state reads back (serde_json's recursion limit is 128).
    let state = e.finish(true).expect("finishes").state;
    let json = state.to_json();
    let back = crate::State::from_json(&json).expect("the state reads back");
    assert_eq!(back.action.expect("action").results, state.action.expect("action").results);
}

#[test]
fn action_results_are_bounded_in_size() {
    let e = engine(base(), "action:backup");
    let half = format!("a={}", "x".repeat(8 * 1024 * 1024 + 1));
    let other = format!("b={}", "x".repeat(8 * 1024 * 1024 + 1));
    let r = run(&e, "action-set", &[&half, &other]);
    assert_eq!(r.code, 1);
    assert!(r.err.contains("more than the 16 MiB Juju's controller can store"), "{}", r.err);
    // Nothing of the refused call was kept.
    assert_eq!(ok(&e, "action-set", &[&half]), "");
    // Overwriting the same key again and again stays within the limit (the size kept between
    // calls is an upper bound; near the limit the results are measured exactly).
    for _ in 0..3 {
        assert_eq!(ok(&e, "action-set", &[&half]), "");
    }
    // Many small calls add up, and the one past the limit is refused.
    let quarter = "x".repeat(2 * 1024 * 1024);
    let refused = (0..8).map(|i| run(&e, "action-set", &[&format!("k{i}={quarter}")])).position(|r| r.code != 0);
    assert_eq!(refused, Some(3), "8 MiB + 3 × 2 MiB fit; a fourth 2 MiB does not");
    let state = e.finish(true).expect("finishes").state;
    let results = state.action.expect("action").results;
    assert_eq!(results.len(), 4);
    assert!(serde_json::to_vec(&results).expect("json").len() <= 16 * 1024 * 1024);
}

#[test]
fn storage_add_directive_errors_are_jujus() {
    let e = engine(base(), "install");
    let cannot = |detail: &str| format!("cannot parse directive for storage \"data\": {detail}");
    fails(
        &e,
        "storage-add",
        &["data=-1"],
        2,
        &cannot("cannot parse count: count must be greater than zero, got \"-1\""),
    );
    fails(&e, "storage-add", &["data=0"], 2, &cannot("cannot parse count: count must be greater than zero, got \"0\""));
    fails(&e, "storage-add", &["data="], 2, &cannot("storage directives require at least one field to be specified"));
    fails(
        &e,
        "storage-add",
        &["data=2,3"],
        2,
        &cannot("storage instance count is already set to 2, new value 3 not valid"),
    );
    fails(&e, "storage-add", &["data=x_y"], 2, &cannot("unrecognized storage directive \"x_y\" not valid"));
    fails(
        &e,
        "storage-add",
        &["data=-1G"],
        2,
        &cannot("cannot parse size: expected a non-negative number, got \"-1G\""),
    );
    fails(&e, "storage-add", &["data=ebs"], 2, "only count can be specified for \"data\"");
    fails(&e, "storage-add", &["data=1,10GiB"], 2, "only count can be specified for \"data\"");
    fails(&e, "storage-add", &["=1"], 2, "expected \"name=directive\" or \"name\", got \"=1\"");
    fails(&e, "storage-add", &["data=1=2"], 2, "expected \"name=directive\" or \"name\", got \"data=1=2\"");
    // A count past a uint64 is no count (Juju's parseCount), so no directive at all.
    fails(
        &e,
        "storage-add",
        &["data=99999999999999999999"],
        2,
        &cannot("unrecognized storage directive \"99999999999999999999\" not valid"),
    );
    assert_eq!(ok(&e, "storage-add", &["data=,2,"]), "");
}

#[test]
fn storage_requests_never_wrap() {
    let mut state = base();
    state.storage_requests.insert("data".into(), u32::MAX - 1);
    let e = engine(state, "install");
    fails(
        &e,
        "storage-add",
        &["data=2"],
        1,
        "adding storage \"data\": 4294967296 instances requested in all, more than goops-sim records (4294967295)",
    );
    fails(
        &e,
        "storage-add",
        &["data=5000000000"],
        1,
        "adding storage \"data\": 9294967294 instances requested in all, more than goops-sim records (4294967295)",
    );
    assert_eq!(ok(&e, "storage-add", &["data"]), "");
    fails(
        &e,
        "storage-add",
        &["data"],
        1,
        "adding storage \"data\": 4294967296 instances requested in all, more than goops-sim records (4294967295)",
    );
    let state = e.finish(true).expect("finishes").state;
    assert_eq!(state.storage_requests["data"], u32::MAX);
}

#[test]
fn the_charm_state_quota_refuses_the_commit() {
    use crate::report::End;
    // 32 values of 64 KiB: each within Juju's per-value limit, 2 MiB and more in all.
    let value = "v".repeat(64 * 1024);
    let e = engine(base(), "update-status");
    for i in 0..32 {
        assert_eq!(ok(&e, "state-set", &[&format!("k{i:02}={value}")]), "");
    }
    let report = e.finish(true).expect("finishes");
    assert!(!report.committed);
    assert_eq!(report.end, End::CommitRefused("persisting charm state: max allowed size (2097152) exceeded".into()));
    assert!(report.state.unit_state.is_empty());
    // Exactly at the quota is allowed. BSON: 5 bytes of document, 7 per entry, the key as Mongo
    // escapes it (`a.b` takes 5 bytes: the dot becomes U+FF0E), the value.
    let mut bag = crate::state::Bag::new();
    bag.insert("a.b".into(), "x".repeat(2 * 1024 * 1024 - 5 - 7 - 5));
    assert_eq!(crate::state::check_charm_state_size(&bag), Ok(()));
    bag.insert("a.b".into(), "x".repeat(2 * 1024 * 1024 - 5 - 7 - 5 + 1));
    assert!(crate::state::check_charm_state_size(&bag).is_err());
}
