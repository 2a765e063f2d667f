//! `relation-ids`, `relation-list`, `relation-get`, `relation-set`, `relation-model-get`.

use super::{
    Call, Formats, Out, ToolDef, ToolResult, bag_val, check_empty, fail, file_and_arg_settings, is_leader, relation_id,
    usage,
};
use goops_juju::hooks::RelationEventKind;

use crate::event::Event;
use crate::flags::{FlagSpec, HelpContext};
use crate::format::Val;
use crate::session::Session;
use crate::state::Bag;

pub(super) const TOOLS: &[&ToolDef] =
    &[&RELATION_IDS, &RELATION_LIST, &RELATION_GET, &RELATION_SET, &RELATION_MODEL_GET];

const RELATION: FlagSpec = FlagSpec::value(&["r", "relation"], "ID", "specify a relation by id");
/// relation-get's and relation-list's wording of the same option.
const RELATION_CAPITAL: FlagSpec = FlagSpec::value(&["r", "relation"], "ID", "Specify a relation by id");

/// What relation-get's and relation-list's `Info()` say in this hook: relation-get, with a
/// remote unit to default to, takes `[<key> [<unit id>]]` and names that unit; relation-list
/// says `-r` is needed outside a relation hook.
pub(super) fn help_context(session: &Session, tool: &str) -> HelpContext {
    let mut ctx = HelpContext::default();
    match (tool, &session.event) {
        ("relation-get", Event::Relation { remote_unit: Some(unit), .. }) => {
            ctx.args = Some("[<key> [<unit id>]]");
            ctx.doc = Some(format!("Current default unit id is {unit:?}."));
        }
        ("relation-list", Event::Relation { .. }) => {}
        ("relation-list", _) => ctx.doc = Some("-r must be specified when not in a relation hook".to_owned()),
        _ => {}
    }
    ctx
}

const RELATION_IDS: ToolDef = ToolDef {
    name: "relation-ids",
    args: "<name>",
    purpose: "list all relation ids for the given endpoint",
    flags: &[],
    formats: Formats::All,
    run: relation_ids,
};

const RELATION_LIST: ToolDef = ToolDef {
    name: "relation-list",
    args: "",
    purpose: "list relation units",
    flags: &[RELATION_CAPITAL, FlagSpec::boolean(&["app"], "List remote application instead of participating units")],
    formats: Formats::All,
    run: relation_list,
};

const RELATION_GET: ToolDef = ToolDef {
    name: "relation-get",
    args: "<key> <unit id>",
    purpose: "get relation settings",
    flags: &[
        RELATION_CAPITAL,
        FlagSpec::boolean(&["app"], "Get the relation data for the overall application, not just a unit"),
    ],
    formats: Formats::All,
    run: relation_get,
};

const RELATION_SET: ToolDef = ToolDef {
    name: "relation-set",
    args: "key=value [key=value ...]",
    purpose: "set relation settings",
    flags: &[
        RELATION,
        FlagSpec::value(&["file"], "FILE", "file containing key-value pairs"),
        FlagSpec::boolean(&["app"], "pick whether you are setting \"application\" settings or \"unit\" settings"),
    ],
    formats: Formats::Deprecated,
    run: relation_set,
};

const RELATION_MODEL_GET: ToolDef = ToolDef {
    name: "relation-model-get",
    args: "",
    purpose: "get details about the model hosing a related application",
    flags: &[RELATION],
    formats: Formats::All,
    run: relation_model_get,
};

fn relation_ids(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let args = call.args();
    if args.len() > 1 {
        return Err(super::unrecognized(&args[1..]));
    }
    let endpoint = match (args.first(), &session.event) {
        (Some(name), _) => (*name).to_owned(),
        (None, Event::Relation { relation, .. }) => relation.endpoint.clone(),
        (None, _) => return Err(usage("no endpoint name specified")),
    };
    // A relation being broken is no longer listed (Juju 3.6).
    let broken = match &session.event {
        Event::Relation { kind: RelationEventKind::Broken, relation, .. } => Some(relation.id),
        _ => None,
    };
    let mut ids: Vec<String> = session
        .state
        .relations
        .iter()
        .filter(|r| r.endpoint == endpoint && Some(r.id) != broken)
        .map(|r| format!("{}:{}", r.endpoint, r.id))
        .collect();
    ids.sort();
    Ok(Out::Value(Val::strings(ids)))
}

/// The member a relation-departed hook is about: the remote unit, whoever is departing (Juju's
/// context factory drops `hookInfo.RemoteUnit` from the members, `runner/context/
/// contextfactory.go`; when the local unit is the one leaving, that is still the remote unit).
fn departed_member(session: &Session, id: u32) -> Option<String> {
    match &session.event {
        Event::Relation { kind: RelationEventKind::Departed, relation, remote_unit, .. } if relation.id == id => {
            remote_unit.clone()
        }
        _ => None,
    }
}

fn remote_app(session: &Session, id: u32) -> String {
    match session.state.relation(id) {
        Some(r) if r.peer => session.state.app().to_owned(),
        Some(r) => r.remote_app.clone(),
        None => String::new(),
    }
}

fn relation_list(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let id = relation_id(session, call)?;
    check_empty(call.args())?;
    if call.parsed.flag("app") {
        return Ok(Out::Value(Val::str(remote_app(session, id))));
    }
    let leaving = departed_member(session, id);
    let relation = session.state.relation(id).ok_or_else(|| fail("relation not found"))?;
    // Juju runs relation-broken only once every member has departed: no members are left.
    let broken = matches!(&session.event,
        Event::Relation { kind: RelationEventKind::Broken, relation, .. } if relation.id == id);
    let members: Vec<String> =
        relation.remote_units.keys().filter(|u| !broken && Some(*u) != leaving.as_ref()).cloned().collect();
    Ok(Out::Value(Val::strings(members)))
}

enum Target {
    Unit(String),
    App(String),
}

fn relation_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let id = relation_id(session, call)?;
    let args = call.args();
    if args.len() > 2 {
        return Err(super::unrecognized(&args[2..]));
    }
    let key = args.first().filter(|k| **k != "-");
    let want_app = call.parsed.flag("app");
    let (hook_unit, hook_app) = match &session.event {
        Event::Relation { remote_unit, remote_app, .. } => (remote_unit.clone(), Some(remote_app.clone())),
        _ => (None, None),
    };
    let target = match args.get(1) {
        Some(name) if want_app => Target::App(name.split('/').next().unwrap_or(name).to_owned()),
        Some(name) if !name.contains('/') => {
            return Err(usage(format!("expected unit name, got application name {name:?}")));
        }
        Some(name) if !goops_juju::unit::is_valid_unit_name(name) => {
            return Err(usage(format!("invalid unit name {name:?}")));
        }
        Some(name) => Target::Unit((*name).to_owned()),
        None if want_app => match hook_app {
            Some(app) => Target::App(app),
            None => return Err(usage("no unit or application specified")),
        },
        None => match (hook_unit, hook_app) {
            (Some(unit), _) => Target::Unit(unit),
            (None, Some(app)) => Target::App(app),
            _ => return Err(usage("no unit or application specified")),
        },
    };
    let bag = read_bag(session, id, &target)?;
    Ok(Out::Value(match key {
        Some(key) => bag.get(*key).map(|v| Val::str(v.clone())).unwrap_or(Val::Nil),
        None => bag_val(&bag),
    }))
}

fn read_bag(session: &mut Session, id: u32, target: &Target) -> Result<Bag, super::ToolError> {
    let own_unit = session.state.unit.clone();
    let own_app = session.state.app().to_owned();
    let relation = session.state.relation(id).cloned().ok_or_else(|| fail("relation not found"))?;
    let relation_ref = format!("{}:{}", relation.endpoint, relation.id);
    match target {
        Target::Unit(unit) if *unit == own_unit => {
            Ok(session.pending.unit_bags.get(&id).cloned().unwrap_or(relation.local_unit_data))
        }
        Target::App(app) if *app == own_app => {
            if is_leader(session) {
                return Ok(session.pending.app_bags.get(&id).cloned().unwrap_or(relation.local_app_data));
            }
            if !relation.peer {
                return Err(fail("permission denied"));
            }
            Ok(cached(session, id, app, || relation.local_app_data.clone()))
        }
        Target::Unit(unit) => {
            let Some(bag) = relation.remote_units.get(unit).cloned() else {
                let kind = if relation.peer { "peer relation" } else { "relation" };
                return Err(fail(format!(
                    "cannot read settings for unit {unit:?} in {kind} {relation_ref:?}: unit {unit:?}: settings not found"
                )));
            };
            Ok(cached(session, id, unit, || bag))
        }
        Target::App(app) => {
            let remote = if relation.peer { own_app.clone() } else { relation.remote_app.clone() };
            if *app != remote {
                return Err(fail(format!("cannot read application settings for {app:?}: permission denied")));
            }
            Ok(cached(session, id, app, || relation.remote_app_data.clone()))
        }
    }
}

/// Remote data is read once per hook (rule 12).
fn cached(session: &mut Session, id: u32, who: &str, load: impl FnOnce() -> Bag) -> Bag {
    session.remote_cache.entry((id, who.to_owned())).or_insert_with(load).clone()
}

fn relation_set(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let id = relation_id(session, call)?;
    let settings = file_and_arg_settings(call)?;
    let app = call.parsed.flag("app");
    if app && !is_leader(session) {
        return Err(fail("cannot write relation settings"));
    }
    let relation = session.state.relation(id).cloned().ok_or_else(|| fail("relation not found"))?;
    let pending = if app { &mut session.pending.app_bags } else { &mut session.pending.unit_bags };
    let bag = pending
        .entry(id)
        .or_insert_with(|| if app { relation.local_app_data.clone() } else { relation.local_unit_data.clone() });
    for (k, v) in settings {
        if v.is_empty() {
            bag.remove(&k);
        } else {
            bag.insert(k, v);
        }
    }
    Ok(Out::None)
}

fn relation_model_get(session: &mut Session, call: &Call<'_>) -> ToolResult {
    let id = relation_id(session, call)?;
    check_empty(call.args())?;
    let relation = session.state.relation(id).ok_or_else(|| fail("relation not found"))?;
    let uuid = relation.remote_model_uuid.clone().unwrap_or_else(|| session.state.model.uuid.clone());
    Ok(Out::Value(Val::object([("uuid", Val::str(uuid))])))
}
