//! `open-port`, `close-port`, `opened-ports`.

use super::{Call, Formats, Out, ToolDef, ToolError, ToolResult, check_empty, fail, usage};
use crate::flags::FlagSpec;
use crate::format::Val;
use crate::session::Session;
use crate::state::{ModelType, OpenedPort};

pub(super) const TOOLS: &[&ToolDef] = &[&OPEN_PORT, &CLOSE_PORT, &OPENED_PORTS];

const OPEN_PORT: ToolDef = ToolDef {
    name: "open-port",
    args: "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
    purpose: "register a request to open a port or port range",
    flags: &[FlagSpec::value(&["endpoints"], "ENDPOINTS", "a comma-delimited list of application endpoints")],
    formats: Formats::Deprecated,
    run: open_port,
};

const CLOSE_PORT: ToolDef = ToolDef {
    name: "close-port",
    args: "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
    purpose: "register a request to close a port or port range",
    flags: &[FlagSpec::value(&["endpoints"], "ENDPOINTS", "a comma-delimited list of application endpoints")],
    formats: Formats::Deprecated,
    run: close_port,
};

const OPENED_PORTS: ToolDef = ToolDef {
    name: "opened-ports",
    args: "",
    purpose: "list all ports or port ranges opened by the unit",
    flags: &[FlagSpec::boolean(&["endpoints"], "display the list of target application endpoints for each port range")],
    formats: Formats::All,
    run: opened_ports,
};

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &str) -> Result<i64, ToolError> {
    s.parse::<i64>().map_err(|_| {
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let reason = if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        usage(format!("invalid port {s:?}: strconv.Atoi: parsing {s:?}: {reason}"))
    })
}

/// Parse a port spec as `core/network.ParsePortRange` does (rule 38).
fn parse_port(spec: &str) -> Result<OpenedPort, ToolError> {
    let spec = spec.to_lowercase();
    if spec == "icmp" {
        return Ok(OpenedPort { protocol: "icmp".to_owned(), from: 0, to: 0, endpoints: Vec::new() });
    }
    let (range, protocol) = match spec.split_once('/') {
        Some((r, p)) => (r.to_owned(), p.to_owned()),
        None => (spec.clone(), "tcp".to_owned()),
    };
    // As core/network.ParsePortRange: ports first, then the protocol is validated.
    let parts: Vec<&str> = range.split('-').collect();
    let (from, to) = match parts.as_slice() {
        ["icmp"] => return Ok(OpenedPort { protocol: "icmp".to_owned(), from: 0, to: 0, endpoints: Vec::new() }),
        [one] => {
            let p = atoi(one)?;
            (p, p)
        }
        [a, b] => (atoi(a)?, atoi(b)?),
        _ => return Err(usage(format!("invalid port range {range:?}"))),
    };
    if !["tcp", "udp", "icmp"].contains(&protocol.as_str()) {
        return Err(usage(format!("invalid protocol {protocol:?}, expected \"tcp\", \"udp\", or \"icmp\"")));
    }
    if protocol == "icmp" {
        return Err(usage(format!("protocol \"icmp\" doesn't support any ports; got \"{from}\"")));
    }
    if from > to {
        return Err(usage(format!("invalid port range {from}-{to}/{protocol}")));
    }
    if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) {
        return Err(usage(format!("port range bounds must be between 0 and 65535, got {from}-{to}")));
    }
    Ok(OpenedPort { protocol, from: from as u16, to: to as u16, endpoints: Vec::new() })
}

fn port_arg(call: &Call<'_>) -> Result<OpenedPort, ToolError> {
    let args = call.args();
    let Some(spec) = args.first() else {
        return Err(usage("no port or range specified"));
    };
    check_empty(&args[1..])?;
    let mut port = parse_port(spec)?;
    if let Some(list) = call.parsed.value("endpoints") {
        port.endpoints = list.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect();
    }
    Ok(port)
}

fn overlaps(a: &OpenedPort, b: &OpenedPort) -> bool {
    a.protocol == b.protocol && a.from <= b.to && b.from <= a.to
}

fn same_range(a: &OpenedPort, b: &OpenedPort) -> bool {
    a.protocol == b.protocol && a.from == b.from && a.to == b.to
}

fn current(session: &Session) -> Vec<OpenedPort> {
    session.pending.ports.clone().unwrap_or_else(|| session.state.opened_ports.clone())
}

/// Juju's `checkForConflict`: another unit's overlapping range, or one of this unit's own
/// overlapping but different ranges, is a conflict (" requested earlier" when it is one of this
/// hook's own requests). Machine-wide checks do not apply on Kubernetes.
fn conflict(
    session: &Session,
    port: &OpenedPort,
    verb: &str,
    own: &[OpenedPort],
    own_pending: bool,
) -> Result<(), ToolError> {
    let unit = &session.state.unit;
    let refuse = |other: &OpenedPort, other_unit: &str, earlier: bool| {
        fail(format!(
            "cannot {verb} {} (unit {unit:?}): port range conflicts with {} (unit {other_unit:?}){}",
            port,
            other,
            if earlier { " requested earlier" } else { "" }
        ))
    };
    if let Some(mine) = own.iter().find(|p| overlaps(p, port) && !same_range(p, port)) {
        return Err(refuse(mine, unit, own_pending));
    }
    if session.state.model.model_type != ModelType::Kubernetes
        && let Some(other) = session.state.machine_ports.iter().find(|m| overlaps(&m.port, port))
    {
        return Err(refuse(&other.port, &other.unit, false));
    }
    Ok(())
}

fn open_port(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let port = port_arg(call)?;
    if session.state.model.model_type == ModelType::Kubernetes && port.from != port.to {
        return Err(fail("port ranges are not supported for k8s applications, please specify a single port"));
    }
    let committed = session.state.opened_ports.clone();
    let ports = current(session);
    let pending_opens: Vec<OpenedPort> =
        ports.iter().filter(|p| !committed.iter().any(|c| same_range(c, p))).cloned().collect();
    conflict(session, &port, "open", &pending_opens, true)?;
    conflict(session, &port, "open", &committed, false)?;
    let mut ports = ports;
    match ports.iter_mut().find(|p| same_range(p, &port)) {
        Some(existing) => {
            if port.endpoints.is_empty() || existing.endpoints.is_empty() {
                existing.endpoints.clear();
            } else {
                for e in port.endpoints {
                    if !existing.endpoints.contains(&e) {
                        existing.endpoints.push(e);
                    }
                }
                existing.endpoints.sort();
            }
        }
        None => ports.push(port),
    }
    ports.sort();
    session.pending.ports = Some(ports);
    Ok(Out::None)
}

fn close_port(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let port = port_arg(call)?;
    if session.state.model.model_type == ModelType::Kubernetes && port.from != port.to {
        return Err(fail("port ranges are not supported for k8s applications, please specify a single port"));
    }
    // A pending open of the same range is simply cancelled; otherwise the range must not overlap
    // a different range that is open.
    let committed = session.state.opened_ports.clone();
    conflict(session, &port, "close", &committed, false)?;
    let mut ports = current(session);
    ports.retain_mut(|p| {
        if !same_range(p, &port) {
            return true;
        }
        if port.endpoints.is_empty() || p.endpoints.is_empty() {
            return false;
        }
        p.endpoints.retain(|e| !port.endpoints.contains(e));
        !p.endpoints.is_empty()
    });
    session.pending.ports = Some(ports);
    Ok(Out::None)
}

fn opened_ports(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    let mut ports = current(session);
    ports.sort_by(|a, b| (a.protocol.as_str(), a.from, a.to).cmp(&(b.protocol.as_str(), b.from, b.to)));
    let with_endpoints = call.parsed.flag("endpoints");
    let lines = ports.iter().map(|p| {
        let s = p.to_string();
        if !with_endpoints {
            s
        } else if p.endpoints.is_empty() {
            format!("{s} (*)")
        } else {
            format!("{s} ({})", p.endpoints.join(", "))
        }
    });
    Ok(Out::Value(Val::strings(lines)))
}
