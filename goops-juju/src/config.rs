//! Config option types (charmcraft.yaml `config.options.<name>.type`).

use crate::error::juju_names;

juju_names! {
    /// The type of a config option.
    pub enum ConfigType ("config option type", expected "string, int, float, boolean or secret") {
        /// `string`
        String = "string",
        /// `int`
        Int = "int",
        /// `float`
        Float = "float",
        /// `boolean`
        Boolean = "boolean",
        /// `secret`: the value is a secret URI the charm was granted (Juju 3.4+).
        Secret = "secret",
    }
}

impl Default for ConfigType {
    /// An option without `type:` is a string.
    fn default() -> Self {
        ConfigType::String
    }
}
