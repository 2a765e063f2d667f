#!/usr/bin/env python3
"""A tls-certificates v4 provider on the real Python library, for goops-rs interop tests.

The leader makes a self-signed CA on install (kept in an application secret) and, on every
certificates relation-changed, signs each outstanding request as provider charms using
``TLSCertificatesProvidesV4`` do, publishing the certificate with the CA and the chain.
"""

import logging
from datetime import timedelta

import ops
from charmlibs.interfaces.tls_certificates import (
    Certificate,
    CertificateRequestAttributes,
    PrivateKey,
    ProviderCertificate,
    TLSCertificatesProvidesV4,
)

logger = logging.getLogger(__name__)

CA_LABEL = "py-provider-ca"


class ProviderCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.tls = TLSCertificatesProvidesV4(self, "certificates")
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on["certificates"].relation_changed, self._on_certificates_changed)

    def _ca(self):
        try:
            content = self.model.get_secret(label=CA_LABEL).get_content(refresh=True)
        except ops.SecretNotFoundError:
            return None
        return Certificate.from_string(content["certificate"]), PrivateKey.from_string(content["private-key"])

    def _on_install(self, _: ops.InstallEvent):
        if not self.unit.is_leader() or self._ca():
            return
        key = PrivateKey.generate()
        ca = Certificate.generate_self_signed_ca(
            CertificateRequestAttributes(common_name="py-provider CA", is_ca=True), key, timedelta(days=365)
        )
        self.app.add_secret({"certificate": str(ca), "private-key": str(key)}, label=CA_LABEL)
        self.unit.status = ops.ActiveStatus("CA ready")

    def _on_certificates_changed(self, _: ops.RelationChangedEvent):
        if not self.unit.is_leader():
            return
        ca = self._ca()
        if ca is None:
            self.unit.status = ops.WaitingStatus("no CA yet")
            return
        ca_cert, ca_key = ca
        issued = 0
        for request in self.tls.get_outstanding_certificate_requests():
            cert = request.certificate_signing_request.sign(ca_cert, ca_key, timedelta(days=90), is_ca=request.is_ca)
            self.tls.set_relation_certificate(
                ProviderCertificate(
                    relation_id=request.relation_id,
                    certificate=cert,
                    certificate_signing_request=request.certificate_signing_request,
                    ca=ca_cert,
                    chain=[cert, ca_cert],
                )
            )
            issued += 1
        self.unit.status = ops.ActiveStatus(f"issued {issued} certificate(s)")


if __name__ == "__main__":
    ops.main(ProviderCharm)
