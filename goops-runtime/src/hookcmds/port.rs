//! `open-port`, `close-port`, `opened-ports`.

use std::fmt;
use std::str::FromStr;

use super::{args, run, run_json};
use crate::error::{Error, Result};
use crate::tools::HookTools;

/// A transport protocol for a port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP
    Tcp,
    /// UDP
    Udp,
}

impl Protocol {
    /// The name Juju uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// What can be opened: a TCP or UDP port range (one port when `from == to`), or ICMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Port {
    /// A range of ports, inclusive.
    Range {
        /// The protocol.
        protocol: Protocol,
        /// The first port.
        from: u16,
        /// The last port (equal to `from` for a single port).
        to: u16,
    },
    /// ICMP (no port).
    Icmp,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Self {
        Port::Range { protocol: Protocol::Tcp, from: port, to: port }
    }
    /// One UDP port.
    pub fn udp(port: u16) -> Self {
        Port::Range { protocol: Protocol::Udp, from: port, to: port }
    }
    /// A port range; `from` must not be above `to`.
    pub fn range(protocol: Protocol, from: u16, to: u16) -> Result<Self> {
        if from > to {
            return Err(Error::invalid(format!("port range {from}-{to}"), "the first port is above the last"));
        }
        Ok(Port::Range { protocol, from, to })
    }
}

impl fmt::Display for Port {
    /// As Juju's tools take and print it: `80/tcp`, `8000-8010/udp`, `icmp`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Icmp => f.write_str("icmp"),
            Port::Range { protocol, from, to } if from == to => write!(f, "{from}/{}", protocol.as_str()),
            Port::Range { protocol, from, to } => write!(f, "{from}-{to}/{}", protocol.as_str()),
        }
    }
}

impl FromStr for Port {
    type Err = Error;

    /// Parse `80`, `80/tcp`, `8000-8010/udp` or `icmp` (the protocol defaults to tcp).
    fn from_str(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid(format!("port {s:?}"), why.to_owned());
        let lower = s.trim().to_ascii_lowercase();
        if lower == "icmp" {
            return Ok(Port::Icmp);
        }
        let (range, protocol) = match lower.split_once('/') {
            Some((range, "tcp")) => (range, Protocol::Tcp),
            Some((range, "udp")) => (range, Protocol::Udp),
            Some(_) => return Err(bad("the protocol must be tcp, udp or icmp")),
            None => (lower.as_str(), Protocol::Tcp),
        };
        let number = |t: &str| t.parse::<u16>().map_err(|_| bad("ports are numbers from 0 to 65535"));
        let (from, to) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let p = number(range)?;
                (p, p)
            }
        };
        Port::range(protocol, from, to)
    }
}

/// A port as `opened-ports --endpoints` lists it: the port and the endpoints it is open on
/// (empty = all endpoints).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpenedPort {
    /// The port range or ICMP.
    pub port: Port,
    /// The endpoints it is open on; empty when open on all of them (`*`).
    pub endpoints: Vec<String>,
}

fn endpoint_args(endpoints: &[&str]) -> Result<Vec<std::ffi::OsString>> {
    if endpoints.is_empty() {
        return Ok(Vec::new());
    }
    if endpoints.iter().any(|e| e.is_empty() || e.contains(',')) {
        return Err(Error::invalid("endpoint list", "endpoint names must be non-empty and contain no ','"));
    }
    Ok(args(["--endpoints".to_owned(), endpoints.join(",")]))
}

/// `open-port [--endpoints a,b] PORT`: open `port` (on all endpoints when `endpoints` is empty).
pub fn open_port(tools: &dyn HookTools, port: Port, endpoints: &[&str]) -> Result<()> {
    let mut argv = endpoint_args(endpoints)?;
    argv.push(port.to_string().into());
    run(tools, "open-port", &argv, None).map(drop)
}

/// `close-port [--endpoints a,b] PORT`.
pub fn close_port(tools: &dyn HookTools, port: Port, endpoints: &[&str]) -> Result<()> {
    let mut argv = endpoint_args(endpoints)?;
    argv.push(port.to_string().into());
    run(tools, "close-port", &argv, None).map(drop)
}

const EXPECTED: &str = "a JSON list of ports like 80/tcp, 8000-8010/udp or icmp";

fn parse_port(tool: &str, text: &str) -> Result<Port> {
    text.parse().map_err(|_| Error::parse(tool, EXPECTED, "an entry that is not a port"))
}

/// `opened-ports --format=json`: the ports open for this unit.
pub fn opened_ports(tools: &dyn HookTools) -> Result<Vec<Port>> {
    let list: Option<Vec<String>> = run_json(tools, "opened-ports", &args(["--format=json"]), EXPECTED)?;
    list.unwrap_or_default().iter().map(|s| parse_port("opened-ports", s)).collect()
}

/// `opened-ports --endpoints --format=json`: the ports open for this unit, with endpoints.
pub fn opened_ports_with_endpoints(tools: &dyn HookTools) -> Result<Vec<OpenedPort>> {
    let list: Option<Vec<String>> = run_json(tools, "opened-ports", &args(["--endpoints", "--format=json"]), EXPECTED)?;
    list.unwrap_or_default()
        .iter()
        .map(|entry| {
            let (port, endpoints) = match entry.split_once(" (") {
                Some((port, rest)) => {
                    let inner = rest.strip_suffix(')').ok_or_else(|| {
                        Error::parse("opened-ports", EXPECTED, "an endpoint list without a closing parenthesis")
                    })?;
                    let endpoints = if inner.trim() == "*" {
                        Vec::new()
                    } else {
                        inner.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect()
                    };
                    (port, endpoints)
                }
                None => (entry.as_str(), Vec::new()),
            };
            Ok(OpenedPort { port: parse_port("opened-ports", port)?, endpoints })
        })
        .collect()
}
