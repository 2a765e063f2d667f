//! goops-pebble's client, every method, against goops-sim's simulated Pebble: once through a
//! `UnixStream::pair()` connector (as the in-process harness connects) and once through a
//! real unix socket (`PebbleServer::listen`, as `goops-sim run` serves it).
//!
//! Expected texts are Pebble's (canonical/pebble `internals/daemon/api_*.go`), cited where
//! they appear; the server is goops-sim's independent reading of the same source.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use goops_pebble::{
    ChangeSelect, Check, CheckLevel, CheckStatus, Client, Connector, Error, FileType, Layer, MakeDirOptions,
    NoticesFilter, NotifyOptions, PathErrorKind, PebbleStream, PushOptions, Service, ServiceStatus, ServicesAction,
    SocketDir,
};
use goops_sim::pebble::{ListenHandle, PebbleServer};
use goops_sim::state::{ContainerState, ExecRule};

/// How the client reaches the server.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Pair,
    Socket,
}

const MODES: [Mode; 2] = [Mode::Pair, Mode::Socket];

/// Each connection is a socketpair whose other end the server serves on a thread.
struct PairConnector(PebbleServer);

impl Connector for PairConnector {
    fn connect(&self, _container: &str) -> io::Result<Box<dyn PebbleStream>> {
        let (ours, theirs) = UnixStream::pair()?;
        let server = self.0.clone();
        std::thread::spawn(move || server.serve_connection(theirs));
        Ok(Box::new(ours))
    }
}

/// A temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("goops-pclient-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server for container `workload` and a client to it; the guards stop and clean up.
struct Sim {
    server: PebbleServer,
    client: Client,
    _listen: Option<ListenGuard>,
    _root: TempDir,
    _sockets: Option<TempDir>,
}

struct ListenGuard(Option<ListenHandle>);

impl Drop for ListenGuard {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.stop();
        }
    }
}

fn sim(mode: Mode, state: ContainerState) -> Sim {
    let root = TempDir::new("root");
    let server = PebbleServer::new("workload", state, root.0.join("fs"));
    match mode {
        Mode::Pair => {
            let client = Client::new("workload", Arc::new(PairConnector(server.clone())));
            Sim { server, client, _listen: None, _root: root, _sockets: None }
        }
        Mode::Socket => {
            let sockets = TempDir::new("sock");
            std::fs::create_dir_all(sockets.0.join("workload")).unwrap();
            let handle = server.listen(&sockets.0.join("workload").join("pebble.socket")).expect("listen");
            let client = Client::new("workload", Arc::new(SocketDir::new(&sockets.0)));
            Sim { server, client, _listen: Some(ListenGuard(Some(handle))), _root: root, _sockets: Some(sockets) }
        }
    }
}

fn state_with_exec(rules: Vec<ExecRule>) -> ContainerState {
    ContainerState { exec_rules: rules, ..ContainerState::default() }
}

fn web_layer() -> Layer {
    Layer::new()
        .summary("web")
        .service("web", Service::new("/bin/web --port 80").enabled().env("PORT", "80"))
        .service("worker", Service { requires: vec!["web".into()], ..Service::new("/bin/worker") })
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> goops_pebble::ApiError {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---- system info, connecting ----

#[test]
fn system_info_and_can_connect() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let info = sim.client.system_info().unwrap();
        assert!(info.version.starts_with('v'), "{mode:?}: {info:?}");
        assert!(sim.client.can_connect(), "{mode:?}");
    }
}

#[test]
fn missing_socket_is_not_reachable_naming_the_container() {
    let empty = TempDir::new("nosock");
    let client = Client::new("workload", Arc::new(SocketDir::new(&empty.0)));
    assert!(!client.can_connect());
    match client.get_services(&[]) {
        Err(Error::NotReachable { container, source }) => {
            assert_eq!(container, "workload");
            assert_eq!(source.kind(), io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    assert!(client.system_info().unwrap_err().is_not_reachable());
}

// ---- layers and the plan ----

#[test]
fn add_layer_and_get_plan() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        assert_eq!(sim.client.get_plan().unwrap(), goops_pebble::Plan::default(), "{mode:?}");
        let layer = web_layer().check("up", Check::http("http://localhost:80/").level(CheckLevel::Ready).threshold(5));
        sim.client.add_layer("base", &layer, false).unwrap();
        let plan = sim.client.get_plan().unwrap();
        let web = &plan.services["web"];
        assert_eq!(web.command.as_deref(), Some("/bin/web --port 80"), "{mode:?}");
        assert_eq!(web.environment["PORT"], "80");
        assert_eq!(plan.services["worker"].requires, ["web"]);
        assert_eq!(plan.checks["up"].threshold, Some(5));
        assert_eq!(plan.checks["up"].level, Some(CheckLevel::Ready));
        assert!(sim.client.get_plan_yaml().unwrap().contains("command: /bin/web --port 80"));
        assert_eq!(sim.server.state().layers[0].label, "base");
    }
}

#[test]
fn add_layer_combine_merges_and_duplicate_label_is_refused() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.add_layer("base", &web_layer(), false).unwrap();
        // api_plan.go: `layer "base" already exists` when not combining.
        let e = api_error(sim.client.add_layer("base", &web_layer(), false));
        assert_eq!((e.status, e.message.as_str()), (400, "layer \"base\" already exists"), "{mode:?}");
        let merge = Layer::new().service(
            "web",
            Service {
                r#override: Some(goops_pebble::Override::Merge),
                environment: [("DEBUG".to_owned(), "1".to_owned())].into(),
                ..Service::default()
            },
        );
        sim.client.add_layer("base", &merge, true).unwrap();
        let plan = sim.client.get_plan().unwrap();
        assert_eq!(
            plan.services["web"].environment,
            BTreeMap::from([("DEBUG".to_owned(), "1".to_owned()), ("PORT".to_owned(), "80".to_owned())])
        );
        assert_eq!(sim.server.state().layers.len(), 1, "combined into the same layer");
    }
}

#[test]
fn add_layer_yaml_and_its_validation_errors() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client
            .add_layer_yaml("raw", "services:\n  s:\n    override: replace\n    command: /bin/s\n", false)
            .unwrap();
        assert!(sim.client.get_plan().unwrap().services.contains_key("s"));
        // plan.go: a service without override is refused with the layer's label.
        let e = api_error(sim.client.add_layer_yaml("bad", "services:\n  t:\n    command: /bin/t\n", false));
        assert_eq!(e.status, 400, "{mode:?}");
        assert_eq!(e.message, "layer \"bad\" must define \"override\" for service \"t\"");
    }
}

// ---- services and changes ----

#[test]
fn services_start_stop_restart_replan_autostart() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.add_layer("base", &web_layer(), false).unwrap();
        let all = sim.client.get_services(&[]).unwrap();
        assert_eq!(all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["web", "worker"], "{mode:?}");
        assert!(all.iter().all(|s| s.current == ServiceStatus::Inactive));

        let change = sim.client.replan().unwrap();
        assert!(change.ready && change.status == "Done", "{change:?}");
        assert_eq!(change.kind, "replan");
        assert!(sim.client.get_services(&["web"]).unwrap()[0].is_running());
        assert!(!sim.client.get_services(&["worker"]).unwrap()[0].is_running(), "worker is not enabled");

        // servstate: starting worker pulls in web (already running: a no-op task), and the summary
        // counts the resolved set.
        let change = sim.client.start(&["worker"]).unwrap();
        assert_eq!(change.summary, "Start service \"worker\" and 1 more");
        assert!(sim.client.get_services(&["worker"]).unwrap()[0].is_running());

        sim.client.stop(&["web"]).unwrap();
        // Stopping web stops what requires it (servstate).
        assert!(sim.client.get_services(&[]).unwrap().iter().all(|s| !s.is_running()));

        sim.client.restart(&["web"]).unwrap();
        assert!(sim.client.get_services(&["web"]).unwrap()[0].is_running());
        sim.client.stop(&["web"]).unwrap();
        sim.client.autostart().unwrap();
        assert!(sim.client.get_services(&["web"]).unwrap()[0].is_running());
        assert!(sim.server.state().services["web"].starts >= 3);
    }
}

#[test]
fn service_errors_are_typed() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        // api_services.go / servstate: unknown name, and autostart with nothing enabled.
        let e = api_error(sim.client.start(&["nope"]));
        assert_eq!((e.status, e.message.as_str()), (400, "cannot start services: service \"nope\" does not exist"));
        let e = api_error(sim.client.autostart());
        assert_eq!(e.kind.as_deref(), Some("no-default-services"), "{mode:?}");
        assert_eq!(e.message, "no default services");
    }
}

#[test]
fn changes_get_list_wait_and_abort() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.add_layer("base", &web_layer(), false).unwrap();
        let id = sim.client.begin_services(ServicesAction::Start, &["web"]).unwrap();
        let change = sim.client.wait_change(&id, Some(Duration::from_secs(10))).unwrap();
        assert!(change.ready, "{mode:?}");
        assert_eq!(change.tasks[0].kind, "start");
        assert_eq!(sim.client.get_change(&id).unwrap().id, id);
        let all = sim.client.get_changes(ChangeSelect::All, None).unwrap();
        assert!(all.iter().any(|c| c.id == id));
        assert!(sim.client.get_changes(ChangeSelect::All, Some("web")).unwrap().iter().any(|c| c.id == id));
        assert!(!sim.client.get_changes(ChangeSelect::InProgress, None).unwrap().iter().any(|c| c.id == id));
        // api_changes.go: a ready change cannot be aborted; an unknown one is 404.
        let e = api_error(sim.client.abort_change(&id));
        assert_eq!(e.message, format!("cannot abort change {id} with nothing pending"));
        let e = api_error(sim.client.get_change("999"));
        assert_eq!((e.status, e.message.as_str()), (404, "cannot find change with id \"999\""));
        assert!(sim.client.wait_change("999", Some(Duration::from_secs(1))).unwrap_err().is_not_found());
    }
}

#[test]
fn abort_a_change_in_progress() {
    for mode in MODES {
        let rule = ExecRule { command: vec!["cat".into()], reads_stdin: true, ..ExecRule::default() };
        let sim = sim(mode, state_with_exec(vec![rule]));
        // The command waits for standard input, which this test holds open: the change is in progress.
        let (reader, writer) = io::pipe().unwrap();
        let process = sim.client.exec(["cat"]).stdin_reader(reader).spawn().unwrap();
        let id = process.change_id().to_owned();
        let pending = sim.client.get_changes(ChangeSelect::InProgress, None).unwrap();
        assert!(pending.iter().any(|c| c.id == id), "{mode:?}: {pending:?}");
        let change = sim.client.abort_change(&id).unwrap();
        assert_eq!(change.id, id);
        assert!(change.ready, "{change:?}");
        assert!(!sim.client.get_changes(ChangeSelect::InProgress, None).unwrap().iter().any(|c| c.id == id));
        drop(writer);
        // The aborted task set no exit code: -1, as ops reads it.
        assert_eq!(process.wait_output().unwrap().exit_code, -1);
    }
}

#[test]
fn send_signal_to_services() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.add_layer("base", &web_layer(), false).unwrap();
        sim.client.replan().unwrap();
        sim.client.send_signal("SIGHUP", &["web"]).unwrap();
        // api_signals.go: per-service problems are one 500.
        let e = api_error(sim.client.send_signal("SIGHUP", &["worker"]));
        assert_eq!((e.status, e.message.as_str()), (500, "cannot send signal to \"worker\": service is not running"));
        let e = api_error(sim.client.send_signal("SIGHUP", &[]));
        assert_eq!(e.message, "must specify one or more services", "{mode:?}");
    }
}

// ---- files ----

#[test]
fn push_pull_bytes_and_text_with_ownership() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let options = PushOptions::new().make_dirs().permissions(0o600).user_id(1000).group("app");
        sim.client.push("/etc/app/app.conf", "port = 80\n", &options).unwrap();
        assert_eq!(sim.client.pull_text("/etc/app/app.conf").unwrap(), "port = 80\n", "{mode:?}");
        let binary: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
        sim.client.push("/data/blob", &binary, &PushOptions::new().make_dirs()).unwrap();
        assert_eq!(sim.client.pull("/data/blob").unwrap(), binary);
        let record = &sim.server.state().files["/etc/app/app.conf"];
        assert_eq!(record.permissions, "600");
        assert_eq!((record.user_id, record.group.as_deref()), (Some(1000), Some("app")));
    }
}

#[test]
fn push_from_a_reader_and_pull_to_a_writer_stream() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let content: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        sim.client.push_from("/big", &mut io::Cursor::new(content.clone()), &PushOptions::new()).unwrap();
        let mut out = Vec::new();
        let n = sim.client.pull_to("/big", &mut out).unwrap();
        assert_eq!(n, content.len() as u64, "{mode:?}");
        assert!(out == content);
    }
}

#[test]
fn file_errors_are_per_path_and_typed() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        // api_files.go: a missing parent without make-dirs, a missing file to pull.
        let e = sim.client.push("/no/such/dir/f", "x", &PushOptions::new()).unwrap_err();
        let Error::Path(path) = &e else { panic!("{mode:?}: {e:?}") };
        assert_eq!((path.path.as_str(), &path.kind), ("/no/such/dir/f", &PathErrorKind::NotFound));
        let e = sim.client.pull("/nope").unwrap_err();
        assert!(e.is_not_found(), "{mode:?}: {e:?}");
        assert_eq!(e.kind(), Some("not-found"));
        let Error::Path(path) = e else { panic!() };
        assert_eq!(path.message, "stat /nope: no such file or directory");
        sim.client.make_dir("/d", &MakeDirOptions::new()).unwrap();
        let e = sim.client.pull("/d").unwrap_err();
        assert_eq!(e.kind(), Some("generic-file-error"), "{e:?}");
    }
}

#[test]
fn list_files_with_pattern_and_itself() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        for name in ["a.txt", "b.txt", "c.log"] {
            sim.client.push(&format!("/srv/{name}"), name, &PushOptions::new().make_dirs()).unwrap();
        }
        let all = sim.client.list_files("/srv", None, false).unwrap();
        assert_eq!(all.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["a.txt", "b.txt", "c.log"], "{mode:?}");
        assert_eq!(all[0].path, "/srv/a.txt");
        assert_eq!(all[0].file_type, FileType::File);
        assert_eq!(all[0].size, Some(5));
        assert_eq!(all[0].permissions, 0o644);
        let txt = sim.client.list_files("/srv", Some("*.txt"), false).unwrap();
        assert_eq!(txt.len(), 2);
        let itself = sim.client.list_files("/srv", None, true).unwrap();
        assert_eq!(itself.len(), 1);
        assert!(itself[0].is_dir());
        let e = api_error(sim.client.list_files("/nope", None, false));
        assert_eq!((e.status, e.kind.as_deref()), (404, Some("not-found")));
    }
}

#[test]
fn exists_and_is_dir() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.push("/etc/f", "x", &PushOptions::new().make_dirs()).unwrap();
        assert!(sim.client.exists("/etc/f").unwrap(), "{mode:?}");
        assert!(sim.client.exists("/etc").unwrap());
        assert!(!sim.client.exists("/etc/nope").unwrap());
        assert!(sim.client.is_dir("/etc").unwrap());
        assert!(!sim.client.is_dir("/etc/f").unwrap());
        assert!(!sim.client.is_dir("/nope").unwrap());
        // A relative path is an error, not "absent" (only 404 means absent).
        assert!(sim.client.exists("relative").is_err());
    }
}

#[test]
fn make_dir_with_parents_permissions_and_owner() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let options = MakeDirOptions::new().make_parents().permissions(0o700).user("app").group("app");
        sim.client.make_dir("/var/lib/app/data", &options).unwrap();
        assert!(sim.client.is_dir("/var/lib/app/data").unwrap(), "{mode:?}");
        let info = &sim.client.list_files("/var/lib/app/data", None, true).unwrap()[0];
        assert_eq!(info.permissions, 0o700);
        let record = &sim.server.state().files["/var/lib/app/data"];
        assert!(record.dir);
        assert_eq!(record.user.as_deref(), Some("app"));
        // api_files.go: without make-parents, an existing directory is an error.
        let e = sim.client.make_dir("/var/lib/app/data", &MakeDirOptions::new()).unwrap_err();
        assert_eq!(e.kind(), Some("generic-file-error"), "{e:?}");
        let e = sim.client.make_dir("/x/y", &MakeDirOptions::new()).unwrap_err();
        assert_eq!(e.kind(), Some("not-found"), "{e:?}");
    }
}

#[test]
fn remove_path_plain_and_recursive() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        sim.client.push("/tree/a/b", "x", &PushOptions::new().make_dirs()).unwrap();
        let e = sim.client.remove_path("/tree", false).unwrap_err();
        assert_eq!(e.kind(), Some("generic-file-error"), "{mode:?}: {e:?}");
        assert!(e.to_string().contains("directory not empty"), "{e}");
        sim.client.remove_path("/tree/a/b", false).unwrap();
        assert!(!sim.client.exists("/tree/a/b").unwrap());
        sim.client.remove_path("/tree", true).unwrap();
        assert!(!sim.client.exists("/tree").unwrap());
        assert!(sim.client.remove_path("/tree", false).unwrap_err().is_not_found());
        sim.client.remove_path("/tree", true).unwrap();
    }
}

// ---- exec ----

fn version_rule() -> ExecRule {
    ExecRule {
        command: vec!["app".into(), "--version".into()],
        stdout: "app 1.2.3\n".into(),
        stderr: "warning: old\n".into(),
        ..ExecRule::default()
    }
}

#[test]
fn exec_captures_output_and_records_options() {
    for mode in MODES {
        let sim = sim(mode, state_with_exec(vec![version_rule()]));
        sim.client.make_dir("/srv", &MakeDirOptions::new()).unwrap();
        let output = sim
            .client
            .exec(["app", "--version"])
            .env("LANG", "C")
            .working_dir("/srv")
            .user("app")
            .group_id(1000)
            .timeout(Duration::from_secs(5))
            .output()
            .unwrap();
        assert_eq!(output.exit_code, 0, "{mode:?}");
        assert_eq!(output.stdout_text(), "app 1.2.3\n");
        assert_eq!(output.stderr_text(), "warning: old\n");
        let call = &sim.server.state().exec_history[0];
        assert_eq!(call.command, ["app", "--version"]);
        assert_eq!(call.environment["LANG"], "C");
        assert_eq!(call.working_dir.as_deref(), Some("/srv"));
        assert_eq!((call.user.as_deref(), call.group_id), (Some("app"), Some(1000)));
        assert_eq!(call.timeout.as_deref(), Some("5s"));
    }
}

#[test]
fn exec_combined_stderr_and_streamed_output() {
    for mode in MODES {
        let sim = sim(mode, state_with_exec(vec![version_rule()]));
        let combined = sim.client.exec(["app", "--version"]).combine_stderr().output().unwrap();
        assert!(combined.stdout_text().contains("app 1.2.3"), "{mode:?}");
        assert!(combined.stdout_text().contains("warning: old"));
        assert!(combined.stderr.is_empty());

        let out = SharedBuf::default();
        let err = SharedBuf::default();
        let streamed =
            sim.client.exec(["app", "--version"]).stdout_to(out.clone()).stderr_to(err.clone()).output().unwrap();
        assert!(streamed.stdout.is_empty() && streamed.stderr.is_empty());
        assert_eq!(out.text(), "app 1.2.3\n");
        assert_eq!(err.text(), "warning: old\n");
    }
}

#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn exec_stdin_from_bytes_and_a_reader() {
    for mode in MODES {
        let rule =
            ExecRule { command: vec!["cat".into()], reads_stdin: true, stdout: "done\n".into(), ..ExecRule::default() };
        let sim = sim(mode, state_with_exec(vec![rule]));
        let output = sim.client.exec(["cat"]).stdin("hello\n").output().unwrap();
        assert_eq!(output.stdout_text(), "done\n", "{mode:?}");
        let input: Vec<u8> = vec![b'z'; 100_000];
        sim.client.exec(["cat"]).stdin_reader(io::Cursor::new(input)).output().unwrap();
        // Without stdin the client still ends it, so a reading command finishes.
        sim.client.exec(["cat"]).output().unwrap();
        let history = sim.server.state().exec_history;
        assert_eq!(history.iter().map(|c| c.stdin_bytes).collect::<Vec<_>>(), [6, 100_000, 0]);
    }
}

#[test]
fn exec_non_zero_exit_is_an_exec_error_with_the_output() {
    for mode in MODES {
        let rule = ExecRule {
            command: vec!["false".into()],
            exit_code: 3,
            stdout: "partial\n".into(),
            stderr: "it broke\n".into(),
            ..ExecRule::default()
        };
        let sim = sim(mode, state_with_exec(vec![rule]));
        let Err(Error::Exec(e)) = sim.client.exec(["false", "--secret=hunter2"]).output() else { panic!("{mode:?}") };
        assert_eq!(e.exit_code, 3);
        assert_eq!(e.stdout_lossy(), "partial\n");
        assert_eq!(e.stderr_lossy(), "it broke\n");
        assert_eq!(e.to_string(), "command \"false\" exited with code 3: it broke");
        assert!(!format!("{e:?}").contains("hunter2"), "arguments stay out of Debug");
        // wait_output gives the code without an error.
        let output = sim.client.exec(["false"]).spawn().unwrap().wait_output().unwrap();
        assert_eq!(output.exit_code, 3);
    }
}

#[test]
fn exec_timeout_and_unknown_command() {
    for mode in MODES {
        let rule = ExecRule { command: vec!["sleep".into()], runs_for: "10s".into(), ..ExecRule::default() };
        let sim = sim(mode, state_with_exec(vec![rule]));
        // cmdstate: the change ends in error when the command outlives its timeout.
        let e = sim.client.exec(["sleep", "10"]).timeout(Duration::from_millis(100)).output().unwrap_err();
        let Error::Change(change) = &e else { panic!("{mode:?}: {e:?}") };
        assert!(change.err().contains("timed out after 100ms"), "{}", change.err());
        // api_exec.go: `cannot find executable "x"` up front.
        let e = api_error(sim.client.exec(["nope"]).output());
        assert_eq!((e.status, e.message.as_str()), (400, "cannot find executable \"nope\""));
    }
}

#[test]
fn exec_spawn_send_signal_and_wait() {
    for mode in MODES {
        let rule = ExecRule {
            command: vec!["server".into()],
            runs_for: "200ms".into(),
            stdout: "up\n".into(),
            ..ExecRule::default()
        };
        let sim = sim(mode, state_with_exec(vec![rule]));
        let mut process = sim.client.exec(["server"]).spawn().unwrap();
        assert!(!process.change_id().is_empty());
        process.send_signal("SIGHUP").unwrap();
        let output = process.wait().unwrap();
        assert_eq!(output.stdout_text(), "up\n", "{mode:?}");
        let history = sim.server.state().history;
        assert!(history.iter().any(|r| r.path.ends_with("/websocket/control") && r.status == 101), "{history:?}");
    }
}

// ---- checks ----

#[test]
fn checks_get_start_stop() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let layer = Layer::new().check("alive", Check::tcp(8080).level(CheckLevel::Alive)).check(
            "ready",
            Check {
                startup: Some(goops_pebble::Startup::Disabled),
                ..Check::exec("/bin/ready").level(CheckLevel::Ready)
            },
        );
        sim.client.add_layer("checks", &layer, false).unwrap();
        let all = sim.client.get_checks(None, &[]).unwrap();
        assert_eq!(all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["alive", "ready"], "{mode:?}");
        assert_eq!(all[0].status, CheckStatus::Up);
        assert_eq!(all[0].threshold, 3);
        assert_eq!(all[1].status, CheckStatus::Inactive);
        let alive = sim.client.get_checks(Some(CheckLevel::Alive), &[]).unwrap();
        assert_eq!(alive.len(), 1);
        assert_eq!(sim.client.get_checks(None, &["ready"]).unwrap()[0].level, Some(CheckLevel::Ready));

        assert_eq!(sim.client.start_checks(&["ready", "alive"]).unwrap(), ["ready"]);
        assert_eq!(sim.client.get_checks(None, &["ready"]).unwrap()[0].status, CheckStatus::Up);
        assert_eq!(sim.client.stop_checks(&["alive"]).unwrap(), ["alive"]);
        assert_eq!(sim.client.stop_checks(&["alive"]).unwrap(), Vec::<String>::new());
        let e = api_error(sim.client.start_checks(&["nope"]));
        assert_eq!(e.message, "cannot start checks: cannot find checks in plan: nope");
    }
}

// ---- notices ----

#[test]
fn notify_get_notices_and_get_notice() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        let options = NotifyOptions {
            data: [("k".to_owned(), "v".to_owned())].into(),
            repeat_after: Some(Duration::from_secs(3600)),
        };
        let id = sim.client.notify("example.com/backup", &options).unwrap();
        let first = sim.client.get_notice(&id).unwrap();
        assert_eq!(first.repeat_after, Some(Duration::from_secs(3600)));
        assert_eq!(first.last_data["k"], "v");
        let again = sim.client.notify("example.com/backup", &NotifyOptions::default()).unwrap();
        assert_eq!(id, again, "same type and key: the same notice ({mode:?})");
        let notice = sim.client.get_notice(&id).unwrap();
        assert_eq!(
            (notice.kind.as_str(), notice.key.as_str(), notice.occurrences),
            ("custom", "example.com/backup", 2)
        );
        let custom = sim.client.get_notices(&NoticesFilter::new().kind("custom")).unwrap();
        assert_eq!(custom.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
        assert!(sim.client.get_notices(&NoticesFilter::new().key("example.com/other")).unwrap().is_empty());
        // api_notices.go: the key format and unknown IDs.
        let e = api_error(sim.client.notify("not a key", &NotifyOptions::default()));
        assert_eq!(e.message, "invalid key \"not a key\" (must be in \"example.com/path\" format)");
        let e = api_error(sim.client.get_notice("999"));
        assert_eq!((e.status, e.message.as_str()), (404, "cannot find notice with ID \"999\""));
    }
}

#[test]
fn warnings_are_notices_of_type_warning() {
    for mode in MODES {
        let sim = sim(mode, ContainerState::default());
        assert!(sim.client.get_notices(&NoticesFilter::new().kind("warning")).unwrap().is_empty(), "{mode:?}");
    }
}
