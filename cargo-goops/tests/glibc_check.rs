//! The base check on real binaries: one that needs a newer glibc than the base is refused,
//! naming the symbols and both versions; a statically linked one passes on any base; one for
//! another architecture is refused; `--static` without the musl target says how to install it.
//!
//! `readelf` (binutils) is the independent reader the expectations come from.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_goops::Error;
use cargo_goops::glibc::{Linking, check_binary};
use common::*;

/// A dynamically linked binary built on this machine: the cargo-goops executable itself.
fn host_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cargo-goops"))
}

/// `(symbol, version)` for each dynamic symbol readelf shows bound to `GLIBC_<version>`.
fn readelf_glibc_symbols(binary: &Path) -> Vec<(String, String)> {
    let out = run_ok(Command::new("readelf").args(["--dyn-syms", "--wide"]).arg(binary));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let name = line.split_whitespace().nth(7)?;
            let (symbol, version) = name.split_once("@GLIBC_")?;
            let version = version.split_whitespace().next()?.split(' ').next()?;
            Some((symbol.to_owned(), version.trim_end_matches(|c: char| !c.is_ascii_digit()).to_owned()))
        })
        .collect()
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap()).collect()
}

#[test]
fn a_binary_needing_a_newer_glibc_than_the_base_is_refused_by_name() {
    let symbols = readelf_glibc_symbols(&host_binary());
    let newest = symbols.iter().map(|(_, v)| v.clone()).max_by_key(|v| version_key(v)).expect("glibc symbols");
    assert_eq!(newest.len(), "2.34".len(), "a two-digit minor version to rewrite: {newest}");
    let users: Vec<&str> = symbols.iter().filter(|(_, v)| *v == newest).map(|(s, _)| s.as_str()).collect();

    // The same binary, its newest version need rewritten to GLIBC_2.99 (same length, so every
    // offset in .dynstr and .gnu.version_r stays valid).
    let dir = TempDir::new("cargo-goops-glibc");
    let crafted = dir.path().join("dispatch");
    let mut bytes = std::fs::read(host_binary()).unwrap();
    let from = format!("GLIBC_{newest}\0").into_bytes();
    let to = b"GLIBC_2.99\0";
    let mut rewritten = 0;
    for i in 0..bytes.len() - from.len() {
        if bytes[i..i + from.len()] == from[..] {
            bytes[i..i + from.len()].copy_from_slice(to);
            rewritten += 1;
        }
    }
    assert!(rewritten > 0);
    std::fs::write(&crafted, bytes).unwrap();
    let crafted_symbols = readelf_glibc_symbols(&crafted);
    assert!(crafted_symbols.iter().any(|(_, v)| v == "2.99"), "readelf sees the rewrite: {crafted_symbols:?}");

    let err = check_binary(&crafted, "amd64", "ubuntu@24.04", "amd64").unwrap_err();
    let Error::GlibcTooNew { base, provided, needed, symbols: named, .. } = &err else { panic!("{err}") };
    assert_eq!((base.as_str(), provided.as_str(), needed.as_str()), ("ubuntu@24.04", "2.39", "2.99"));
    let mut named_symbols: Vec<&str> = named.iter().map(|(s, _)| s.as_str()).collect();
    named_symbols.sort();
    let mut expected = users.clone();
    expected.sort();
    expected.dedup();
    assert_eq!(named_symbols, expected, "every symbol readelf shows at GLIBC_{newest}, now 2.99");
    let message = err.to_string();
    assert!(message.contains(&format!("{} needs GLIBC_2.99", users[0])), "{message}");
    assert!(message.contains("ubuntu@24.04 provides glibc 2.39"), "{message}");

    // Through the CLI's own words as a user sees them: the unmodified binary on the oldest base.
    let real = check_binary(&host_binary(), "amd64", "ubuntu@20.04", "amd64");
    if version_key(&newest) > version_key("2.31") {
        let message = real.unwrap_err().to_string();
        assert!(message.contains(&format!("needs glibc {newest} but ubuntu@20.04 provides glibc 2.31")), "{message}");
    } else {
        assert!(real.is_ok(), "this machine's glibc is old enough for ubuntu@20.04");
    }
    assert!(matches!(
        check_binary(&host_binary(), "amd64", "ubuntu@24.04", "amd64"),
        Ok(Linking::Dynamic { newest_glibc: Some(v) }) if v == newest
    ));
}

#[test]
fn a_statically_linked_binary_passes_on_every_base() {
    // glibc's own static linking (crt-static): no interpreter, no version needs.
    let dir = TempDir::new("cargo-goops-static");
    let src = dir.path().join("hello.rs");
    std::fs::write(&src, "fn main() { println!(\"static\"); }\n").unwrap();
    let binary = dir.path().join("hello");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    run_ok(Command::new(rustc).args(["-C", "target-feature=+crt-static", "-o"]).arg(&binary).arg(&src));
    let interp = run_ok(Command::new("readelf").args(["--program-headers", "--wide"]).arg(&binary));
    assert!(!String::from_utf8_lossy(&interp.stdout).contains("INTERP"), "readelf: statically linked");
    assert_eq!(String::from_utf8_lossy(&run_ok(&mut Command::new(&binary)).stdout), "static\n");
    for base in ["ubuntu@20.04", "ubuntu@22.04", "ubuntu@24.04", "ubuntu@26.04"] {
        assert_eq!(check_binary(&binary, "amd64", base, "amd64").unwrap(), Linking::Static, "{base}");
    }
    // A dynamically linked one on a base cargo-goops does not know is not guessed at.
    let err = check_binary(&host_binary(), "amd64", "ubuntu@26.04", "amd64").unwrap_err();
    assert!(err.to_string().contains("does not know the glibc of base ubuntu@26.04"), "{err}");
}

#[test]
fn a_binary_for_another_architecture_is_refused() {
    let dir = TempDir::new("cargo-goops-arch");
    let crafted = dir.path().join("dispatch");
    let mut bytes = std::fs::read(host_binary()).unwrap();
    // e_machine: bytes 18..20 of the ELF header (little-endian here); 183 is EM_AARCH64.
    bytes[18..20].copy_from_slice(&183u16.to_le_bytes());
    std::fs::write(&crafted, bytes).unwrap();
    let err = check_binary(&crafted, "amd64", "ubuntu@24.04", "amd64").unwrap_err();
    assert!(err.to_string().contains("is a arm64 binary, but platform amd64 runs on amd64"), "{err}");
}

#[test]
fn static_without_the_musl_target_says_how_to_install_it() {
    let target = cargo_goops::cargo::musl_target();
    let installed = cargo_goops::cargo::target_installed(&workspace_root(), &target);
    let out_dir = TempDir::new("cargo-goops-static-pack");
    let out = run(cargo_goops()
        .args(["goops", "pack", "--static", "--charm-dir"])
        .arg(workspace_root().join("examples").join("manage-secrets"))
        .arg("--output-dir")
        .arg(out_dir.path()));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if installed {
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("dispatch statically linked"), "{stdout}");
    } else {
        assert!(!out.status.success());
        assert!(stderr.contains(&format!("install it with `rustup target add {target}`")), "{stderr}");
        assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 0, "no charm written");
    }
}
