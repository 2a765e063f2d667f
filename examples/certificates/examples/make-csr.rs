//! Print a PEM certificate signing request for a throwaway key: the CSR the quick start and
//! `testdata/` use. `cargo run -p certificates --example make-csr -- db.example.internal`.

use rcgen::{CertificateParams, DnType, KeyPair};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "requirer.example.internal".to_owned());
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![name.clone()])?;
    params.distinguished_name.push(DnType::CommonName, name);
    print!("{}", params.serialize_request(&key)?.pem()?);
    Ok(())
}
