use goops_runtime::prelude::*;

#[derive(Debug)]
enum TlsEvent {
    Ready,
}

#[derive(Default)]
struct Tls {
    binding: Binding<TlsEvent>,
}

#[charm_lib(interface = "tls-certificates", event = TlsEvent)]
impl Tls {}

#[derive(Default)]
struct C {
    tls: Tls,
}

#[charm]
impl C {
    #[lib(endpoint = "certificates", events = on_tls)]
    fn tls(&self) -> &Tls {
        &self.tls
    }

    // The event is a `&TlsEvent`, not a `&String`.
    fn on_tls(&self, _ctx: &Context, _event: &String) -> HookResult {
        Ok(())
    }
}

fn main() {
    let _ = TlsEvent::Ready;
}
