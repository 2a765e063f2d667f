"""The charm's certificate authority: a self-signed CA, and CSRs signed by it.

Pure functions over PEM text (the Python twin of examples/certificates/src/tls.rs).
"""

import dataclasses
import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class TlsError(Exception):
    """A certificate operation failed (bad CSR, bad stored CA, signing failed)."""


@dataclasses.dataclass(frozen=True)
class CaMaterial:
    """A CA as the charm stores it: PKCS#8 PEM private key and PEM certificate."""

    private_key_pem: str = dataclasses.field(repr=False)
    certificate_pem: str


def _key_usage(*, digital_signature=False, key_cert_sign=False, crl_sign=False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _with_validity(builder: x509.CertificateBuilder, days: int) -> x509.CertificateBuilder:
    """From today (00:00 UTC) for `days` days: day granularity, as the Rust charm."""
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return builder.not_valid_before(today).not_valid_after(today + datetime.timedelta(days=days))


def generate_ca(common_name: str) -> CaMaterial:
    """Generate a self-signed CA (ECDSA P-256, SHA-256) valid for one year, named `common_name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(_key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    )
    certificate = _with_validity(builder, 365).sign(key, hashes.SHA256())
    return CaMaterial(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


# The requested extensions that are carried over to the certificate; any other one rejects the
# CSR (as rcgen's CertificateSigningRequestParams::from_pem does).
_KEPT_EXTENSIONS = (x509.SubjectAlternativeName, x509.KeyUsage, x509.ExtendedKeyUsage, x509.BasicConstraints)


def sign_csr(ca: CaMaterial, csr_pem: str, as_ca: bool) -> str:
    """Sign a PEM CSR with the CA; the certificate is valid for 90 days and keeps the CSR's names.

    With `as_ca` it is an intermediate CA (no further intermediates below it), as a
    tls-certificates requirer asks with `ca: true`.
    """
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        if not csr.is_signature_valid:
            raise ValueError("the request's signature is invalid")
        requested = {type(ext.value): ext for ext in csr.extensions}
        public_key = csr.public_key()
    except (ValueError, x509.DuplicateExtension, UnsupportedAlgorithm) as e:
        raise TlsError(f"the certificate signing request is not valid: {e}") from e
    for ext in requested.values():
        if not isinstance(ext.value, _KEPT_EXTENSIONS):
            raise TlsError(f"the certificate signing request is not valid: unsupported extension {ext.oid.dotted_string}")
    try:
        key = serialization.load_pem_private_key(ca.private_key_pem.encode(), password=None)
        issuer = x509.load_pem_x509_certificate(ca.certificate_pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise TlsError(f"the stored CA is not valid: {e}") from e

    builder = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
    )
    if san := requested.get(x509.SubjectAlternativeName):
        # Critical when the subject is empty (RFC 5280 4.2.1.6).
        builder = builder.add_extension(san.value, critical=len(csr.subject) == 0)
    if as_ca:
        builder = builder.add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    elif key_usage := requested.get(x509.KeyUsage):
        builder = builder.add_extension(key_usage.value, critical=True)
    if eku := requested.get(x509.ExtendedKeyUsage):
        builder = builder.add_extension(eku.value, critical=False)
    basic_constraints = (
        x509.BasicConstraints(ca=True, path_length=0)
        if as_ca
        else (bc.value if (bc := requested.get(x509.BasicConstraints)) else None)
    )
    if basic_constraints is not None:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        builder = builder.add_extension(basic_constraints, critical=True)
    try:
        certificate = _with_validity(builder, 90).sign(key, hashes.SHA256())
    except (ValueError, TypeError) as e:
        raise TlsError(f"cannot sign the certificate: {e}") from e
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
