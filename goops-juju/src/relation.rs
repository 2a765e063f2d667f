//! Relation ids and endpoint roles (docs/hook-tools.md §4.4, rule 8).

use std::fmt;
use std::str::FromStr;

use crate::error::{InvalidName, juju_names};

/// A relation: its endpoint and Juju's numeric id, written `endpoint:id` as `relation-ids` prints
/// it, `JUJU_RELATION_ID` holds it and tools take it with `-r` (where Juju reads only the number:
/// see [`relation_number`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationId {
    /// The endpoint name in charmcraft.yaml, e.g. `db`.
    pub endpoint: String,
    /// Juju's relation id.
    pub id: u32,
}

impl RelationId {
    /// The relation `endpoint:id`.
    pub fn new(endpoint: impl Into<String>, id: u32) -> Self {
        RelationId { endpoint: endpoint.into(), id }
    }
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.endpoint, self.id)
    }
}

impl FromStr for RelationId {
    type Err = InvalidName;

    /// Parse `endpoint:id` (`JUJU_RELATION_ID`, `relation-ids` output).
    fn from_str(s: &str) -> Result<Self, InvalidName> {
        let bad = || InvalidName::new("relation id", s, "<endpoint>:<number>");
        let (endpoint, id) = s.rsplit_once(':').ok_or_else(bad)?;
        if endpoint.is_empty() {
            return Err(bad());
        }
        Ok(RelationId { endpoint: endpoint.to_owned(), id: id.parse().map_err(|_| bad())? })
    }
}

/// The relation number in a `-r` value or `JUJU_RELATION_ID`: `N` or `<anything>:N`, where only
/// the text after the last `:` counts (docs/hook-tools.md §4.4); `None` when that is not a number.
pub fn relation_number(value: &str) -> Option<u32> {
    value.rsplit(':').next().and_then(|n| n.parse().ok())
}

juju_names! {
    /// Which side of a relation an endpoint is: the charmcraft.yaml section that declares it.
    pub enum RelationRole ("relation role", expected "provides, requires or peers") {
        /// `provides:`
        Provides = "provides",
        /// `requires:`
        Requires = "requires",
        /// `peers:`
        Peers = "peers",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_ids_round_trip() {
        let id: RelationId = "tls-certs:7".parse().unwrap();
        assert_eq!(id, RelationId::new("tls-certs", 7));
        assert_eq!(id.to_string(), "tls-certs:7");
        for bad in ["7", ":7", "db:", "db:x", "db:-1"] {
            assert!(bad.parse::<RelationId>().is_err(), "{bad}");
        }
        assert_eq!(relation_number("db:7"), Some(7));
        assert_eq!(relation_number("7"), Some(7));
        assert_eq!(relation_number("other:endpoint:7"), Some(7));
        assert_eq!(relation_number("db:x"), None);
    }
}
