//! `/v1/layers` and `/v1/plan` (`internals/daemon/api_plan.go`,
//! `internals/overlord/planstate/manager.go`).

use serde::Deserialize;
use serde_json::Value;

use super::Inner;
use super::checks;
use super::envelope::{Reply, bad_request, internal, sync};
use super::http::Request;
use super::plan::{self, Layer};
use crate::state::{ContainerState, LayerRecord};

/// The state's layers, parsed, with their labels (a stored layer that no longer parses is
/// reported with its label).
pub(crate) fn layers(state: &ContainerState) -> Result<Vec<(String, Layer)>, String> {
    state
        .layers
        .iter()
        .map(|r| {
            Layer::from_json(&r.label, &r.layer)
                .map(|l| (r.label.clone(), l))
                .map_err(|e| format!("cannot read stored layer {:?}: {e}", r.label))
        })
        .collect()
}

/// The combined plan of the state's layers.
pub(crate) fn current_plan(state: &ContainerState) -> Result<Layer, String> {
    plan::combine(&layers(state)?)
}

/// GET /v1/plan?format=yaml.
pub(crate) fn get_plan(inner: &Inner, req: &Request) -> Reply {
    let format = req.query_get("format");
    if format != "yaml" {
        return bad_request(format!("invalid format {format:?}"));
    }
    match current_plan(&inner.lock()) {
        Ok(plan) => sync(Value::from(plan::plan_yaml(&plan))),
        Err(e) => internal(format!("cannot serialize plan: {e}")),
    }
}

/// POST /v1/layers `{"action":"add","label":…,"format":"yaml","layer":…,"combine":…}`.
pub(crate) fn post_layers(inner: &Inner, req: &Request) -> Reply {
    #[derive(Deserialize)]
    struct Body {
        action: Option<String>,
        combine: Option<bool>,
        inner: Option<bool>,
        label: Option<String>,
        format: Option<String>,
        layer: Option<String>,
    }
    let body: Body = match serde_json::from_slice(&req.body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("cannot decode request body: {e}")),
    };
    let action = body.action.unwrap_or_default();
    if action != "add" {
        return bad_request(format!("invalid action {action:?}"));
    }
    let label = body.label.unwrap_or_default();
    if label.is_empty() {
        return bad_request("label must be set");
    }
    let format = body.format.unwrap_or_default();
    if format != "yaml" {
        return bad_request(format!("invalid format {format:?}"));
    }
    let layer = match plan::parse_layer(&label, &body.layer.unwrap_or_default()) {
        Ok(l) => l,
        Err(e) => return bad_request(format!("cannot parse layer YAML: {e}")),
    };
    let mut state = inner.lock();
    match add_layer(&mut state, &label, layer, body.combine.unwrap_or(false), body.inner.unwrap_or(false)) {
        Ok(()) => sync(Value::Bool(true)),
        Err(AddError::BadRequest(m)) => bad_request(m),
        Err(AddError::Internal(m)) => internal(m),
    }
}

/// Why a layer was refused.
#[derive(Debug, PartialEq)]
pub(crate) enum AddError {
    /// 400: label exists, or the plan would not be valid (`FormatError`).
    BadRequest(String),
    /// 500: anything else.
    Internal(String),
}

/// `AppendLayer` / `CombineLayer`: the new plan must be valid, else nothing changes. Adding a
/// layer never starts services; it starts and stops checks (`checkstate` `PlanChanged`).
pub(crate) fn add_layer(
    state: &mut ContainerState,
    label: &str,
    layer: Layer,
    combine: bool,
    inner: bool,
) -> Result<(), AddError> {
    let mut all = layers(state).map_err(AddError::Internal)?;
    let existing = all.iter().position(|(l, _)| l == label);
    match (existing, combine) {
        (Some(_), false) => return Err(AddError::BadRequest(format!("layer {label:?} already exists"))),
        (Some(i), true) => {
            let merged = plan::combine(&[(label.to_owned(), all[i].1.clone()), (label.to_owned(), layer)])
                .map_err(AddError::BadRequest)?;
            all[i].1 = Layer { summary: merged.summary.clone(), description: merged.description.clone(), ..merged };
        }
        (None, _) => {
            // planstate: a label "dir/name" goes into sub-directory "dir"; appending into a
            // sub-directory that is not the last one needs `inner`.
            if let Some((dir, _)) = label.split_once('/') {
                let last_dir = all.last().and_then(|(l, _)| l.split_once('/').map(|(d, _)| d.to_owned()));
                let dir_exists = all.iter().any(|(l, _)| l.split_once('/').is_some_and(|(d, _)| d == dir));
                if dir_exists && last_dir.as_deref() != Some(dir) && !inner {
                    return Err(AddError::Internal(
                        "cannot insert sub-directory layer without 'inner' attribute set".into(),
                    ));
                }
            }
            all.push((label.to_owned(), layer));
        }
    }
    let plan = plan::combine(&all).map_err(AddError::BadRequest)?;
    plan::validate_plan(&plan).map_err(AddError::BadRequest)?;
    let mut order = 0;
    state.layers = all
        .into_iter()
        .map(|(label, layer)| {
            order += 1000;
            LayerRecord { order, label, layer: layer.to_json() }
        })
        .collect();
    checks::plan_changed(state, &plan);
    Ok(())
}
