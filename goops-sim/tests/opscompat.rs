//! Behaviours that Python `ops` relies on and Juju really has, found by running the `ops`
//! charm in tests/ops-charm (and probe charms) under `goops-sim run`.

mod common;

use goops_sim::format::{Format, Val, render};

fn yaml(s: &str) -> String {
    String::from_utf8(render(&Val::str(s), Format::Yaml)).unwrap()
}

/// yaml.v2 quotes a string only when its `resolve` would read it back as another type; for
/// timestamps it tries `time.Parse` with `allowedTimestampFormats`, which want a `T`/`t` *and*
/// a zone, or a space and *no* zone. Juju's `FormatTime` output (`2006-01-02 15:04:05Z`, used
/// by goal-state's `since`) is neither, so it is written plain.
#[test]
fn yaml_quotes_only_what_yaml_v2_reads_as_a_timestamp() {
    for quoted in ["2024-06-01", "2024-06-01T00:00:00Z", "2024-06-01t00:00:00+02:00", "2024-06-01 00:00:00"] {
        assert_eq!(yaml(quoted), format!("{quoted:?}\n"), "{quoted}");
    }
    for plain in ["2024-06-01 00:00:00Z", "2024-06-01T00:00:00", "2024-06-01 00:00:00+02:00", "2024-06-01x"] {
        assert_eq!(yaml(plain), format!("{plain}\n"), "{plain}");
    }
}
