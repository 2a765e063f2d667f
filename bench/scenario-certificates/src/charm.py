#!/usr/bin/env python3
"""The certificates charm as an idiomatic Python ops charm (benchmark baseline).

The twin of goops-rs's examples/certificates (src/charm.rs): a self-signed CA kept in an
application-owned secret, CSRs signed over tls-certificates (v4 databag shape), and the
get-ca-certificate action.
"""

import datetime
import json
import logging

import ops

from tls import CaMaterial, TlsError, generate_ca, sign_csr

logger = logging.getLogger(__name__)

CA_SECRET_LABEL = "active-ca-certificates"
CA_SECRET_DESCRIPTION = "ca certificate and private key for the certificates charm"
PRIVATE_KEY = "private-key"
CA_CERTIFICATE = "ca-certificate"

# tls-certificates v4: requirers put a JSON list of {certificate_signing_request, ca} under this
# key of their unit (or application) databag; this charm answers under CERTIFICATES_KEY in its
# application databag with a JSON list of {certificate_signing_request, certificate, ca, chain}.
REQUESTS_KEY = "certificate_signing_requests"
CERTIFICATES_KEY = "certificates"


def _parse_requests(raw: str) -> list[dict]:
    """The requests in a requirer's `certificate_signing_requests` value (ValueError if malformed)."""
    requests = json.loads(raw)
    if not isinstance(requests, list):
        raise ValueError("not a list")
    parsed = []
    for request in requests:
        csr = request.get("certificate_signing_request") if isinstance(request, dict) else None
        ca = request.get("ca", False) if isinstance(request, dict) else None
        if not isinstance(csr, str) or not isinstance(ca, bool):
            raise ValueError(f"not a request: {request!r}")
        parsed.append({"certificate_signing_request": csr, "ca": ca})
    return parsed


def _parse_provided(raw: str | None) -> list[dict]:
    """The certificates this charm published before; nothing if absent or unreadable."""
    fields = {"certificate_signing_request": str, "certificate": str, "ca": str, "chain": list}
    try:
        provided = json.loads(raw) if raw else []
    except json.JSONDecodeError:
        return []
    if not isinstance(provided, list) or not all(
        isinstance(p, dict) and all(isinstance(p.get(k), t) for k, t in fields.items()) for p in provided
    ):
        return []
    return provided


class CertificatesCharm(ops.CharmBase):
    """A self-signed CA that signs certificate requests."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._configure)
        framework.observe(self.on.config_changed, self._configure)
        framework.observe(self.on.upgrade_charm, self._configure)
        framework.observe(self.on["certificates"].relation_changed, self._on_certificates_changed)
        framework.observe(self.on.get_ca_certificate_action, self._on_get_ca_certificate)

    def _get_ca(self) -> CaMaterial | None:
        """The CA from its secret, or None if the secret does not exist (yet)."""
        try:
            secret = self.model.get_secret(label=CA_SECRET_LABEL)
        except ops.SecretNotFoundError:
            return None
        content = secret.get_content()
        return CaMaterial(private_key_pem=content[PRIVATE_KEY], certificate_pem=content[CA_CERTIFICATE])

    def _configure(self, _event: ops.EventBase):
        """install, config-changed, upgrade-charm: make sure the CA exists (the leader creates it)."""
        if self._get_ca() is not None:
            self.unit.status = ops.ActiveStatus()
            return
        if not self.unit.is_leader():
            # Only the leader may create an application-owned secret; failing would make Juju retry for nothing.
            self.unit.status = ops.WaitingStatus("waiting for the leader to create the CA")
            return
        logger.info('could not get secret "%s": creating a new CA', CA_SECRET_LABEL)
        ca = generate_ca(str(self.config["ca-common-name"]))
        secret = self.app.add_secret(
            {PRIVATE_KEY: ca.private_key_pem, CA_CERTIFICATE: ca.certificate_pem},
            label=CA_SECRET_LABEL,
            description=CA_SECRET_DESCRIPTION,
            expire=datetime.timedelta(days=365),
            rotate=ops.SecretRotate.NEVER,
        )
        logger.info("Created new secret with ID: %s", secret.id)
        info = secret.get_info()
        expiry = info.expires.astimezone(datetime.timezone.utc).date().isoformat() if info.expires else "never"
        logger.info("CA secret %s: revision %s, expires %s", secret.id, info.revision, expiry)
        self.unit.status = ops.ActiveStatus()

    def _on_certificates_changed(self, event: ops.RelationChangedEvent):
        """certificates-relation-changed: answer every CSR of the requirer with a certificate signed by the CA."""
        if not self.unit.is_leader():
            # Answers go in the application databag, which only the leader may write.
            return
        ca = self._get_ca()
        if ca is None:
            self.unit.status = ops.WaitingStatus("no CA yet; certificate requests wait for it")
            return
        relation = event.relation
        relation_name = f"{relation.name}:{relation.id}"
        accepted, rejected = self._collect_requests(relation)
        own = relation.data[self.app]
        previous = {p["certificate_signing_request"]: p for p in _parse_provided(own.get(CERTIFICATES_KEY))}
        answers = []
        for source, request in accepted:
            csr = request["certificate_signing_request"]
            # A CSR already answered keeps its certificate: no churn on every relation-changed.
            if csr in previous:
                answers.append(previous[csr])
                continue
            try:
                certificate = sign_csr(ca, csr, request["ca"])
            except TlsError as e:
                rejected.append(f"{source}: {e}")
                continue
            answers.append(
                {
                    "certificate_signing_request": csr,
                    "certificate": certificate,
                    "ca": ca.certificate_pem,
                    "chain": [certificate, ca.certificate_pem],
                }
            )
        own[CERTIFICATES_KEY] = json.dumps(answers, separators=(",", ":"))
        logger.debug("%d certificate request(s) answered on %s", len(answers), relation_name)
        if not rejected:
            self.unit.status = ops.ActiveStatus()
            return
        # A bad CSR is the requirer's problem: say so and don't fail the hook (Juju would retry it forever).
        for reason in rejected:
            logger.error("rejected a certificate request from %s", reason)
        self.unit.status = ops.BlockedStatus(
            f"rejected {len(rejected)} certificate request(s) on {relation_name}; see juju debug-log"
        )

    def _collect_requests(self, relation: ops.Relation) -> tuple[list[tuple[str, dict]], list[str]]:
        """The CSRs of every remote unit and of the remote application, and the bags that are not requests."""
        sources: list[ops.Unit | ops.Application] = sorted(relation.units, key=lambda u: u.name)
        if relation.app is not None:
            sources.append(relation.app)
        accepted, rejected = [], []
        for source in sources:
            raw = relation.data[source].get(REQUESTS_KEY)
            if raw is None:
                continue
            try:
                accepted.extend((source.name, request) for request in _parse_requests(raw))
            except ValueError as e:
                rejected.append(f"{source.name}: {REQUESTS_KEY} is not a JSON list of requests: {e}")
        return accepted, rejected

    def _on_get_ca_certificate(self, event: ops.ActionEvent):
        """get-ca-certificate: the CA PEM, or a failure saying there is none yet."""
        ca = self._get_ca()
        if ca is None:
            event.fail("there is no CA certificate yet: the leader creates it on install")
            return
        event.set_results({"ca-certificate": ca.certificate_pem})


if __name__ == "__main__":  # pragma: nocover
    ops.main(CertificatesCharm)
