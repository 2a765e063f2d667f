"""Record the exact hook-tool calls Python ops 3.9.0 makes for the ops-compat scenario.

Run with a Python that has ``ops==3.9.0`` installed (the test venv works):

    target/ops-venv-3.9.0/bin/python tests/ops-charm/record/record.py [--check]

With ``--check`` it writes nothing and exits 1 if the committed transcript is out of date.

For each step it stages the charm in a temp dir (with a charmcraft-style ``dispatch``), puts
stub hook tools (``stub_tool.py``) first on PATH, sets the environment Juju 3.6 sets
(docs/hook-tools.md §3), runs ``dispatch``, and writes everything to
``tests/ops-charm/RECORDED_ARGV.md``. It fails (exit 1) if any step exits non-zero or if a
step's expected trace is missing. Only the standard library and ``ops`` are used.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHARM_SRC = HERE.parent
OUTPUT = CHARM_SRC / 'RECORDED_ARGV.md'

HOOK_TOOLS = """
action-fail action-get action-log action-set application-version-set close-port config-get
credential-get goal-state is-leader juju-log juju-reboot leader-get leader-set network-get
open-port opened-ports relation-get relation-ids relation-list relation-model-get relation-set
resource-get secret-add secret-get secret-grant secret-ids secret-info-get secret-remove
secret-revoke secret-set state-delete state-get state-set status-get status-set storage-add
storage-get storage-list unit-get
""".split()

MODEL_UUID = 'a5b3f4c2-8e1d-4f6a-9b7c-0d2e4f6a8b1c'
UNIT = 'ops-compat/0'
OWN_SECRET = 'cn0s4cu5gdbs7e2q5l4g'
REMOTE_SECRET = 'd1fa9k3vrgbs7e2q5m10'
CONTEXT_HEX = '0123456789abcdef0123456789abcdef'


def juju_env(charm_dir: Path, bin_dir: Path, name: str, dispatch_path: str, hook_name: str) -> dict[str, str]:
    """The variables Juju 3.6 sets for every hook and action (docs/hook-tools.md §3)."""
    return {
        'CHARM_DIR': str(charm_dir),
        'JUJU_CHARM_DIR': str(charm_dir),
        'JUJU_CONTEXT_ID': f'{UNIT}-{name}-{CONTEXT_HEX}',
        'JUJU_HOOK_NAME': hook_name,
        'JUJU_DISPATCH_PATH': dispatch_path,
        'JUJU_AGENT_SOCKET_ADDRESS': '@/var/lib/juju/agents/unit-ops-compat-0/agent.socket',
        'JUJU_AGENT_SOCKET_NETWORK': 'unix',
        'JUJU_UNIT_NAME': UNIT,
        'JUJU_MODEL_UUID': MODEL_UUID,
        'JUJU_MODEL_NAME': 'compat',
        'JUJU_API_ADDRESSES': '10.0.0.1:17070',
        'JUJU_MACHINE_ID': '0',
        'JUJU_PRINCIPAL_UNIT': '',
        'JUJU_AVAILABILITY_ZONE': '',
        'JUJU_VERSION': '3.6.9',
        'CLOUD_API_VERSION': '',
        'JUJU_CHARM_HTTP_PROXY': '',
        'JUJU_CHARM_HTTPS_PROXY': '',
        'JUJU_CHARM_FTP_PROXY': '',
        'JUJU_CHARM_NO_PROXY': '',
        'JUJU_SLA': 'unsupported',
        'PATH': f'{bin_dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'LANG': 'C.UTF-8',
        'TERM': 'tmux-256color',
        'DEBIAN_FRONTEND': 'noninteractive',
        'APT_LISTCHANGES_FRONTEND': 'none',
    }


def hook(name: str) -> dict[str, str]:
    return {'dispatch_path': f'hooks/{name}', 'hook_name': name, 'context': name}


def action(name: str, uuid: str) -> dict[str, str]:
    return {
        'dispatch_path': f'actions/{name}',
        'hook_name': '',
        'context': name,
        'extra_env': {'JUJU_ACTION_NAME': name, 'JUJU_ACTION_UUID': uuid, 'JUJU_ACTION_TAG': f'action-{uuid}'},
    }


def rule(tool: str, args: list[str], stdout: object) -> dict[str, object]:
    text = stdout if isinstance(stdout, str) else json.dumps(stdout, sort_keys=True) + '\n'
    return {'tool': tool, 'args': args, 'stdout': text}


CONFIG_2 = {'greeting': 'bonjour', 'token-generation': 2}
RELATION_ENV = {
    'JUJU_RELATION': 'db',
    'JUJU_RELATION_ID': 'db:5',
    'JUJU_REMOTE_UNIT': 'client/0',
    'JUJU_REMOTE_APP': 'client',
}
REMOTE_UNIT_BAG = {
    'egress-subnets': '10.0.0.9/32',
    'ingress-address': '10.0.0.9',
    'private-address': '10.0.0.9',
    'request': 'ping',
}
OWN_UNIT_BAG = {'egress-subnets': '10.0.0.5/32', 'ingress-address': '10.0.0.5', 'private-address': '10.0.0.5'}
SECRET_INFO_1 = {
    OWN_SECRET: {'revision': 1, 'label': 'compat-token', 'owner': 'application', 'description': 'token shared over db'}
}

# Each step: the event, extra env, canned answers, and strings that must appear in the calls.
STEPS = [
    {
        'title': 'install (leader)',
        **hook('install'),
        'rules': [],
        'expect': ['secret-add', 'token#file=', 'installed; token generation 1'],
    },
    {
        'title': 'config-changed (leader; greeting=bonjour, token-generation=2)',
        **hook('config-changed'),
        'rules': [rule('config-get', [], CONFIG_2), rule('secret-info-get', ['--label'], SECRET_INFO_1)],
        'expect': ['secret-set', 'bonjour; token generation 2'],
    },
    {
        'title': 'db-relation-changed (leader; remote unit client/0 asks "ping", remote app shares a secret)',
        **hook('db-relation-changed'),
        'extra_env': RELATION_ENV,
        'rules': [
            rule('config-get', [], CONFIG_2),
            rule('relation-ids', ['db'], ['db:5']),
            rule('relation-ids', ['cluster'], []),
            rule('relation-list', ['--app'], 'client'),
            rule('relation-list', [], ['client/0']),
            rule('relation-get', ['--app', 'client'], {'secret-id': f'secret:{REMOTE_SECRET}'}),
            rule('relation-get', ['--app', 'ops-compat'], {}),
            rule('relation-get', ['client/0'], REMOTE_UNIT_BAG),
            rule('relation-get', [UNIT], OWN_UNIT_BAG),
            rule('secret-info-get', ['--label'], SECRET_INFO_1),
            rule('secret-get', [f'secret:{REMOTE_SECRET}'], {'generation': '1', 'token': 'remote-value-1'}),
            rule('secret-get', ['--label', 'compat-token'], {'generation': '2', 'token': 'token-value-2'}),
        ],
        'expect': ['relation-set', 'secret-grant', 'serving client; remote token generation 1'],
    },
    {
        'title': 'secret-changed (consumer of the remote secret, labelled remote-token)',
        **hook('secret-changed'),
        'extra_env': {'JUJU_SECRET_ID': f'secret:{REMOTE_SECRET}', 'JUJU_SECRET_LABEL': 'remote-token'},
        'rules': [
            rule('config-get', [], CONFIG_2),
            rule('secret-get', ['--refresh'], {'generation': '2', 'token': 'remote-value-2'}),
        ],
        'expect': ['--refresh', 'secret remote-token generation 2'],
    },
    {
        'title': 'secret-changed (owner-labelled secret, label compat-token; Juju fires this only on consumers)',
        **hook('secret-changed'),
        'context': 'secret-changed',
        'extra_env': {'JUJU_SECRET_ID': f'secret:{OWN_SECRET}', 'JUJU_SECRET_LABEL': 'compat-token'},
        'rules': [
            rule('config-get', [], CONFIG_2),
            rule('secret-get', ['--refresh'], {'generation': '2', 'token': 'token-value-2'}),
        ],
        'expect': ['--refresh', 'secret compat-token generation 2'],
    },
    {
        'title': 'action get-info (verbose=true)',
        **action('get-info', '7'),
        'rules': [
            rule('action-get', [], {'verbose': True}),
            rule('config-get', [], CONFIG_2),
            rule('secret-get', ['--label', 'compat-token'], {'generation': '2', 'token': 'token-value-2'}),
            rule('secret-info-get', ['--label'], {**SECRET_INFO_1, OWN_SECRET: {**SECRET_INFO_1[OWN_SECRET], 'revision': 2}}),
        ],
        'expect': ['action-set', 'config.greeting=bonjour', 'token-generation=2'],
    },
    {
        'title': 'action fail-always (reason="disk full")',
        **action('fail-always', '8'),
        'rules': [rule('action-get', [], {'reason': 'disk full'})],
        'expect': ['action-fail', 'failed as requested: disk full'],
    },
    {
        'title': 'config-changed (not the leader: no secret calls)',
        **hook('config-changed'),
        'rules': [rule('is-leader', [], False), rule('config-get', [], CONFIG_2)],
        'expect': ['"false', 'bonjour; token generation 2'],
        'forbid': ['secret-'],
    },
]


def stage_charm(dest: Path) -> Path:
    charm = dest / 'charm'
    shutil.copytree(CHARM_SRC, charm, ignore=shutil.ignore_patterns('record', 'RECORDED_ARGV.md', '__pycache__'))
    dispatch = charm / 'dispatch'
    dispatch.write_text(
        '#!/bin/sh\n'
        'dispatch_path="$(dirname "$(realpath "$0")")"\n'
        'export PYTHONPATH="${dispatch_path}/lib:${dispatch_path}/src"\n'
        f'JUJU_DISPATCH_PATH="${{JUJU_DISPATCH_PATH:-$0}}" exec {shlex.quote(sys.executable)} '
        '"${dispatch_path}/src/charm.py"\n'
    )
    dispatch.chmod(0o755)
    return charm


def stage_tools(dest: Path) -> Path:
    bin_dir = dest / 'bin'
    bin_dir.mkdir()
    stub = HERE / 'stub_tool.py'
    for tool in HOOK_TOOLS:
        wrapper = bin_dir / tool
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(stub))} {tool} "$@"\n')
        wrapper.chmod(0o755)
    return bin_dir


def run_step(step: dict, charm: Path, bin_dir: Path, work: Path, index: int) -> dict:
    log = work / f'step{index}.jsonl'
    responses = work / f'step{index}-responses.json'
    responses.write_text(json.dumps(step['rules']))
    env = juju_env(charm, bin_dir, step['context'], step['dispatch_path'], step['hook_name'])
    env.update(step.get('extra_env', {}))
    juju_vars = dict(env)
    env.update({'STUB_LOG': str(log), 'STUB_RESPONSES': str(responses)})
    proc = subprocess.run(
        [str(charm / 'dispatch')], cwd=charm, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return {'env': juju_vars, 'calls': calls, 'code': proc.returncode, 'stdout': proc.stdout, 'stderr': proc.stderr}


def check(step: dict, result: dict) -> list[str]:
    problems = []
    if result['code'] != 0:
        problems.append(f'dispatch exited {result["code"]}: {result["stderr"]}')
    text = json.dumps(result['calls'])
    for needle in step['expect']:
        if needle not in text:
            problems.append(f'expected {needle!r} in the tool calls')
    for needle in step.get('forbid', []):
        if needle in text:
            problems.append(f'unexpected {needle!r} in the tool calls')
    for call in result['calls']:
        for value in ('token-value-', 'remote-value-'):
            if any(value in arg for arg in call['argv']):
                problems.append(f'secret value on argv: {call["argv"]}')
    return problems


def render(results: list[tuple[dict, dict]], charm: Path, bin_dir: Path) -> str:
    out = [
        '# Hook-tool calls made by Python ops 3.9.0 (recorded)',
        '',
        'Generated by `tests/ops-charm/record/record.py` (do not edit by hand): the `ops-compat` charm in',
        '`tests/ops-charm/` was run through a charmcraft-style `dispatch` with stub hook tools on PATH',
        '(`record/stub_tool.py`, canned Juju 3.6 answers) and the environment Juju sets. This is what',
        '`goops-sim` must accept, argv for argv. Paths: the charm dir is shown as `$CHARM_DIR`, the tools',
        'dir as `$TOOLS`, and temp files as `$TMP/...`.',
        '',
        'What goops-sim must accept (beyond the per-tool reference):',
        '',
        '- Flags after positionals (gnuflag interspersed): `relation-ids db --format=json`,',
        '  `secret-get --format=json <id> --label L --refresh`.',
        '- `-r <endpoint>:<id>` for `relation-list`, `relation-get`, `relation-set`; but',
        '  `secret-grant --relation 5` with a bare id (long flag name).',
        '- `relation-get ... - <member>`: `-` means all keys; the member is a remote unit, or with `--app`',
        '  the remote app or this unit\'s own app (ops reads its own bags before writing, to diff).',
        '- `relation-set -r db:5 [--app] --file -` with a JSON object on stdin (JSON is valid YAML);',
        '  only changed keys are sent; `""` deletes.',
        '- `status-set --application=False <status> -- <message>`: capitalised bool value, `--` before',
        '  the message; same `--` for `juju-log --log-level L -- msg`, `action-log -- msg`,',
        '  `action-fail -- msg`, `application-version-set -- v`.',
        '- `secret-add ... --owner application k#file=<path> ...`: read the files during the call (ops',
        '  deletes them right after). `secret-set` also gets `--owner application`.',
        '- Secret ids: a label-only handle is resolved with `secret-info-get --format=json --label L`',
        '  (output keyed by the bare id); ops then canonicalises it to `secret://<model-uuid>/<id>`',
        '  and passes that form to `secret-set`/`secret-grant` (and publishes it in relation data).',
        '  Ids the charm got elsewhere (`secret:<id>`) are passed as they are.',
        '- `action-set` keys are dotted paths (`config.greeting=bonjour`); values come on argv.',
        '- Every dispatch ends with `is-leader --format=json` (collect-status) unless the handler',
        '  already asked within the 30 s lease, and starts with DEBUG `juju-log` lines.',
        '',
        'Environment notes:',
        '',
        '- ops reads `metadata.yaml` (required), `config.yaml` and `actions.yaml` from `JUJU_CHARM_DIR`;',
        '  it does not read `charmcraft.yaml` at run time. Without `JUJU_CHARM_DIR` it guesses a dir',
        '  relative to its own install location, so the simulator must set it.',
        '- ops requires `JUJU_DISPATCH_PATH`, `JUJU_HOOK_NAME` (present but empty for actions),',
        '  `JUJU_MODEL_NAME`, `JUJU_MODEL_UUID`, `JUJU_UNIT_NAME`, `JUJU_VERSION`; secret hooks need',
        '  `JUJU_SECRET_ID`, actions `JUJU_ACTION_NAME` and `JUJU_ACTION_UUID`. Hook cwd is the charm dir.',
        '- ops writes its state to `$JUJU_CHARM_DIR/.unit-state.db` (SQLite): the charm dir must be',
        '  writable and kept between events of one unit (StoredState and deferred events live there).',
        '- `JUJU_VERSION` matters: below 3.6 ops turns `secret-set` into a read-modify-write',
        '  (`secret-get --peek` and `secret-info-get` first).',
        '- The charmcraft-style `dispatch` uses `dirname`, `realpath`: keep system dirs on PATH.',
        '',
    ]
    for n, (step, result) in enumerate(results, 1):
        out += [f'## {n}. {step["title"]}', '', f'Exit code: {result["code"]}', '', 'Environment:', '', '```sh']
        for key, value in result['env'].items():
            value = value.replace(str(charm), '$CHARM_DIR').replace(str(bin_dir), '$TOOLS')
            out.append(f'{key}={shlex.quote(value)}')
        out += ['```', '', 'Calls (argv as JSON, then stdin / `#file=` contents / canned stdout):', '']
        for i, call in enumerate(result['calls'], 1):
            argv = [_scrub(a.replace(str(charm), '$CHARM_DIR')) for a in call['argv']]
            out.append(f'{i}. `{json.dumps(argv)}`')
            if call['stdin'] is not None:
                out.append(f'   - stdin: `{call["stdin"]}`')
            for path, content in call['files'].items():
                out.append(f'   - file `{_scrub(path)}`: `{content}`')
            if call['stdout']:
                out.append(f'   - stdout: `{call["stdout"].rstrip()}`')
        if result['stderr'].strip():
            out += ['', 'Charm stderr:', '', '```', result['stderr'].rstrip(), '```']
        out.append('')
    return '\n'.join(out)


def _scrub(text: str) -> str:
    """Replace the random temp dir in `key#file=/tmp/tmpXXXX/key` with `$TMP`."""
    key, sep, path = text.partition('#file=')
    if sep:
        return f'{key}#file=$TMP/{Path(path).name}'
    if text.startswith(tempfile.gettempdir()) and '/' in text:
        return f'$TMP/{Path(text).name}'
    return text


def main() -> int:
    import ops

    if ops.__version__ != '3.9.0':
        print(f'need ops 3.9.0, found {ops.__version__} in {sys.executable}', file=sys.stderr)
        return 1
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        charm = stage_charm(work)
        bin_dir = stage_tools(work)
        results = []
        for index, step in enumerate(STEPS):
            result = run_step(step, charm, bin_dir, work, index)
            problems = check(step, result)
            status = 'ok' if not problems else 'FAILED'
            print(f'{status}: {step["title"]} ({len(result["calls"])} calls)')
            for problem in problems:
                print(f'  - {problem}')
            failed |= bool(problems)
            results.append((step, result))
        transcript = render(results, charm, bin_dir)
    if '--check' in sys.argv[1:]:
        if not OUTPUT.exists() or OUTPUT.read_text() != transcript:
            print(f'{OUTPUT} is out of date: re-run {Path(__file__).name} without --check', file=sys.stderr)
            return 1
        print(f'{OUTPUT} is up to date')
    else:
        OUTPUT.write_text(transcript)
        print(f'wrote {OUTPUT}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
