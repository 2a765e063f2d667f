//! Every compile error of goops-macros, one file per message, with its checked-in `.stderr`.
//!
//! Regenerate with `TRYBUILD=overwrite cargo test -p goops-macros --test ui`, then review each diff.

use std::path::{Path, PathBuf};

/// trybuild compiles the cases as a crate in `<target>/tests/trybuild/goops-macros`; that is the
/// `CARGO_MANIFEST_DIR` the macros see, so the test charmcraft.yaml goes there.
fn install_fixture() {
    let exe = std::env::current_exe().expect("test binary path");
    // <target>/debug/deps/ui-<hash>
    let target: PathBuf = exe.ancestors().nth(3).expect("target dir").to_path_buf();
    let trybuild_target = target.join("tests").join("trybuild");
    // Cargo caches its `rustc -` target probe here, failures included; one bad probe (e.g. a
    // rustc that read junk on stdin) would make every case "compile" and the suite fail forever.
    let _ = std::fs::remove_file(trybuild_target.join(".rustc_info.json"));
    let project = trybuild_target.join("goops-macros");
    std::fs::create_dir_all(&project).expect("trybuild project dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::copy(fixtures.join("charmcraft.yaml"), project.join("charmcraft.yaml")).expect("copy charmcraft.yaml");
    // Not YAML, and YAML that is not a valid charm.
    for dir in ["broken", "invalid"] {
        std::fs::create_dir_all(project.join(dir)).expect("fixture dir");
        std::fs::copy(fixtures.join(dir).join("charmcraft.yaml"), project.join(dir).join("charmcraft.yaml"))
            .expect("copy a fixture charmcraft.yaml");
    }
}

#[test]
fn ui() {
    install_fixture();
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
