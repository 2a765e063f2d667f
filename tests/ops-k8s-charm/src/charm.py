#!/usr/bin/env python3
"""hello-k8s: a small Kubernetes sidecar charm written with Python ops 3.9.

The workload, ``hello-server``, runs in the ``hello`` container under Pebble. This is the
original that ``examples/hello-k8s`` ports to goops-rs behaviour for behaviour (see that
example's README for the two side by side). It is written as the ops tutorial charms are:

- ``hello-pebble-ready``, ``config-changed`` and ``hello-pebble-check-recovered`` run one
  reconcile: validate the config (port 22 → blocked), push ``/etc/hello/config.json`` rendered
  from it, add the ``hello`` layer (the service, its command built from the config, and an HTTP
  ``alive`` check), replan, run ``hello-server --version`` and report it as the workload
  version, then set active. A container that cannot be reached yet leaves the unit waiting;
  the next pebble-ready runs the reconcile again.
- ``hello-pebble-check-failed`` (the ``hello-up`` check): maintenance status and a restart.
- the ``check-config`` action runs ``hello-server --check-config`` and returns its output, or
  fails with the server's complaint and exit code.
"""

import dataclasses
import json
import logging

import ops

logger = logging.getLogger(__name__)

CONTAINER = 'hello'
SERVICE = 'hello'
CHECK = 'hello-up'
SERVER = '/usr/bin/hello-server'
CONFIG_FILE = '/etc/hello/config.json'
# What the unit says while its container's Pebble cannot be reached (goops-rs's words).
WAITING = f'waiting for the "{CONTAINER}" container\'s Pebble'


@dataclasses.dataclass(frozen=True, kw_only=True)
class HelloConfig:
    """The charm config (charmcraft.yaml ``config.options``)."""

    greeting: str = 'Hello'
    port: int = 8080

    def __post_init__(self):
        """Refuses a port the server must not take."""
        if self.port == 22:
            raise ValueError('port 22 is reserved for SSH')


def render_config(config: HelloConfig) -> str:
    """The server's config file: the greeting and the port, as JSON."""
    body = {'greeting': config.greeting, 'port': config.port}
    return json.dumps(body, indent=2, ensure_ascii=False) + '\n'


def hello_layer(config: HelloConfig) -> ops.pebble.Layer:
    """The Pebble layer: the service, started with the config file and port, and its check."""
    layer: ops.pebble.LayerDict = {
        'summary': 'hello-server',
        'description': 'The hello-server service and its health check, from the charm config.',
        'services': {
            SERVICE: {
                'override': 'replace',
                'summary': 'greeting web server',
                'command': f'{SERVER} --config {CONFIG_FILE} --port {config.port}',
                'startup': 'enabled',
            }
        },
        'checks': {
            CHECK: {
                'override': 'replace',
                'level': 'alive',
                'period': '10s',
                'threshold': 3,
                'http': {'url': f'http://localhost:{config.port}/health'},
            }
        },
    }
    return ops.pebble.Layer(layer)


def parse_version(output: str) -> str:
    """``hello-server 1.4.2`` → ``1.4.2`` (the last word of the first line)."""
    first = output.strip().splitlines()[0] if output.strip() else ''
    words = first.split()
    return words[-1] if words else ''


class HelloCharm(ops.CharmBase):
    """Runs hello-server in the ``hello`` container."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.container = self.unit.get_container(CONTAINER)
        framework.observe(self.on[CONTAINER].pebble_ready, self._reconcile)
        framework.observe(self.on.config_changed, self._reconcile)
        framework.observe(self.on[CONTAINER].pebble_check_recovered, self._reconcile)
        framework.observe(self.on[CONTAINER].pebble_check_failed, self._on_check_failed)
        framework.observe(self.on.check_config_action, self._on_check_config)

    def _reconcile(self, _: ops.EventBase):
        try:
            config = self.load_config(HelloConfig)
        except ValueError as e:
            logger.error('configuration error: %s', e)
            self.unit.status = ops.BlockedStatus(str(e))
            return
        if not self.container.can_connect():
            self.unit.status = ops.WaitingStatus(WAITING)
            return
        try:
            self.container.push(
                CONFIG_FILE, render_config(config), make_dirs=True, permissions=0o644
            )
            self.container.add_layer(CONTAINER, hello_layer(config), combine=True)
            self.container.replan()
            version, _ = self.container.exec([SERVER, '--version']).wait_output()
        except ops.pebble.ConnectionError as e:
            # Pebble went away after can_connect; the next pebble-ready runs this again.
            logger.info('cannot reach Pebble: %s', e)
            self.unit.status = ops.WaitingStatus(WAITING)
            return
        self.unit.set_workload_version(parse_version(version))
        logger.info('hello-server %s serves on port %d', parse_version(version), config.port)
        self.unit.status = ops.ActiveStatus()

    def _on_check_failed(self, event: ops.PebbleCheckFailedEvent):
        if event.info.name != CHECK:
            return
        self.unit.status = ops.MaintenanceStatus(f'{CHECK} check failing; restarting {SERVICE}')
        try:
            self.container.restart(SERVICE)
        except ops.pebble.ConnectionError:
            self.unit.status = ops.WaitingStatus(WAITING)

    def _on_check_config(self, event: ops.ActionEvent):
        try:
            process = self.container.exec([SERVER, '--check-config', CONFIG_FILE])
            output, _ = process.wait_output()
        except ops.pebble.ExecError as e:
            stderr = e.stderr.strip() if isinstance(e.stderr, str) else ''
            event.fail(f'hello-server rejected {CONFIG_FILE} (exit {e.exit_code}): {stderr}')
            return
        except ops.pebble.ConnectionError:
            event.fail(f'cannot reach Pebble in the {CONTAINER} container')
            return
        event.set_results({'output': output.strip()})


if __name__ == '__main__':  # pragma: nocover
    ops.main(HelloCharm)
