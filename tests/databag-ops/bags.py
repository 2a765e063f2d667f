"""Golden relation databags from the real ops: `Relation.save` and `Relation.load` (ops 3.9).

Used by tests/tests/databag_ops.rs, which mirrors `Offer` as a `#[derive(Databag)]` struct.

    python bags.py save   # stdin: {"case": name}; stdout: {"unit": bag, "app": bag}
    python bags.py load   # stdin: a databag (JSON object of strings); stdout: the loaded Offer
"""

import dataclasses
import json
import sys

import ops
from ops.testing import Harness

META = """
name: golden
requires:
  db:
    interface: golden
"""


@dataclasses.dataclass
class Request:
    csr: str
    is_ca: bool = False


@dataclasses.dataclass
class Offer:
    host: str
    port: int | None = None
    chain: list[str] = dataclasses.field(default_factory=list, metadata={'alias': 'ca-chain'})
    ratio: float = 0.0
    floats: list[float] = dataclasses.field(default_factory=list)
    enabled: bool = False
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    requests: list[Request] = dataclasses.field(default_factory=list)
    note: str | None = None


CASES = {
    'full': Offer(
        host='db.internal',
        port=5432,
        chain=['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'caf\u00e9 \u2603 \U0001f600'],
        ratio=0.1,
        floats=[1e16, 1e-05, 2.0, 123456789012345678.0],
        enabled=True,
        labels={'a': '1', 'b': 'two "quoted"'},
        requests=[Request(csr='CSR-1', is_ca=True), Request(csr='CSR-2')],
        note='tab\there',
    ),
    # Every optional field None and every defaulted field at its default.
    'sparse': Offer(host='h'),
}


def harness():
    h = Harness(ops.CharmBase, meta=META)
    h.set_leader(True)
    h.begin()
    rel_id = h.add_relation('db', 'remote')
    h.add_relation_unit(rel_id, 'remote/0')
    return h, rel_id, h.model.get_relation('db', rel_id)


def main():
    mode = sys.argv[1]
    given = json.load(sys.stdin)
    h, rel_id, relation = harness()
    if mode == 'save':
        offer = CASES[given['case']]
        relation.save(offer, h.charm.unit)
        relation.save(offer, h.charm.app)
        out = {
            'unit': dict(h.get_relation_data(rel_id, h.charm.unit.name)),
            'app': dict(h.get_relation_data(rel_id, h.charm.app.name)),
        }
    elif mode == 'load':
        h.update_relation_data(rel_id, 'remote', given)
        offer = relation.load(Offer, relation.app)
        # The Request items come back as dicts (ops passes json.loads output to the dataclass).
        out = dataclasses.asdict(offer)
    else:
        raise SystemExit(f'unknown mode {mode!r}')
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
