//! `resource-get`.

use super::{Call, Formats, Out, ToolDef, ToolResult, check_empty, fail, usage};
use crate::session::Session;

pub(super) const TOOLS: &[&ToolDef] = &[&RESOURCE_GET];

const RESOURCE_GET: ToolDef = ToolDef {
    name: "resource-get",
    args: "<resource name>",
    purpose: "get the path to the locally cached resource file",
    flags: &[],
    formats: Formats::None,
    run: resource_get,
};

fn resource_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    let Some(name) = args.first() else {
        return Err(usage("missing required resource name"));
    };
    check_empty(&args[1..])?;
    match session.state.resources.get(*name) {
        Some(path) => Ok(Out::Raw(path.display().to_string().into_bytes())),
        None => Err(fail(format!("could not download resource: resource {name:?} not found"))),
    }
}
