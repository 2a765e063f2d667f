//! The base check: the glibc symbol versions a binary needs, against what its base provides.
//!
//! A dynamically linked binary built on a newer system than the charm's base fails on every
//! hook with `version 'GLIBC_2.xx' not found`. The dynamic linker decides this from the ELF's
//! version needs (`.gnu.version_r`), which name a version per symbol (`.gnu.version`); this
//! module reads the same tables with the `object` crate and refuses the binary at pack time.

use std::path::Path;

use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, Sym};
use object::{Endianness, FileKind};

use crate::error::{Error, Result};

/// The glibc each base ships (`ldd --version` on the base's image): Ubuntu 20.04 focal has
/// 2.31, 22.04 jammy 2.35, 24.04 noble 2.39.
pub const BASE_GLIBC: &[(&str, &str)] = &[("ubuntu@20.04", "2.31"), ("ubuntu@22.04", "2.35"), ("ubuntu@24.04", "2.39")];

/// The glibc version `base` provides, if cargo-goops knows it.
pub fn glibc_of_base(base: &str) -> Option<&'static str> {
    BASE_GLIBC.iter().find(|(b, _)| *b == base).map(|(_, v)| *v)
}

/// What the check found in a binary that passed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linking {
    /// No program interpreter and no glibc version needs: it runs on any base.
    Static,
    /// Dynamically linked; the newest glibc it needs (`2.34`), if any.
    Dynamic {
        /// The newest `GLIBC_x.y` version named in its version needs.
        newest_glibc: Option<String>,
    },
}

/// One symbol the binary imports with a glibc version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlibcNeed {
    /// The symbol (`__libc_start_main`).
    pub symbol: String,
    /// The version without its prefix (`2.34`).
    pub version: String,
}

/// What the ELF says about how it links and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfFacts {
    /// The machine as an architecture name Juju uses (`amd64`, `arm64`, …), or the ELF's own
    /// machine number when it is none of those.
    pub arch: String,
    /// Whether it has a program interpreter (`PT_INTERP`: the dynamic linker).
    pub interpreter: bool,
    /// Every `GLIBC_x.y` version in its version needs (`.gnu.version_r`), with or without a
    /// symbol using it.
    pub glibc_versions: Vec<String>,
    /// Every imported dynamic symbol bound to a `GLIBC_x.y` version.
    pub needs: Vec<GlibcNeed>,
}

/// Read the linking facts of the ELF executable at `path`.
pub fn read_elf(path: &Path) -> Result<ElfFacts> {
    let data = std::fs::read(path).map_err(Error::io(path))?;
    let elf_error = |message: String| Error::Elf { path: path.to_path_buf(), message };
    match FileKind::parse(&*data).map_err(|e| elf_error(e.to_string()))? {
        FileKind::Elf64 => facts::<elf::FileHeader64<Endianness>>(&data),
        FileKind::Elf32 => facts::<elf::FileHeader32<Endianness>>(&data),
        other => Err(format!("a {other:?} file")),
    }
    .map_err(elf_error)
}

fn facts<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<ElfFacts, String> {
    let header = Elf::parse(data).map_err(|e| e.to_string())?;
    let endian = header.endian().map_err(|e| e.to_string())?;
    let arch = arch_name(header.e_machine(endian));
    let interpreter = header
        .program_headers(endian, data)
        .map_err(|e| e.to_string())?
        .iter()
        .any(|ph| ph.p_type(endian) == elf::PT_INTERP);
    let sections = header.sections(endian, data).map_err(|e| e.to_string())?;

    let mut glibc_versions = Vec::new();
    if let Some((mut needs, link)) = sections.gnu_verneed(endian, data).map_err(|e| e.to_string())? {
        let strings = sections.strings(endian, data, link).map_err(|e| e.to_string())?;
        while let Some((_, mut auxs)) = needs.next().map_err(|e| e.to_string())? {
            while let Some(aux) = auxs.next().map_err(|e| e.to_string())? {
                let name = aux.name(endian, strings).map_err(|e| e.to_string())?;
                if let Some(version) = glibc_version(name) {
                    glibc_versions.push(version);
                }
            }
        }
    }

    let mut needs = Vec::new();
    if let Some(versions) = sections.versions(endian, data).map_err(|e| e.to_string())? {
        let symbols = sections.symbols(endian, data, elf::SHT_DYNSYM).map_err(|e| e.to_string())?;
        for (index, symbol) in symbols.enumerate() {
            if !symbol.is_undefined(endian) {
                continue; // Only imports need a version from glibc.
            }
            let version_index = versions.version_index(endian, index).index();
            let Some(version) = versions.version(version_index).map_err(|e| e.to_string())? else { continue };
            if let Some(version) = glibc_version(version.name()) {
                let name = symbols.symbol_name(endian, symbol).map_err(|e| e.to_string())?;
                needs.push(GlibcNeed { symbol: String::from_utf8_lossy(name).into_owned(), version });
            }
        }
    }
    Ok(ElfFacts { arch, interpreter, glibc_versions, needs })
}

/// `GLIBC_2.34` → `2.34`; `None` for other version names (`GLIBC_PRIVATE`, `GCC_3.0`).
fn glibc_version(name: &[u8]) -> Option<String> {
    let version = std::str::from_utf8(name.strip_prefix(b"GLIBC_")?).ok()?;
    parse_version(version).map(|_| version.to_owned())
}

/// `2.2.5` → `[2, 2, 5]`, for ordering.
fn parse_version(version: &str) -> Option<Vec<u32>> {
    version.split('.').map(|part| part.parse().ok()).collect()
}

/// The newest of `versions`, by number.
fn newest<'a>(versions: impl IntoIterator<Item = &'a String>) -> Option<&'a String> {
    versions.into_iter().max_by_key(|v| parse_version(v))
}

/// Juju's architecture name for an ELF machine.
fn arch_name(machine: elf::Machine) -> String {
    match machine {
        elf::EM_X86_64 => "amd64",
        elf::EM_AARCH64 => "arm64",
        elf::EM_PPC64 => "ppc64el",
        elf::EM_S390 => "s390x",
        elf::EM_RISCV => "riscv64",
        elf::EM_ARM => "armhf",
        other => return format!("ELF machine {}", other.0),
    }
    .to_owned()
}

/// Check the binary at `path` against `base` (`ubuntu@24.04`) on `arch` (`amd64`, the
/// platform's), for the platform `platform`: refuse it when it is for another architecture, or
/// when it needs a newer glibc than the base provides (naming every symbol that does). A
/// statically linked binary passes on any base.
pub fn check_binary(path: &Path, platform: &str, base: &str, arch: &str) -> Result<Linking> {
    let facts = read_elf(path)?;
    if facts.arch != arch {
        return Err(Error::WrongArchitecture {
            path: path.to_path_buf(),
            found: facts.arch,
            platform: platform.to_owned(),
            arch: arch.to_owned(),
        });
    }
    if !facts.interpreter && facts.glibc_versions.is_empty() {
        return Ok(Linking::Static);
    }
    let newest_glibc = newest(&facts.glibc_versions).cloned();
    let Some(provided) = glibc_of_base(base) else {
        return Err(Error::UnknownBase {
            path: path.to_path_buf(),
            base: base.to_owned(),
            known: BASE_GLIBC.iter().map(|(b, _)| *b).collect::<Vec<_>>().join(", "),
        });
    };
    let too_new = |version: &str| parse_version(version) > parse_version(provided);
    if newest_glibc.as_deref().is_some_and(too_new) {
        let mut symbols: Vec<(String, String)> = facts
            .needs
            .iter()
            .filter(|need| too_new(&need.version))
            .map(|need| (need.symbol.clone(), need.version.clone()))
            .collect();
        symbols.sort_by(|a, b| parse_version(&b.1).cmp(&parse_version(&a.1)).then_with(|| a.0.cmp(&b.0)));
        symbols.dedup();
        if symbols.is_empty() {
            // A version need no symbol refers to still makes the dynamic linker refuse the binary.
            symbols = facts
                .glibc_versions
                .iter()
                .filter(|v| too_new(v))
                .map(|v| ("(no symbol: a version need of the binary)".to_owned(), v.clone()))
                .collect();
        }
        return Err(Error::GlibcTooNew {
            path: path.to_path_buf(),
            base: base.to_owned(),
            provided: provided.to_owned(),
            needed: newest_glibc.unwrap_or_default(),
            symbols,
        });
    }
    Ok(Linking::Dynamic { newest_glibc })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_number_not_text() {
        let versions = ["2.9", "2.34", "2.2.5"].map(String::from);
        assert_eq!(newest(&versions).map(String::as_str), Some("2.34"));
        assert_eq!(glibc_version(b"GLIBC_2.2.5").as_deref(), Some("2.2.5"));
        assert_eq!(glibc_version(b"GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version(b"GCC_3.0"), None);
    }

    #[test]
    fn bases_and_their_glibc() {
        assert_eq!(glibc_of_base("ubuntu@20.04"), Some("2.31"));
        assert_eq!(glibc_of_base("ubuntu@22.04"), Some("2.35"));
        assert_eq!(glibc_of_base("ubuntu@24.04"), Some("2.39"));
        assert_eq!(glibc_of_base("centos@7"), None);
    }

    #[test]
    fn a_file_that_is_not_elf_is_a_typed_error() {
        let path = std::env::temp_dir().join(format!("cargo-goops-not-elf-{}", std::process::id()));
        std::fs::write(&path, "#!/bin/sh\nexit 0\n").unwrap();
        let err = check_binary(&path, "amd64", "ubuntu@24.04", "amd64").unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(err, Error::Elf { .. }), "{err}");
        assert!(err.to_string().contains("not a readable ELF executable"), "{err}");
    }
}
