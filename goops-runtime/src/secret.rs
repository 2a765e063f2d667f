//! [`SecretString`]: a string that never shows itself by accident, and [`SecretContent`], a
//! secret's content.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroize;

/// Secret content: content key → value.
pub type SecretContent = BTreeMap<String, SecretString>;

/// A secret value (secret content, credential attributes).
///
/// `Debug` prints `[REDACTED]`; the bytes are zeroized when it is dropped. There is no
/// `Display`: `format!("password={s}")` does not compile, where a redacting `Display` would
/// silently write the wrong value. Reading the value is always the explicit, greppable
/// [`SecretString::expose_secret`].
///
/// ```compile_fail
/// let password = goops_runtime::SecretString::from("hunter2");
/// let line = format!("password={password}"); // error: no `Display`
/// ```
///
/// ```
/// let password = goops_runtime::SecretString::from("hunter2");
/// let line = format!("password={}", password.expose_secret());
/// assert_eq!(line, "password=hunter2");
/// assert_eq!(format!("{password:?}"), "[REDACTED]");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString {
    inner: String,
}

impl SecretString {
    /// Wrap `value`. The string is moved, not copied, so no unzeroized copy is left behind.
    pub fn new(value: String) -> Self {
        SecretString { inner: value }
    }

    /// The secret value. Every read of a secret is visible in the code as this call.
    pub fn expose_secret(&self) -> &str {
        &self.inner
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The length of the value in bytes.
    pub fn len(&self) -> usize {
        self.inner.len()
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.inner.zeroize();
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString::new(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = SecretString::from("hunter2");
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        let map: std::collections::BTreeMap<String, SecretString> =
            serde_json::from_str(r#"{"password":"hunter2"}"#).expect("valid JSON");
        assert!(!format!("{map:?}").contains("hunter2"));
        assert_eq!(map["password"].expose_secret(), "hunter2");
    }
}
