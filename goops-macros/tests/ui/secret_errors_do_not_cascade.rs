use goops_runtime::prelude::*;

// One bad content key: one error. The struct and a stub `TypedSecret` impl are still emitted,
// so the handler's uses of the trait's methods report nothing more.
#[secret(label = "creds")]
struct Creds {
    pw: SecretString,
}

#[derive(Default)]
struct C;

#[charm]
impl C {
    #[hook(install)]
    fn install(ctx: &Context) -> goops_runtime::Result<()> {
        if Creds::get(ctx)?.is_none() {
            Creds { pw: SecretString::from("generated") }.add(ctx)?;
        }
        let _ = (Creds::LABEL, Creds::KEYS, Creds::add_options());
        Ok(())
    }
}

fn main() {}
