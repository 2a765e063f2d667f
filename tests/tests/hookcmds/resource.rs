//! `resource-get` (docs/hook-tools.md §4.2).

use std::path::PathBuf;

use goops_runtime::Error;
use goops_runtime::hookcmds::resource;
use goops_sim::State;

use crate::Coverage;
use crate::support::{assert_invalid_input, err, finish, hook, v};

pub(crate) const COVERAGE: Coverage =
    &[("resource_get", &[the_path_comes_back_without_a_newline, a_resource_that_cannot_be_had_fails])];

const PATH: &str = "/var/lib/juju/agents/unit-app-0/resources/bin/app.bin";

#[test]
pub(crate) fn the_path_comes_back_without_a_newline() {
    let state = State { resources: [("bin".to_owned(), PathBuf::from(PATH))].into(), ..State::default() };
    let engine = hook(state, "install");
    // The one tool whose output has no trailing newline (rule 4); the runtime takes it as is.
    assert_eq!(engine.run("resource-get", &["bin"], None).stdout, PATH.as_bytes());
    assert_eq!(resource::resource_get(&engine, "bin").expect("path"), PathBuf::from(PATH));
    let report = finish(&engine, true);
    assert_eq!(crate::support::argvs(&report, "resource-get"), [v(&["bin"]), v(&["bin"])]);
}

#[test]
pub(crate) fn a_resource_that_cannot_be_had_fails() {
    let engine = hook(State::default(), "install");
    let error = err(resource::resource_get(&engine, "bin"));
    // §4.2: `could not download resource: <err>` (exit 1); here `<err>` is the store's
    // not-found error for a resource with nothing uploaded.
    let Error::NotFound { tool, message } = &error else { panic!("{error:?}") };
    assert_eq!(tool, "resource-get");
    assert!(message.starts_with("could not download resource: "), "{message}");
    for bad in ["", "-bin"] {
        assert_invalid_input(&err(resource::resource_get(&engine, bad)), &format!("resource name {bad:?}"));
    }
    assert_eq!(finish(&engine, true).calls_of("resource-get").len(), 1);
}
