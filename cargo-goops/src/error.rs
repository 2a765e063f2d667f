//! What can go wrong, with what was wrong and where.

use std::path::PathBuf;

use goops_juju::charmcraft::MetaError;

/// A cargo-goops failure. Every variant names the file, key, command or symbol at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The charm's metadata does not read (goops-juju's checks, the same the macros make).
    #[error(transparent)]
    Meta(#[from] MetaError),
    /// charmcraft.yaml has a shape cargo-goops cannot pack (or charmcraft would refuse).
    #[error("{}: {key}: {message}", .path.display())]
    Project {
        /// The charmcraft.yaml file.
        path: PathBuf,
        /// The dotted key at fault (`parts.charm.organize`).
        key: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// A command (cargo, rustc) could not start or failed.
    #[error("{command} {message}")]
    Command {
        /// The command line, as typed.
        command: String,
        /// What happened.
        message: String,
    },
    /// The binary is not an ELF file cargo-goops can read.
    #[error("{}: not a readable ELF executable: {message}", .path.display())]
    Elf {
        /// The binary.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The binary needs a newer glibc than its base provides: it would fail on every hook with
    /// `GLIBC_x.y not found`.
    #[error(
        "{} needs glibc {needed} but {base} provides glibc {provided}:\n{}\n\
         Build on a system with glibc {provided} or older (charmcraft pack builds on the base itself), \
         or link statically with `cargo goops pack --static`.",
        .path.display(),
        symbol_lines(.symbols)
    )]
    GlibcTooNew {
        /// The binary.
        path: PathBuf,
        /// The base (`ubuntu@22.04`).
        base: String,
        /// The glibc version the base provides (`2.35`).
        provided: String,
        /// The newest glibc version the binary needs (`2.39`).
        needed: String,
        /// Each symbol that needs more than the base provides, with its version (`2.39`).
        symbols: Vec<(String, String)>,
    },
    /// A dynamically linked binary for a base whose glibc cargo-goops does not know.
    #[error(
        "{} is dynamically linked and cargo-goops does not know the glibc of base {base} (it knows {known}); \
         pack a statically linked binary (`--static`) or use charmcraft pack",
        .path.display()
    )]
    UnknownBase {
        /// The binary.
        path: PathBuf,
        /// The base.
        base: String,
        /// The bases it knows.
        known: String,
    },
    /// The binary is for another architecture than the platform it is packed for.
    #[error("{} is a {found} binary, but platform {platform} runs on {arch}", .path.display())]
    WrongArchitecture {
        /// The binary.
        path: PathBuf,
        /// What the ELF header says (`aarch64`).
        found: String,
        /// The platform's label.
        platform: String,
        /// The platform's architecture (`amd64`).
        arch: String,
    },
    /// `--static` was asked for and the musl target is not installed.
    #[error(
        "--static builds with the {target} target, which is not installed for this toolchain; \
         install it with `rustup target add {target}`"
    )]
    MuslTargetMissing {
        /// The target triple.
        target: String,
    },
    /// A metadata section could not be written back as YAML.
    #[error("cannot write {file}: {message}")]
    YamlEmit {
        /// The file being written (`metadata.yaml`).
        file: String,
        /// The emitter's message.
        message: String,
    },
    /// `cargo goops new` was given a name or a directory it cannot use.
    #[error("{0}")]
    Scaffold(String),
    /// Writing the .charm zip failed.
    #[error("{}: cannot write the charm: {source}", .path.display())]
    Zip {
        /// The .charm file.
        path: PathBuf,
        /// Why.
        source: zip::result::ZipError,
    },
}

/// The symbols of [`Error::GlibcTooNew`], one a line, the first [`SHOWN_SYMBOLS`] of them.
fn symbol_lines(symbols: &[(String, String)]) -> String {
    let mut lines: Vec<String> = symbols
        .iter()
        .take(SHOWN_SYMBOLS)
        .map(|(symbol, version)| format!("  {symbol} needs GLIBC_{version}"))
        .collect();
    if symbols.len() > SHOWN_SYMBOLS {
        lines.push(format!("  … and {} more", symbols.len() - SHOWN_SYMBOLS));
    }
    lines.join("\n")
}

/// How many symbols a glibc refusal lists (newest versions first).
pub const SHOWN_SYMBOLS: usize = 8;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
