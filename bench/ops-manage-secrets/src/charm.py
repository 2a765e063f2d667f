#!/usr/bin/env python3
"""The goops "manage secrets" how-to as an idiomatic Python ops charm (benchmark baseline)."""

import datetime
import logging

import ops

logger = logging.getLogger(__name__)

CA_CERTIFICATE_SECRET_LABEL = "active-ca-certificates"


class ManageSecretsCharm(ops.CharmBase):
    """Creates the CA secret when it is missing, otherwise reads its info."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._configure)
        framework.observe(self.on.config_changed, self._configure)
        framework.observe(self.on.upgrade_charm, self._configure)

    def _configure(self, _event: ops.EventBase):
        try:
            secret = self.model.get_secret(label=CA_CERTIFICATE_SECRET_LABEL)
        except ops.SecretNotFoundError as e:
            logger.info("could not get secret: %s", e)
            secret = self.app.add_secret(
                {"private-key": "Example private key", "ca-certificate": "Example CA certificate"},
                label=CA_CERTIFICATE_SECRET_LABEL,
                description="ca certificate and private key for the certificates charm",
                expire=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365),
                rotate=ops.SecretRotate.NEVER,
            )
            logger.info("Created new secret with ID: %s", secret.id)
            return
        secret.get_info()


if __name__ == "__main__":
    ops.main(ManageSecretsCharm)
