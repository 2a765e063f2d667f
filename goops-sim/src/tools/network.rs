//! `network-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, relation_id_opt, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::Network;

pub(super) const TOOLS: &[&ToolDef] = &[&NETWORK_GET];

const NETWORK_GET: ToolDef = ToolDef {
    name: "network-get",
    args: "<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]",
    purpose: "get network config",
    flags: &[
        FlagSpec::boolean(&["bind-address"], "get the address for the binding on which the unit should listen"),
        FlagSpec::boolean(&["ingress-address"], "get the ingress address for the binding"),
        FlagSpec::boolean(&["egress-subnets"], "get the egress subnets for the binding"),
        FlagSpec::boolean(&["primary-address"], "(deprecated) get the primary address for the binding"),
        FlagSpec::value(&["r", "relation"], "ID", "specify a relation by id"),
    ],
    formats: Formats::All,
    run: network_get,
};

pub(super) fn network_for(session: &Session, binding: &str) -> Option<Network> {
    if let Some(network) = session.state.networks.get(binding) {
        return Some(network.clone());
    }
    let meta = &session.meta;
    let declared = meta.endpoints.is_empty()
        || meta.endpoints.contains_key(binding)
        || meta.extra_bindings.iter().any(|b| b == binding)
        || binding == "juju-info";
    declared.then(Network::default)
}

fn network_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(binding) = args.first() else {
        return Err(usage("no arguments specified"));
    };
    if binding.is_empty() {
        return Err(usage("no binding name specified"));
    }
    check_empty(&args[1..])?;
    relation_id_opt(session, call)?;
    let network = network_for(session, binding)
        .ok_or_else(|| fail(format!("no network config found for binding {binding:?}")))?;
    if network.bind_addresses.is_empty() {
        return Err(fail(format!("no network config found for binding {binding:?}")));
    }
    let first_address = network.bind_addresses[0].addresses.first().map(|a| a.value.clone());
    let no_addresses = || fail(format!("no addresses attached to space for binding {binding:?}"));
    let selectors: Vec<&str> =
        ["bind-address", "ingress-address", "egress-subnets"].into_iter().filter(|f| call.parsed.flag(f)).collect();
    if selectors.is_empty() && !call.parsed.flag("primary-address") {
        return Ok(Out::PerFormat { json: network_val(&network, false), yaml: network_val(&network, true) });
    }
    if call.parsed.flag("primary-address") {
        if !selectors.is_empty() {
            return Err(fail("--primary-address must be the only flag specified"));
        }
        return first_address.map(|a| Out::Value(Val::str(a))).ok_or_else(no_addresses);
    }
    let mut values = Vec::new();
    for flag in &selectors {
        let value = match *flag {
            "bind-address" => first_address.clone().map(Val::Str).ok_or_else(no_addresses)?,
            "ingress-address" => match network.ingress_addresses.first() {
                Some(address) => Val::str(address.clone()),
                None => first_address.clone().map(Val::Str).ok_or_else(no_addresses)?,
            },
            _ => Val::strings(network.egress_subnets.clone()),
        };
        values.push(((*flag).to_owned(), value));
    }
    match values.len() {
        1 => Ok(Out::Value(values.remove(0).1)),
        _ => Ok(Out::Value(Val::map(values))),
    }
}

/// `networkInfoResultDisplay` of jujuc/network-get.go (Juju 3.x): JSON has the new keys only
/// (`mac-address`, `interface-name`, `value`); YAML has the new keys and, after them, the old
/// ones kept for older agents (`macaddress`, `interfacename`, `address`), in struct field order.
fn network_val(network: &Network, yaml: bool) -> Val {
    let bind = network
        .bind_addresses
        .iter()
        .map(|b| {
            let addresses = b
                .addresses
                .iter()
                .map(|a| {
                    let mut fields = vec![
                        ("hostname", Val::str(a.hostname.clone())),
                        ("value", Val::str(a.value.clone())),
                        ("cidr", Val::str(a.cidr.clone())),
                    ];
                    if yaml {
                        fields.push(("address", Val::str(a.value.clone())));
                    }
                    Val::object(fields)
                })
                .collect();
            let mut fields = vec![
                ("mac-address", Val::str(b.mac_address.clone())),
                ("interface-name", Val::str(b.interface_name.clone())),
                ("addresses", Val::List(addresses)),
            ];
            if yaml {
                fields.push(("macaddress", Val::str(b.mac_address.clone())));
                fields.push(("interfacename", Val::str(b.interface_name.clone())));
            }
            Val::object(fields)
        })
        .collect::<Vec<_>>();
    let list = |v: Vec<Val>| if v.is_empty() { Val::Nil } else { Val::List(v) };
    Val::object([
        ("bind-addresses", list(bind)),
        ("egress-subnets", list(network.egress_subnets.iter().cloned().map(Val::Str).collect())),
        ("ingress-addresses", list(network.ingress_addresses.iter().cloned().map(Val::Str).collect())),
    ])
    .omit_nil()
}
