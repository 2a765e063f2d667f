//! `network-get`, `unit-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, relation_id_opt, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::Network;

pub(super) const TOOLS: &[&ToolDef] = &[&NETWORK_GET, &UNIT_GET];

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

const UNIT_GET: ToolDef = ToolDef {
    name: "unit-get",
    args: "<setting>",
    purpose: "print public-address or private-address",
    flags: &[],
    formats: Formats::All,
    run: unit_get,
};

fn network_for(session: &Session, binding: &str) -> Option<Network> {
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
    check_empty(&args[1..])?;
    relation_id_opt(session, call)?;
    let selectors: Vec<&str> =
        ["bind-address", "ingress-address", "egress-subnets"].into_iter().filter(|f| call.parsed.flag(f)).collect();
    let primary = call.parsed.flag("primary-address");
    if primary && !selectors.is_empty() {
        return Err(usage("--primary-address must be the only flag specified"));
    }
    let network = network_for(session, binding)
        .ok_or_else(|| fail(format!("no network config found for binding {binding:?}")))?;
    let first_address = network.bind_addresses.iter().flat_map(|b| b.addresses.iter()).next().map(|a| a.value.clone());
    if primary {
        return first_address
            .map(|a| Out::Value(Val::str(a)))
            .ok_or_else(|| fail(format!("no addresses attached to space for binding {binding:?}")));
    }
    let value_of = |flag: &str| match flag {
        "bind-address" => first_address.clone().map(Val::Str).unwrap_or(Val::Nil),
        "ingress-address" => network.ingress_addresses.first().cloned().map(Val::Str).unwrap_or(Val::Nil),
        _ => Val::strings(network.egress_subnets.clone()),
    };
    match selectors.as_slice() {
        [] => {
            let bind = network
                .bind_addresses
                .iter()
                .map(|b| {
                    let addresses = b
                        .addresses
                        .iter()
                        .map(|a| {
                            Val::object([
                                ("hostname", Val::str(a.hostname.clone())),
                                ("value", Val::str(a.value.clone())),
                                ("cidr", Val::str(a.cidr.clone())),
                            ])
                        })
                        .collect();
                    Val::object([
                        ("mac-address", Val::str(b.mac_address.clone())),
                        ("interface-name", Val::str(b.interface_name.clone())),
                        ("addresses", Val::List(addresses)),
                    ])
                })
                .collect::<Vec<_>>();
            let list = |v: Vec<Val>| if v.is_empty() { Val::Nil } else { Val::List(v) };
            Ok(Out::Value(
                Val::object([
                    ("bind-addresses", list(bind)),
                    ("egress-subnets", list(network.egress_subnets.iter().cloned().map(Val::Str).collect())),
                    ("ingress-addresses", list(network.ingress_addresses.iter().cloned().map(Val::Str).collect())),
                ])
                .omit_nil(),
            ))
        }
        [one] => Ok(Out::Value(value_of(one))),
        many => Ok(Out::Value(Val::map(many.iter().map(|f| ((*f).to_owned(), value_of(f)))))),
    }
}

fn unit_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(setting) = args.first() else {
        return Err(usage("no setting specified"));
    };
    check_empty(&args[1..])?;
    let default = || {
        network_for(session, "juju-info")
            .or_else(|| Some(Network::default()))
            .and_then(|n| n.ingress_addresses.first().cloned())
    };
    let addresses = &session.state.addresses;
    match setting.as_str() {
        "private-address" => addresses
            .private
            .clone()
            .or_else(default)
            .map(|a| Out::Value(Val::str(a)))
            .ok_or_else(|| fail("private address not found")),
        "public-address" => addresses
            .public
            .clone()
            .or_else(|| addresses.private.clone())
            .or_else(default)
            .map(|a| Out::Value(Val::str(a)))
            .ok_or_else(|| fail("public address not found")),
        other => Err(usage(format!("unknown setting {other:?}"))),
    }
}
