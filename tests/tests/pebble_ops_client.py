"""Python ops 3.9's own ``ops.pebble.Client`` against goops-sim's simulated Pebble.

Run by pebble_ops_client.rs with the socket path as the only argument. Each step checks what
ops returns or raises; the answers the Rust side compares with the server's state are printed
as one JSON object on the last line of stdout.
"""

import json
import sys

from ops import pebble

sock = sys.argv[1]
client = pebble.Client(socket_path=sock)
out = {}


def expect(exc_type, fn, *args, **kwargs):
    """Call fn, which must raise exc_type; return the exception."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    raise AssertionError(f'{fn.__name__}{args} did not raise {exc_type.__name__}')


# -- system info (Container.can_connect's only request)
out['version'] = client.get_system_info().version

# -- layers and plan
client.add_layer(
    'base',
    {
        'summary': 'base layer',
        'services': {
            'web': {
                'override': 'replace',
                'command': '/bin/web --port 80',
                'startup': 'enabled',
                'environment': {'A': '1'},
            },
            'idle': {'override': 'replace', 'command': 'sleep 1000', 'startup': 'disabled'},
        },
        'checks': {
            'ready': {'override': 'replace', 'level': 'ready', 'http': {'url': 'http://localhost/'}},
        },
    },
)
e = expect(pebble.APIError, client.add_layer, 'base', {'services': {}})
assert (e.code, e.message) == (400, 'layer "base" already exists'), (e.code, e.message)
client.add_layer(
    'base', {'services': {'web': {'override': 'merge', 'environment': {'B': '2'}}}}, combine=True
)
e = expect(pebble.APIError, client.add_layer, 'bad', {'services': {'x': {'command': 'y'}}})
assert e.message == 'layer "bad" must define "override" for service "x"', e.message
e = expect(
    pebble.APIError, client.add_layer, 'nocmd', {'services': {'z': {'override': 'replace'}}}
)
assert e.message == 'plan must define "command" for service "z"', e.message
plan = client.get_plan()
out['plan_services'] = {name: s.to_dict() for name, s in plan.services.items()}
out['plan_checks'] = {name: c.to_dict() for name, c in plan.checks.items()}
out['plan_yaml'] = plan.to_yaml()

# -- services and changes
change_id = client.replan_services()
change = client.get_change(change_id)
assert change.status == 'Done' and change.ready, change
out['replan_change'] = {'kind': change.kind, 'summary': change.summary, 'tasks': [t.summary for t in change.tasks]}
out['after_replan'] = {s.name: s.current.value for s in client.get_services()}
client.start_services(['idle'])
out['idle_started'] = client.get_services(['idle'])[0].is_running()
client.stop_services(['idle'])
client.restart_services(['web'])
e = expect(pebble.APIError, client.start_services, ['nope'])
assert (e.code, e.message) == (400, 'cannot start services: service "nope" does not exist'), e.message
client.add_layer('port', {'services': {'web': {'override': 'merge', 'command': '/bin/web --port 81'}}})
change = client.get_change(client.replan_services())
out['replan_changed'] = [t.summary for t in change.tasks]
change = client.get_change(client.replan_services())
out['replan_unchanged'] = [t.summary for t in change.tasks]
out['services'] = {s.name: {'current': s.current.value, 'startup': s.startup.value} for s in client.get_services()}
out['changes_all'] = len(client.get_changes(select=pebble.ChangeState.ALL))
out['changes_in_progress'] = len(client.get_changes())

# -- files
client.push('/etc/app/conf.yaml', 'x: 1\n', make_dirs=True, permissions=0o600, user='app', group='app')
client.push('/etc/app/bin.dat', b'\x00\xff', permissions=0o644)
out['pulled'] = client.pull('/etc/app/conf.yaml').read()
assert client.pull('/etc/app/bin.dat', encoding=None).read() == b'\x00\xff'
listing = client.list_files('/etc/app')
out['listing'] = [
    {'path': f.path, 'type': f.type.value, 'permissions': f.permissions, 'user': f.user, 'size': f.size}
    for f in listing
]
out['pattern'] = [f.name for f in client.list_files('/etc/app', pattern='*.yaml')]
itself = client.list_files('/etc/app', itself=True)
out['itself'] = [(f.path, f.type.value) for f in itself]
client.make_dir('/data/sub', make_parents=True, permissions=0o750)
out['made'] = [(f.path, f.permissions) for f in client.list_files('/data', itself=False)]
e = expect(pebble.PathError, client.pull, '/nope')
out['pull_missing'] = [e.kind, e.message]
e = expect(pebble.APIError, client.list_files, '/nope')
out['list_missing'] = [e.code, e.message]
e = expect(pebble.PathError, client.remove_path, '/etc/app')
out['remove_nonempty'] = [e.kind, e.message]
e = expect(pebble.PathError, client.push, '/missing/dir/f', 'x')
out['push_missing_parent'] = [e.kind, e.message]
e = expect(pebble.PathError, client.make_dir, '/data')
out['mkdir_exists'] = [e.kind, e.message]
client.remove_path('/data', recursive=True)
client.remove_path('/never/there', recursive=True)
e = expect(pebble.APIError, client.list_files, '/data')
assert e.code == 404, e

# -- exec
proc = client.exec(['echo', 'hello'], environment={'GREETING': 'hi'}, working_dir='/etc', user='app')
out['echo'] = list(proc.wait_output())
proc = client.exec(['cat'], stdin='some input\n')
out['cat'] = list(proc.wait_output())
e = expect(pebble.ExecError, lambda: client.exec(['false', '-v']).wait_output())
out['false'] = [e.exit_code, e.stdout, e.stderr, e.command]
proc = client.exec(['false'], combine_stderr=True)
e = expect(pebble.ExecError, proc.wait_output)
out['false_combined'] = [e.stdout, e.stderr]
e = expect(pebble.APIError, client.exec, ['nonexistent', '--flag'])
out['exec_missing'] = [e.code, e.message]
e = expect(pebble.ChangeError, lambda: client.exec(['sleep', '10'], timeout=0.1).wait())
out['exec_timeout'] = e.err

# -- abort a change that has not run (an exec whose websockets never connect)
resp = client._request('POST', '/v1/exec', body={'command': ['echo', 'x'], 'split-stderr': True})
aborted = client.abort_change(pebble.ChangeID(resp['change']))
out['aborted'] = [aborted.status, aborted.ready]
e = expect(pebble.APIError, client.abort_change, aborted.id)
out['abort_twice'] = [e.code, e.message]

# -- checks
out['checks'] = [(c.name, c.level.value, c.status.value, c.failures, c.threshold) for c in client.get_checks()]
out['checks_ready'] = [c.name for c in client.get_checks(level=pebble.CheckLevel.READY)]
out['checks_alive'] = [c.name for c in client.get_checks(level=pebble.CheckLevel.ALIVE)]
out['stopped_checks'] = client.stop_checks(['ready'])
out['stopped_again'] = client.stop_checks(['ready'])
out['started_checks'] = client.start_checks(['ready'])
e = expect(pebble.APIError, client.start_checks, ['nope'])
out['check_missing'] = [e.code, e.message]

# -- notices
first = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'k': 'v'})
again = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'k': 'w'})
assert first == again, (first, again)
client.notify(pebble.NoticeType.CUSTOM, 'example.com/b', repeat_after=__import__('datetime').timedelta(hours=1))
custom = client.get_notices(types=[pebble.NoticeType.CUSTOM])
out['custom_notices'] = [(n.key, n.occurrences, n.last_data) for n in custom]
out['keyed_notices'] = [n.key for n in client.get_notices(keys=['example.com/b'])]
notice = client.get_notice(first)
out['notice'] = [notice.id, notice.type.value, notice.key, notice.occurrences, notice.last_data]
out['change_update_notices'] = len(client.get_notices(types=[pebble.NoticeType.CHANGE_UPDATE]))
e = expect(pebble.APIError, client.notify, pebble.NoticeType.CUSTOM, 'bad-key')
out['bad_key'] = [e.code, e.message]
e = expect(pebble.APIError, client.get_notice, '999')
out['notice_missing'] = [e.code, e.message]

# -- signals
client.send_signal('SIGHUP', ['web'])
e = expect(pebble.APIError, client.send_signal, 'SIGHUP', ['idle'])
out['signal_stopped'] = [e.code, e.message]

print(json.dumps(out))
