//! Makes the manage-secrets example's source includable as a module of the runner (for the
//! in-process harness timing of the real charm): its inner doc comments (`//!`) are dropped,
//! as `include!` cannot take them.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let src = manifest.join("../examples/manage-secrets/src/main.rs");
    println!("cargo::rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()));
    let body: String = text.lines().filter(|l| !l.trim_start().starts_with("//!")).flat_map(|l| [l, "\n"]).collect();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("manage_secrets.rs");
    std::fs::write(&out, body).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
