//! goops-sim: a local Juju unit agent for testing charms.
