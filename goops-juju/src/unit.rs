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

/// Whether `entity` names an application rather than a unit (Juju's names tell them apart: units
/// have a `/`).
pub fn is_app_name(entity: &str) -> bool {
    !entity.contains('/')
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
}
