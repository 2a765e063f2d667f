//! The code `#[charm_lib]` and `#[lib]` generate is clean under `clippy::pedantic`, and a
//! library's table and a charm's wiring come out as declared.

#![warn(clippy::pedantic)]

use goops_runtime::charm_lib::LibKey;
use goops_runtime::prelude::*;
use goops_runtime::{NoEvent, RelationEventKind, RelationRole};

/// What the library tells the charm.
#[derive(Debug)]
pub enum LintEvent {
    /// Something happened.
    Ready,
}

/// A library with events.
#[derive(Default)]
pub struct LintLib {
    binding: Binding<LintEvent>,
}

#[charm_lib(interface = "tls-certificates", role = "provides", event = LintEvent)]
impl LintLib {
    #[hook(relation_created, relation_broken)]
    fn on_relation(&self, ctx: &Context, relation: &RelationEvent) -> HookResult {
        let _ = (ctx, relation);
        self.binding.emit(LintEvent::Ready);
        Ok(())
    }

    #[hook(secret_rotate)]
    fn rotate(event: &SecretEvent) {
        let _ = event;
    }

    #[collect_status]
    fn status(ctx: &Context) {
        let _ = ctx;
    }
}

/// A library without events.
#[derive(Default)]
pub struct QuietLib {
    binding: Binding,
}

#[charm_lib(interface = "postgresql_client")]
impl QuietLib {}

/// The charm.
#[derive(Default)]
pub struct LintLibCharm {
    certificates: LintLib,
    db: QuietLib,
}

#[charm(metadata = "tests/fixtures/charmcraft.yaml")]
impl LintLibCharm {
    #[lib(endpoint = "certificates", events = on_lint)]
    fn certificates(&self) -> &LintLib {
        &self.certificates
    }

    #[lib(endpoint = "db")]
    fn db(&self) -> &QuietLib {
        &self.db
    }

    fn on_lint(&self, ctx: &Context, event: &LintEvent) -> HookResult {
        let _ = (self, ctx, event);
        Ok(())
    }
}

#[test]
fn expands() {
    assert_eq!(LintLib::INTERFACE, "tls-certificates");
    assert_eq!(LintLib::ROLE, Some(RelationRole::Provides));
    let keys: Vec<LibKey> = LintLib::HANDLERS.iter().map(|h| h.key).collect();
    assert_eq!(
        keys,
        [
            LibKey::Relation(RelationEventKind::Created),
            LibKey::Relation(RelationEventKind::Broken),
            LibKey::Hook("secret-rotate")
        ]
    );
    assert!(LintLib::COLLECT_STATUS.is_some());
    assert_eq!((QuietLib::INTERFACE, QuietLib::ROLE, QuietLib::HANDLERS.len()), ("postgresql_client", None, 0));
    let _: Option<NoEvent> = None::<<QuietLib as CharmLib>::Event>;
    let libs = <LintLibCharm as Charm>::LIBS;
    let wired: Vec<(&str, &str)> = libs.iter().map(|l| (l.endpoint(), l.interface())).collect();
    assert_eq!(wired, [("certificates", "tls-certificates"), ("db", "postgresql_client")]);
}
