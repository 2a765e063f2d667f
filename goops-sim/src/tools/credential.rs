//! `credential-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail};
use crate::format::Val;
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&CREDENTIAL_GET];

const CREDENTIAL_GET: ToolDef = ToolDef {
    name: "credential-get",
    args: "",
    purpose: "access cloud credentials",
    flags: &[],
    formats: Formats::All,
    run: credential_get,
};

fn credential_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    check_empty(call.args())?;
    let state = &session.state;
    if !state.trusted {
        return Err(fail("cannot access cloud credentials: permission denied"));
    }
    let Some(spec) = &state.cloud_spec else {
        return Err(fail("cannot access cloud credentials: cloud spec not found"));
    };
    let opt = |v: &Option<String>| v.as_ref().map(|s| Val::str(s.clone())).unwrap_or(Val::Nil);
    let credential = spec
        .credential
        .as_ref()
        .map(|c| {
            Val::object([
                ("auth-type", Val::str(c.auth_type.clone())),
                ("attrs", if c.attrs.is_empty() { Val::Nil } else { super::bag_val(&c.attrs) }),
                ("redacted", if c.redacted.is_empty() { Val::Nil } else { Val::strings(c.redacted.clone()) }),
            ])
            .omit_nil()
        })
        .unwrap_or(Val::Nil);
    let mut fields = vec![
        ("type", Val::str(spec.cloud_type.clone())),
        ("name", Val::str(spec.name.clone())),
        ("region", opt(&spec.region)),
        ("endpoint", opt(&spec.endpoint)),
        ("identity-endpoint", opt(&spec.identity_endpoint)),
        ("storage-endpoint", opt(&spec.storage_endpoint)),
        ("credential", credential),
        (
            "cacertificates",
            if spec.cacertificates.is_empty() { Val::Nil } else { Val::strings(spec.cacertificates.clone()) },
        ),
    ];
    if spec.skip_tls_verify {
        fields.push(("skip-tls-verify", Val::Bool(true)));
    }
    if spec.is_controller_cloud {
        fields.push(("is-controller-cloud", Val::Bool(true)));
    }
    Ok(Out::Value(Val::object(fields).omit_nil()))
}
