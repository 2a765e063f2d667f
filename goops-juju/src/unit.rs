//! Unit and application names.

use crate::error::InvalidName;

/// The application of unit `unit` (`app/3` → `app`), or an error when `unit` is not
/// `<application>/<number>`.
pub fn app_of(unit: &str) -> Result<&str, InvalidName> {
    match unit.rsplit_once('/') {
        Some((app, n))
            if !app.is_empty() && !app.contains('/') && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(app)
        }
        _ => Err(InvalidName::new("unit name", unit, "<application>/<number>")),
    }
}

/// Whether `name` is a valid application name, as Juju's `names.IsValidApplication` reads it:
/// `^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$` (lowercase letters and digits in
/// hyphen-separated parts; the first part starts with a letter, every later part has a letter).
pub fn is_valid_app_name(name: &str) -> bool {
    let mut parts = name.split('-');
    let first = parts.next().unwrap_or_default();
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    first.starts_with(|c: char| c.is_ascii_lowercase())
        && first.chars().all(alnum)
        && parts.all(|p| p.chars().any(|c| c.is_ascii_lowercase()) && p.chars().all(alnum))
}

/// Whether `name` is a valid unit name, as Juju's `names.IsValidUnit` reads it: a valid
/// application name, `/`, a number.
pub fn is_valid_unit_name(name: &str) -> bool {
    app_of(name).is_ok_and(is_valid_app_name)
}

/// Whether `entity` names an application rather than a unit (Juju's names tell them apart: units
/// have a `/`).
pub fn is_app_name(entity: &str) -> bool {
    !entity.contains('/')
}

/// The series name of an Ubuntu LTS base (`ubuntu@24.04` → `noble`), as Juju 3.x sets
/// `JUJU_TARGET_SERIES` next to `JUJU_TARGET_BASE`; `None` for other bases.
pub fn series_of_base(base: &str) -> Option<&'static str> {
    Some(match base {
        "ubuntu@18.04" => "bionic",
        "ubuntu@20.04" => "focal",
        "ubuntu@22.04" => "jammy",
        "ubuntu@24.04" => "noble",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names() {
        assert_eq!(app_of("my-app/12"), Ok("my-app"));
        for bad in ["app", "/0", "app/", "app/x", "app/0/1"] {
            assert!(app_of(bad).is_err(), "{bad}");
        }
        assert!(is_app_name("db") && !is_app_name("db/0"));
    }

    #[test]
    fn app_and_unit_name_rules() {
        for ok in ["pg", "my-app", "app2", "a-1b", "x-y-z"] {
            assert!(is_valid_app_name(ok), "{ok}");
            assert!(is_valid_unit_name(&format!("{ok}/0")), "{ok}/0");
        }
        for bad in ["", "2app", "App", "my_app", "app-", "-app", "app--x", "app-1", "a/0"] {
            assert!(!is_valid_app_name(bad), "{bad}");
        }
        for bad in ["pg", "pg/", "pg/x", "Pg/0", "pg-/0", "pg/0/1"] {
            assert!(!is_valid_unit_name(bad), "{bad}");
        }
    }

    #[test]
    fn series_of_lts_bases() {
        assert_eq!(series_of_base("ubuntu@22.04"), Some("jammy"));
        assert_eq!(series_of_base("centos@7"), None);
    }
}
