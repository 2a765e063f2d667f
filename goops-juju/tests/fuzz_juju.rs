//! Fuzz targets for goops-juju's parsers: hook names ([`HookKind::parse`]), Juju's name rules,
//! and (feature `charmcraft`) the charmcraft.yaml reader, which the macros run at compile time
//! and goops-sim at run time, including YAML alias bombs and deep nesting.
//!
//! proptest with a fixed seed and a bounded number of cases, so `cargo test` runs them in CI in
//! a few seconds and a failure reproduces. `GOOPS_FUZZ_CASES=N` runs N cases per target,
//! `GOOPS_FUZZ_SCALE=K` K times the CI count;
//! `GOOPS_FUZZ_SEED=S` changes the seed.

use goops_juju::HookKind;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// `default_cases` unless `GOOPS_FUZZ_CASES` (a count) or `GOOPS_FUZZ_SCALE` (a multiple) say
/// otherwise, a fixed seed (`GOOPS_FUZZ_SEED`),
/// no failure files written into the tree.
fn config(default_cases: u32) -> Config {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("GOOPS_FUZZ_CASES")
            .or_else(|| env("GOOPS_FUZZ_SCALE").map(|k| k.saturating_mul(u64::from(default_cases))))
            .map_or(default_cases, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        rng_seed: RngSeed::Fixed(env("GOOPS_FUZZ_SEED").unwrap_or(0x600b5)),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Hook names: real ones, real ones with odd scopes, and junk.
fn hook_name() -> impl Strategy<Value = String> {
    let real = (prop::sample::select(HookKind::ALL.to_vec()), "[a-z0-9-]{0,12}")
        .prop_map(|(kind, scope)| kind.hook_name(kind.scope().map(|_| scope.as_str())));
    let suffix = prop::sample::select(vec![
        "-relation-changed",
        "-relation-joined",
        "-storage-attached",
        "-pebble-ready",
        "-pebble-custom-notice",
        "secret-changed",
        "install",
        "",
    ]);
    prop_oneof![
        3 => real,
        2 => ("[a-z-]{0,10}", suffix).prop_map(|(p, s)| format!("{p}{s}")),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(2048))]

    /// Whatever the name, `parse` answers, and what it accepts prints back as the same name.
    #[test]
    fn hook_names_parse_and_round_trip(name in hook_name()) {
        if let Some((kind, scope)) = HookKind::parse(&name) {
            prop_assert_eq!(kind.scope().is_some(), scope.is_some(), "{}", name);
            prop_assert_eq!(kind.hook_name(scope), name);
        }
    }

    /// The name rules answer for any text; what they accept has the documented shape.
    #[test]
    fn name_rules_never_panic(text in prop_oneof!["[a-z0-9/:#.-]{0,24}", any::<String>()]) {
        if let Ok(app) = goops_juju::unit::app_of(&text) {
            prop_assert!(text.starts_with(app) && text[app.len()..].starts_with('/'), "{text:?}");
        }
        if let Ok((name, index)) = goops_juju::storage::parse_storage_id(&text) {
            prop_assert_eq!(format!("{name}/{index}"), text.clone());
        }
        let _ = goops_juju::relation::relation_number(&text);
        let _ = goops_juju::secret::check_secret_uri(&text);
        let _ = goops_juju::secret::check_content_key(&text);
        let _ = goops_juju::unit::is_valid_unit_name(&text);
        let _ = text.parse::<goops_juju::RelationId>();
        let _ = text.parse::<goops_juju::RotatePolicy>();
        let _ = text.parse::<goops_juju::StorageKind>();
    }
}

#[cfg(feature = "charmcraft")]
mod charmcraft {
    use goops_juju::charmcraft::{CharmMeta, MetaError};

    use super::*;

    /// The classic alias bomb: each level is ten aliases of the one before; `levels` = 9 is
    /// 10^9 strings in about 450 bytes.
    pub(super) fn alias_bomb(levels: usize) -> String {
        let mut text = String::from("name: bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..levels {
            let aliases = vec![format!("*a{}", i - 1); 10].join(",");
            text.push_str(&format!("a{i}: &a{i} [{aliases}]\n"));
        }
        text
    }

    fn yaml_message(result: Result<CharmMeta, MetaError>) -> String {
        match result {
            Err(MetaError::Yaml { message, .. }) => message,
            other => panic!("expected a YAML error, got {other:?}"),
        }
    }

    /// Without the bound, yaml-rust2 copies the anchor at each alias and allocates until the
    /// process dies; with it, the text is refused before it is loaded.
    #[test]
    fn an_alias_bomb_is_refused_with_a_clear_error() {
        let bomb = alias_bomb(9);
        assert!(bomb.len() < 600, "{} bytes", bomb.len());
        let message = yaml_message(CharmMeta::from_charmcraft_yaml(&bomb));
        assert!(message.contains("aliases") && message.contains("100000 nodes"), "{message}");

        // The same through a charm directory (what the macros and goops-sim read), in
        // charmcraft.yaml and in a legacy file.
        let dir = std::env::temp_dir().join(format!("goops-juju-fuzz-bomb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("charmcraft.yaml"), &bomb).expect("write");
        let message = yaml_message(CharmMeta::from_dir(&dir));
        assert!(message.contains("aliases"), "{message}");
        std::fs::write(dir.join("charmcraft.yaml"), "name: ok\n").expect("write");
        std::fs::write(dir.join("config.yaml"), alias_bomb(12)).expect("write");
        let err = CharmMeta::from_dir(&dir).expect_err("bomb in config.yaml");
        assert!(
            err.to_string().starts_with(&format!("{}: not valid YAML", dir.join("config.yaml").display())),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Aliases in reasonable numbers still work: the bound counts them, it does not forbid them.
    #[test]
    fn aliases_within_the_bound_are_read() {
        let text = "name: ok\nrequires:\n  db: &pg {interface: pgsql}\n  db2: *pg\n";
        let meta = CharmMeta::from_charmcraft_yaml(text).expect("aliases are YAML");
        assert_eq!(meta.endpoints["db2"].interface, "pgsql");
        assert!(CharmMeta::from_charmcraft_yaml(&alias_bomb(3)).is_ok());
    }

    /// Nesting that would overflow the stack when yaml-rust2 frees the document is refused.
    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("name: deep\nx:\n{}x\n", "- ".repeat(200_000));
        let message = yaml_message(CharmMeta::from_charmcraft_yaml(&deep));
        assert!(message.contains("nested deeper than 512"), "{message}");
        let block: String = (0..2000).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        let message = yaml_message(CharmMeta::from_charmcraft_yaml(&block));
        assert!(message.contains("nested deeper"), "{message}");
        // Flow collections stop at yaml-rust2's scanner limit.
        let flow = format!("x: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        yaml_message(CharmMeta::from_charmcraft_yaml(&flow));
    }

    /// YAML built from the pieces that matter to the reader: section names, anchors, aliases,
    /// flow and block collections, tags, document markers.
    pub(super) fn yaml_soup() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "name: ",
            "config:\n",
            "  options:\n",
            "    port: ",
            "{type: int, default: 1}",
            "actions:\n",
            "  a:\n",
            "    params:\n",
            "requires:\n",
            "  db: ",
            "{interface: x}",
            "storage:\n",
            "containers:\n",
            "resources:\n",
            "peers:\n",
            "type: ",
            "default: ",
            "&a ",
            "*a ",
            "&b ",
            "*b ",
            "*zz ",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "- ",
            "? ",
            ": ",
            "\n",
            "  ",
            "'q'",
            "\"d\\u0000\"",
            "1",
            "-1",
            "1e400",
            "0x1f",
            "~",
            "true",
            "!!str ",
            "!!int ",
            "!!binary ",
            "--- ",
            "...\n",
            "|\n  ",
            ">-\n  ",
            "#c\n",
            "<<: ",
            "\t",
            "\u{feff}",
            "é",
        ]);
        prop_oneof![
            4 => prop::collection::vec(piece, 0..80).prop_map(|p| p.concat()),
            1 => any::<String>(),
            1 => (1usize..12).prop_map(alias_bomb),
        ]
    }

    proptest! {
        #![proptest_config(config(512))]

        /// Any text is read or refused with a MetaError naming the file; never a panic, and never
        /// more than the bound's worth of nodes.
        #[test]
        fn charmcraft_yaml_never_panics(text in yaml_soup()) {
            match CharmMeta::from_charmcraft_yaml(&text) {
                Ok(meta) => { let _ = format!("{meta:?}"); }
                Err(e) => prop_assert!(e.to_string().starts_with("charmcraft.yaml: "), "{e}"),
            }
        }
    }
}
