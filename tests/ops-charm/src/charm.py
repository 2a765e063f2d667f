#!/usr/bin/env python3
"""A small Python ops charm that goops-sim must run unchanged.

Every handler leaves a trace a test can check: the unit status, relation data, juju-log
lines and action results. Secret *values* never appear in those traces; the shared secret
carries a non-secret ``generation`` key that the handlers report instead.

Scenario (see tests/ops-charm/README.md):

1. ``install``: the leader adds the app-owned secret ``compat-token`` (generation 1) and
   reads it back by label.
2. ``config-changed``: status from ``greeting`` (string) and ``token-generation`` (int); the
   leader updates the secret's content when the configured generation differs.
3. ``db-relation-changed``: reads the remote unit's ``request``, writes the local unit's
   ``reply``; the leader grants the secret to the relation and publishes its id in the app
   bag. A ``secret-id`` in the remote app's bag is read as a consumer with the label
   ``remote-token``.
4. ``secret-changed``: reads the new revision with ``get_content(refresh=True)``.
5. ``get-info`` action: results; ``fail-always`` action: ``event.fail``.
"""

import logging

import ops

logger = logging.getLogger(__name__)

TOKEN_LABEL = 'compat-token'
REMOTE_TOKEN_LABEL = 'remote-token'


def _token_content(generation: int) -> dict[str, str]:
    return {'token': f'token-value-{generation}', 'generation': str(generation)}


class OpsCompatCharm(ops.CharmBase):
    """Exercises config, relation data, secrets and actions."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_relation_changed, self._on_db_relation_changed)
        framework.observe(self.on.secret_changed, self._on_secret_changed)
        framework.observe(self.on.get_info_action, self._on_get_info)
        framework.observe(self.on.fail_always_action, self._on_fail_always)

    def _on_install(self, event: ops.InstallEvent):
        self.unit.status = ops.MaintenanceStatus('installing')
        self.unit.set_workload_version('1.0.0')
        if self.unit.is_leader():
            secret = self.app.add_secret(
                _token_content(1), label=TOKEN_LABEL, description='token shared over db'
            )
            logger.info('added secret %s as %s', TOKEN_LABEL, secret.id)
            # Read it back through Juju (by label), not from the object's cache.
            read_back = self.model.get_secret(label=TOKEN_LABEL).get_content()
            logger.info('read back secret %s generation %s', TOKEN_LABEL, read_back['generation'])
            self.unit.status = ops.ActiveStatus(f'installed; token generation {read_back["generation"]}')
        else:
            self.unit.status = ops.ActiveStatus('installed')

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        greeting = str(self.config['greeting'])
        generation = int(self.config['token-generation'])
        if self.unit.is_leader():
            secret = self.model.get_secret(label=TOKEN_LABEL)
            current = secret.get_content()
            if current.get('generation') != str(generation):
                secret.set_content(_token_content(generation))
                logger.info(
                    'updated secret %s from generation %s to %s',
                    TOKEN_LABEL,
                    current.get('generation'),
                    generation,
                )
        self.unit.status = ops.ActiveStatus(f'{greeting}; token generation {generation}')

    def _on_db_relation_changed(self, event: ops.RelationChangedEvent):
        relation = event.relation
        greeting = str(self.config['greeting'])
        request = relation.data[event.unit].get('request', '') if event.unit else ''
        relation.data[self.unit]['reply'] = f'{greeting}, {request}'
        logger.info('replied to %s on %s:%d', event.unit.name if event.unit else '-', relation.name, relation.id)
        if self.unit.is_leader():
            secret = self.model.get_secret(label=TOKEN_LABEL)
            secret.grant(relation)  # a label-only handle looks its id up first (secret-info-get)
            relation.data[self.app].update({'token-secret-id': str(secret.id), 'served-by': self.unit.name})
        remote_secret_id = relation.data[relation.app].get('secret-id') if relation.app else None
        if remote_secret_id:
            remote = self.model.get_secret(id=remote_secret_id, label=REMOTE_TOKEN_LABEL)
            content = remote.get_content()
            logger.info('remote secret %s has keys %s', REMOTE_TOKEN_LABEL, ','.join(sorted(content)))
            self.unit.status = ops.ActiveStatus(
                f'serving {relation.app.name}; remote token generation {content.get("generation", "?")}'
            )
        else:
            self.unit.status = ops.ActiveStatus(f'serving {relation.app.name if relation.app else "?"}')

    def _on_secret_changed(self, event: ops.SecretChangedEvent):
        content = event.secret.get_content(refresh=True)
        generation = content.get('generation', '?')
        logger.info('secret %s changed: now generation %s', event.secret.label or event.secret.id, generation)
        self.unit.status = ops.ActiveStatus(f'secret {event.secret.label or event.secret.id} generation {generation}')

    def _on_get_info(self, event: ops.ActionEvent):
        event.log('collecting info')
        results: dict[str, object] = {
            'unit': self.unit.name,
            'leader': str(self.unit.is_leader()).lower(),
            'config': {
                'greeting': str(self.config['greeting']),
                'token-generation': str(self.config['token-generation']),
            },
        }
        if self.unit.is_leader():
            secret = self.model.get_secret(label=TOKEN_LABEL)
            results['token-generation'] = secret.get_content()['generation']
            if event.params.get('verbose'):
                results['token-secret-id'] = secret.get_info().id
        event.set_results(results)

    def _on_fail_always(self, event: ops.ActionEvent):
        reason = event.params.get('reason', 'asked to fail')
        event.log('about to fail')
        event.set_results({'partial': 'yes'})
        event.fail(f'failed as requested: {reason}')


if __name__ == '__main__':  # pragma: nocover
    ops.main(OpsCompatCharm)
