"""Writes the golden databags of testdata/ with the Python library that defines v4.

Run with a Python that has the pinned packages (see README.md, "Golden vectors"):
    pip install charmlibs-interfaces-tls-certificates==1.12.0 ops==3.9.0
    python testdata/make_golden.py testdata

Each output file is one databag as Juju holds it: a JSON object of string keys to string values,
exactly what the library's `dump` writes. The keys and certificates are throwaway test material.
"""

import json
import sys
from datetime import timedelta
from pathlib import Path

from charmlibs.interfaces import tls_certificates as tls
from charmlibs.interfaces.tls_certificates import _tls_certificates as impl


def main(out: Path) -> None:
    ca_key = tls.PrivateKey.generate(key_algorithm="ecdsa")
    ca = tls.Certificate.generate_self_signed_ca(
        tls.CertificateRequestAttributes(common_name="golden CA", is_ca=True), ca_key, timedelta(days=365)
    )
    key = tls.PrivateKey.generate()  # RSA 2048, the library's default
    server = tls.CertificateRequestAttributes(
        common_name="db.example.internal",
        sans_dns=["db.example.internal", "db"],
        sans_ip=["10.0.0.7"],
        organization="Example",
        country_name="GB",
    )
    intermediate = tls.CertificateRequestAttributes(common_name="intermediate.example", is_ca=True)
    refused = tls.CertificateRequestAttributes(common_name="10.1.1.1", sans_ip=["10.1.1.1"])
    csrs = [a.generate_csr(key) for a in (server, intermediate, refused)]

    requirer = impl._RequirerData(
        certificate_signing_requests=[
            impl._CertificateSigningRequest(certificate_signing_request=str(csrs[0]), ca=False),
            impl._CertificateSigningRequest(certificate_signing_request=str(csrs[1]), ca=True),
            impl._CertificateSigningRequest(certificate_signing_request=str(csrs[2]), ca=None),
        ]
    ).dump({})

    leaf = csrs[0].sign(ca, ca_key, timedelta(days=90))
    sub_ca = csrs[1].sign(ca, ca_key, timedelta(days=90), is_ca=True)
    provider = impl._ProviderApplicationData(
        certificates=[
            impl._Certificate(
                ca=str(ca), certificate_signing_request=str(csrs[0]), certificate=str(leaf), chain=[str(leaf), str(ca)]
            ),
            impl._Certificate(
                ca=str(ca), certificate_signing_request=str(csrs[1]), certificate=str(sub_ca), revoked=True
            ),
        ],
        request_errors=[
            impl._RequestError(
                csr=str(csrs[2]),
                error=tls.CertificateError(
                    code=tls.CertificateRequestErrorCode.IP_NOT_ALLOWED,
                    name="ip_not_allowed",
                    message="IP addresses are not allowed",
                    provider="golden",
                ),
            )
        ],
        capabilities=tls.ProviderCapabilities(supports_ip_sans=False, allowed_domains=["example.internal"]),
    ).dump({})

    (out / "python-requirer-unit-bag.json").write_text(json.dumps(requirer, indent=1, sort_keys=True) + "\n")
    (out / "python-provider-app-bag.json").write_text(json.dumps(provider, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
