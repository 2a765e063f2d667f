//! `unit-get`, `application-version-set`.

use super::network::network_for;
use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, usage};
use crate::format::Val;
use crate::session::Session;
use crate::state::Network;

pub(super) const TOOLS: &[&ToolDef] = &[&UNIT_GET, &APPLICATION_VERSION_SET];

const UNIT_GET: ToolDef = ToolDef {
    name: "unit-get",
    args: "<setting>",
    purpose: "print public-address or private-address",
    flags: &[],
    formats: Formats::All,
    run: unit_get,
};

const APPLICATION_VERSION_SET: ToolDef = ToolDef {
    name: "application-version-set",
    args: "<new-version>",
    purpose: "specify which version of the application is deployed",
    flags: &[],
    formats: Formats::None,
    run: application_version_set,
};

fn unit_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(setting) = args.first() else {
        return Err(usage("no setting specified"));
    };
    check_empty(&args[1..])?;
    let addresses = &session.state.addresses;
    match *setting {
        // jujuc/unit-get.go: the first address of the default binding (`NetworkInfo([""])`),
        // its hostname when one was resolved; only without one, the context's private address.
        "private-address" => default_binding_address(session)
            .or_else(|| addresses.private.clone())
            .map(|a| Out::Value(Val::str(a)))
            .ok_or_else(|| fail("private address not found")),
        "public-address" => addresses
            .public
            .clone()
            .or_else(|| addresses.private.clone())
            .or_else(|| default_binding_address(session))
            .map(|a| Out::Value(Val::str(a)))
            .ok_or_else(|| fail("public address not found")),
        other => Err(usage(format!("unknown setting {other:?}"))),
    }
}

/// The first address of the application's default binding (the `""` binding, else
/// `juju-info`, which Juju binds to the same space), as unit-get prints it.
fn default_binding_address(session: &Session) -> Option<String> {
    let network = session
        .state
        .networks
        .get("")
        .cloned()
        .or_else(|| network_for(session, "juju-info"))
        .unwrap_or_else(Network::default);
    let first = network.bind_addresses.first()?.addresses.first()?;
    Some(if first.hostname.is_empty() { first.value.clone() } else { first.hostname.clone() })
}

fn application_version_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(version) = args.first() else {
        return Err(usage("no version specified"));
    };
    check_empty(&args[1..])?;
    session.state.workload_version = (*version).to_owned();
    Ok(Out::None)
}
