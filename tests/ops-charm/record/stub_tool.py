"""A stand-in for every Juju hook tool: logs each call and prints a canned, realistic answer.

Run as ``python stub_tool.py <tool> [args...]`` (the wrappers on PATH do that) or through a
link named after the tool. Only the standard library is used.

Environment:

* ``STUB_LOG`` (required): JSON-lines file; one object per call is appended:
  ``{"argv": [...], "stdin": str|null, "files": {path: content}, "stdout": str, "code": int}``.
  ``files`` holds the content of every ``key#file=<path>`` argument, read while the tool runs
  (the caller deletes those files afterwards).
* ``STUB_RESPONSES`` (optional): JSON file with a list of rules
  ``{"tool": "relation-get", "args": ["--app"], "stdout": "...", "stderr": "", "code": 0}``.
  The first rule whose tool matches and whose ``args`` all appear in the call's arguments wins;
  otherwise the default answer below is used.

Like Juju, stdin is only read by a tool that was asked to read it (``--file -``).
"""

import json
import os
import sys

SECRET_ID = 'secret:cn0s4cu5gdbs7e2q5l4g'

# Default answers, shaped like Juju 3.6's `--format=json` output (docs/hook-tools.md §4).
DEFAULTS = {
    'is-leader': 'true\n',
    'config-get': json.dumps({'greeting': 'hello', 'token-generation': 1}, sort_keys=True) + '\n',
    'secret-add': SECRET_ID + '\n',
    'secret-get': json.dumps({'generation': '1', 'token': 'token-value-1'}, sort_keys=True) + '\n',
    'secret-info-get': json.dumps({
        SECRET_ID.removeprefix('secret:'): {
            'revision': 1,
            'label': 'compat-token',
            'owner': 'application',
            'description': 'token shared over db',
        }
    })
    + '\n',
    'action-get': '{}\n',
    'relation-ids': '[]\n',
    'relation-list': '[]\n',
    'relation-get': '{}\n',
    'status-get': json.dumps({'message': '', 'status': 'unknown', 'status-data': {}}) + '\n',
    'opened-ports': '[]\n',
}


def _tool_and_args() -> tuple[str, list[str]]:
    name = os.path.basename(sys.argv[0])
    if name in ('stub_tool.py', 'stub_tool'):
        return sys.argv[1], sys.argv[2:]
    return name, sys.argv[1:]


def _answer(tool: str, args: list[str]) -> tuple[str, str, int]:
    path = os.environ.get('STUB_RESPONSES')
    if path:
        with open(path, encoding='utf-8') as f:
            rules = json.load(f)
        for rule in rules:
            if rule['tool'] == tool and all(a in args for a in rule.get('args', [])):
                return rule.get('stdout', ''), rule.get('stderr', ''), rule.get('code', 0)
    return DEFAULTS.get(tool, ''), '', 0


def main() -> int:
    tool, args = _tool_and_args()
    stdin = None
    for i, arg in enumerate(args[:-1]):
        if arg == '--file' and args[i + 1] == '-':
            stdin = sys.stdin.read()
    files = {}
    for arg in args:
        key, sep, path = arg.partition('#file=')
        if sep and key and path:
            with open(os.path.expanduser(path), encoding='utf-8') as f:
                files[path] = f.read()
    stdout, stderr, code = _answer(tool, args)
    entry = {'argv': [tool, *args], 'stdin': stdin, 'files': files, 'stdout': stdout, 'code': code}
    with open(os.environ['STUB_LOG'], 'a', encoding='utf-8') as log:
        log.write(json.dumps(entry) + '\n')
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


if __name__ == '__main__':
    sys.exit(main())
