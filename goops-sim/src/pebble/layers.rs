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
            all[i].1 = merged;
        }
        (None, _) => {
            // planstate: a label "dir/name" goes into sub-directory "dir"; adding to a
            // sub-directory that is not the last layer's needs `inner`, and then lands at the
            // end of that sub-directory.
            let dir_of = |l: &str| l.split_once('/').map(|(d, _)| d.to_owned());
            let at = match dir_of(label) {
                Some(dir) => match all.iter().rposition(|(l, _)| dir_of(l).as_deref() == Some(dir.as_str())) {
                    Some(last) if last + 1 < all.len() && !inner => {
                        return Err(AddError::Internal(
                            "cannot insert sub-directory layer without 'inner' attribute set".into(),
                        ));
                    }
                    Some(last) => last + 1,
                    None => all.len(),
                },
                None => all.len(),
            };
            all.insert(at, (label.to_owned(), layer));
        }
    }
    let plan = plan::combine(&all).map_err(AddError::BadRequest)?;
    plan::validate_plan(&plan).map_err(AddError::BadRequest)?;
    // Orders: 1000, 2000, … for top-level layers; a sub-directory takes the next thousand
    // and its layers count up from it (2001, 2002, …).
    let (mut order, mut prev_dir) = (0u32, None::<String>);
    state.layers = all
        .into_iter()
        .map(|(label, layer)| {
            let dir = label.split_once('/').map(|(d, _)| d.to_owned());
            order = match (&dir, &prev_dir) {
                (Some(d), Some(p)) if d == p => order + 1,
                (Some(_), _) => (order / 1000 + 1) * 1000 + 1,
                (None, _) => (order / 1000 + 1) * 1000,
            };
            prev_dir = dir;
            LayerRecord { order, label, layer: layer.to_json() }
        })
        .collect();
    checks::plan_changed(state, &plan);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::pebble::testutil::{add_layer, call, message, server};
    use crate::state::ContainerState;

    fn post(s: &crate::pebble::PebbleServer, body: serde_json::Value) -> (u16, String) {
        let (status, v) = call(s, "POST", "/v1/layers", body);
        (status, message(&v).to_owned())
    }

    #[test]
    fn request_checks_come_in_pebbles_order_with_its_texts() {
        let (s, _root) = server(ContainerState::default());
        let ok = |label: &str| json!({"action": "add", "label": label, "format": "yaml", "layer": "{}"});
        assert_eq!(post(&s, json!({"action": "remove"})), (400, "invalid action \"remove\"".into()));
        assert_eq!(post(&s, json!({"action": "add", "label": ""})), (400, "label must be set".into()));
        assert_eq!(
            post(&s, json!({"action": "add", "label": "x", "format": "json"})),
            (400, "invalid format \"json\"".into())
        );
        assert_eq!(
            post(&s, ok("pebble-x")),
            (400, "cannot parse layer YAML: cannot use reserved label prefix \"pebble-\"".into())
        );
        let (status, v) = call(&s, "POST", "/v1/layers", ok("a"));
        assert_eq!((status, &v["result"]), (200, &json!(true)));
        assert_eq!(post(&s, ok("a")), (400, "layer \"a\" already exists".into()));
        assert_eq!(post(&s, json!("not an object")).0, 400);
    }

    #[test]
    fn sub_directory_layers_are_ordered_and_need_inner_when_not_last() {
        let (s, _root) = server(ContainerState::default());
        add_layer(&s, "base", "{}", false);
        add_layer(&s, "d/one", "{}", false);
        add_layer(&s, "d/two", "{}", false);
        add_layer(&s, "top", "{}", false);
        let body = json!({"action": "add", "label": "d/three", "format": "yaml", "layer": "{}"});
        let (status, v) = call(&s, "POST", "/v1/layers", body.clone());
        assert_eq!((status, message(&v)), (500, "cannot insert sub-directory layer without 'inner' attribute set"));
        let mut inner = body;
        inner["inner"] = json!(true);
        assert_eq!(call(&s, "POST", "/v1/layers", inner).0, 200);
        let layers: Vec<(String, u32)> = s.state().layers.iter().map(|l| (l.label.clone(), l.order)).collect();
        let want = [("base", 1000), ("d/one", 2001), ("d/two", 2002), ("d/three", 2003), ("top", 3000)];
        assert_eq!(layers, want.map(|(l, o)| (l.to_owned(), o)));
    }

    #[test]
    fn an_invalid_plan_is_refused_whole_and_combine_keeps_the_position() {
        let (s, _root) = server(ContainerState::default());
        add_layer(&s, "a", "services:\n  x: {override: replace, command: one}\n", false);
        add_layer(&s, "b", "summary: b\n", false);
        let bad =
            json!({"action": "add", "label": "c", "format": "yaml", "layer": "services:\n  y: {override: merge}\n"});
        assert_eq!(post(&s, bad), (400, "plan must define \"command\" for service \"y\"".into()));
        assert_eq!(s.state().layers.len(), 2);
        add_layer(&s, "a", "services:\n  x: {override: merge, command: two}\n", true);
        let st = s.state();
        assert_eq!(st.layers[0].label, "a");
        assert_eq!(st.layers[0].layer["services"]["x"], json!({"override": "replace", "command": "two"}));
        let (_, v) = call(&s, "GET", "/v1/plan?format=yaml", serde_json::Value::Null);
        assert_eq!(v["result"], "services:\n    x:\n        override: replace\n        command: two\n");
    }
}
