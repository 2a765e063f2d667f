#!/usr/bin/env python3
"""A tls-certificates v4 requirer on the real Python library, for goops-rs interop tests.

It asks for one certificate (common name ``py-requirer.example``) as any charm using
``TLSCertificatesRequiresV4`` does, and its status says whether it holds a certificate the
library accepted and whether that certificate verifies against the CA the provider sent.
"""

import logging

import ops
from charmlibs.interfaces.tls_certificates import (
    CertificateAvailableEvent,
    CertificateRequestAttributes,
    TLSCertificatesRequiresV4,
    chain_has_valid_order,
)

logger = logging.getLogger(__name__)

COMMON_NAME = "py-requirer.example"


class RequirerCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.tls = TLSCertificatesRequiresV4(
            self,
            "certificates",
            certificate_requests=[CertificateRequestAttributes(common_name=COMMON_NAME, sans_dns=[COMMON_NAME])],
        )
        framework.observe(self.tls.on.certificate_available, self._on_certificate_available)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)

    def _on_certificate_available(self, event: CertificateAvailableEvent):
        logger.info("certificate available for %s", event.certificate.common_name)

    def _on_collect_status(self, event: ops.CollectStatusEvent):
        if not self.model.get_relation("certificates"):
            event.add_status(ops.BlockedStatus("needs a certificates relation"))
            return
        certificates, key = self.tls.get_assigned_certificates()
        if not certificates or key is None:
            event.add_status(ops.WaitingStatus("waiting for a certificate"))
            return
        cert = certificates[0]
        # Leaf signed by the CA, and the chain in order (each signed by the next).
        if not chain_has_valid_order([str(cert.certificate), str(cert.ca)]):
            event.add_status(ops.BlockedStatus("certificate does not verify against the CA"))
            return
        if not chain_has_valid_order([str(c) for c in cert.chain]):
            event.add_status(ops.BlockedStatus("certificate chain is out of order"))
            return
        event.add_status(
            ops.ActiveStatus(f"certificate for {cert.certificate.common_name} verified against {cert.ca.common_name}")
        )


if __name__ == "__main__":
    ops.main(RequirerCharm)
