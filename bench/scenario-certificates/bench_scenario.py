#!/usr/bin/env python3
"""Time the certificates charm's Python twin in-process under Scenario (ops.testing).

The Python side of the side-by-side with goops-rs's in-process harness
(goops_sim::testing::Harness); goops-bench runs it with --serve.
Each case is one ``ctx.run(event, state)``: Scenario builds the charm's environment from the
State, runs ops's main loop on the charm in this process (the hook tools are Scenario's mocks)
and returns the output State. Before timing, each case's output is checked once, and the paths
that are not timed (relation-changed, the action, a non-leader) are checked too, so that a broken
charm cannot be timed silently.

Usage (with the venv of requirements.txt):  python bench_scenario.py [--runs N] [--warmup N]
Prints one JSON object on stdout. With --serve, times the runs goops-bench asks for on stdin
instead (one JSON line per request; see serve()).
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))

import ops  # noqa: E402
from ops import testing  # noqa: E402

from charm import CA_SECRET_DESCRIPTION, CA_SECRET_LABEL, CertificatesCharm  # noqa: E402
from tls import generate_ca  # noqa: E402

DEFAULT_CN = "goops-rs self-signed CA"


def new_context() -> testing.Context:
    """A Context from charmcraft.yaml (meta, config and actions are taken from the one dict)."""
    meta = yaml.safe_load((HERE / "charmcraft.yaml").read_text())
    return testing.Context(CertificatesCharm, meta=meta)


def ca_secret(ca) -> testing.Secret:
    """The app-owned CA secret as the leader's install leaves it."""
    return testing.Secret(
        {"private-key": ca.private_key_pem, "ca-certificate": ca.certificate_pem},
        owner="app",
        label=CA_SECRET_LABEL,
        description=CA_SECRET_DESCRIPTION,
        expire=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365),
        rotate=ops.SecretRotate.NEVER,
    )


def messages(ctx: testing.Context) -> list[str]:
    return [line.message for line in ctx.juju_log]


def reset(ctx: testing.Context) -> None:
    """Drop what a Context accumulates across runs (logs, status history), outside the timing."""
    ctx.juju_log.clear()
    ctx.unit_status_history.clear()
    ctx.app_status_history.clear()


# --- what each timed case must have done --------------------------------------------------------


def check_install_fresh(ctx, state_in, out):
    secret = out.get_secret(label=CA_SECRET_LABEL)
    assert secret.owner == "app", secret.owner
    assert secret.description == CA_SECRET_DESCRIPTION
    assert secret.rotate == ops.SecretRotate.NEVER
    in_a_year = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)
    assert secret.expire is not None and abs((secret.expire - in_a_year).total_seconds()) < 600, secret.expire
    content = secret.latest_content
    assert sorted(content) == ["ca-certificate", "private-key"], sorted(content)
    assert content["private-key"].startswith("-----BEGIN PRIVATE KEY-----")
    ca = x509.load_pem_x509_certificate(content["ca-certificate"].encode())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert [a.value for a in ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == [DEFAULT_CN]
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey) and ca.public_key().curve.name == "secp256r1"
    assert (ca.not_valid_after_utc - ca.not_valid_before_utc).days == 365
    logs = messages(ctx)
    assert f"Created new secret with ID: {secret.id}" in logs, logs
    assert any("revision 1, expires" in m for m in logs), logs
    assert out.unit_status == testing.ActiveStatus(), out.unit_status
    assert not state_in.secrets, "the input state is never changed"


def check_install_ca_present(ctx, state_in, out):
    assert out.secrets == state_in.secrets, "the existing secret is kept, unchanged"
    assert not any("Created new secret" in m for m in messages(ctx))
    assert out.unit_status == testing.ActiveStatus(), out.unit_status


def check_update_status(ctx, state_in, out):
    assert out.unit_status == state_in.unit_status == testing.UnknownStatus(), out.unit_status
    assert not out.secrets
    assert not any("secret" in m.lower() for m in messages(ctx)), messages(ctx)


# --- the paths that are not timed ---------------------------------------------------------------


def make_csr(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def check_other_paths(ca) -> None:
    """relation-changed (good and bad CSRs, an intermediate CA), the action, a non-leader."""
    ca_cert = x509.load_pem_x509_certificate(ca.certificate_pem.encode())
    secret = ca_secret(ca)

    ctx = new_context()
    out = ctx.run(ctx.on.install(), testing.State(leader=False))
    assert out.unit_status == testing.WaitingStatus("waiting for the leader to create the CA"), out.unit_status
    assert not out.secrets
    out = ctx.run(ctx.on.install(), testing.State(leader=False, secrets={secret}))
    assert out.unit_status == testing.ActiveStatus(), out.unit_status

    good, intermediate = make_csr("db.example.internal"), make_csr("sub-ca.example.internal")
    relation = testing.Relation(
        "certificates",
        remote_app_name="requirer",
        remote_units_data={0: {"certificate_signing_requests": json.dumps([{"certificate_signing_request": good}])}},
        remote_app_data={
            "certificate_signing_requests": json.dumps([{"certificate_signing_request": intermediate, "ca": True}])
        },
    )
    state = testing.State(leader=True, secrets={secret}, relations={relation})
    out = ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)
    assert out.unit_status == testing.ActiveStatus(), out.unit_status
    answers = json.loads(out.get_relation(relation.id).local_app_data["certificates"])
    assert [a["certificate_signing_request"] for a in answers] == [good, intermediate]
    for answer, is_ca in zip(answers, [False, True]):
        assert set(answer) == {"certificate_signing_request", "certificate", "ca", "chain"}
        assert answer["ca"] == ca.certificate_pem and answer["chain"] == [answer["certificate"], ca.certificate_pem]
        cert = x509.load_pem_x509_certificate(answer["certificate"].encode())
        cert.verify_directly_issued_by(ca_cert)
        assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 90
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value if is_ca else None
        assert (bc is not None and bc.ca and bc.path_length == 0) if is_ca else True
    # Run again on the output: the answers are kept, not re-signed.
    # (Scenario wants the event's relation to be the very object in the state, not an equal id.)
    again = ctx.run(ctx.on.relation_changed(out.get_relation(relation.id), remote_unit=0), out)
    assert again.get_relation(relation.id).local_app_data["certificates"] == json.dumps(answers, separators=(",", ":"))

    reset(ctx)
    bad = testing.Relation(
        "certificates",
        remote_app_name="requirer",
        remote_units_data={
            0: {"certificate_signing_requests": json.dumps([{"certificate_signing_request": "not a csr"}])},
            1: {"certificate_signing_requests": "{not json"},
        },
    )
    out = ctx.run(
        ctx.on.relation_changed(bad, remote_unit=0),
        testing.State(leader=True, secrets={secret}, relations={bad}),
    )
    assert out.unit_status == testing.BlockedStatus(
        f"rejected 2 certificate request(s) on certificates:{bad.id}; see juju debug-log"
    ), out.unit_status
    assert out.get_relation(bad.id).local_app_data["certificates"] == "[]"
    errors = [line.message for line in ctx.juju_log if line.level == "ERROR"]
    assert len(errors) == 2 and all(e.startswith("rejected a certificate request from requirer/") for e in errors), errors

    ctx.run(ctx.on.action("get-ca-certificate"), testing.State(secrets={secret}))
    assert ctx.action_results == {"ca-certificate": ca.certificate_pem}, ctx.action_results
    try:
        ctx.run(ctx.on.action("get-ca-certificate"), testing.State())
    except testing.ActionFailed as e:
        assert e.message == "there is no CA certificate yet: the leader creates it on install", e.message
    else:
        raise AssertionError("the action must fail without a CA")


# --- timing -------------------------------------------------------------------------------------


def prepare_case(event_of, state, check, warmup: int) -> testing.Context:
    """A Context for one case: one checked run, then `warmup` untimed runs."""
    ctx = new_context()
    out = ctx.run(event_of(ctx), state)
    check(ctx, state, out)
    reset(ctx)
    for _ in range(warmup):
        ctx.run(event_of(ctx), state)
        reset(ctx)
    return ctx


def time_runs(ctx: testing.Context, event_of, state, runs: int) -> list[int]:
    """`runs` timed runs: nanoseconds around exactly `ctx.run(event, state)` each."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        ctx.run(event_of(ctx), state)
        samples.append(time.perf_counter_ns() - start)
        reset(ctx)
    return samples


def time_case(event_of, state, check, runs: int, warmup: int) -> dict:
    ctx = prepare_case(event_of, state, check, warmup)
    samples = time_runs(ctx, event_of, state, runs)
    deciles = statistics.quantiles(samples, n=10, method="inclusive")
    return {
        "median_ns": int(statistics.median(samples)),
        "p10_ns": int(deciles[0]),
        "p90_ns": int(deciles[-1]),
        "runs": runs,
    }


def serve(cases: dict, warmup: int, versions: dict) -> None:
    """Rounds on request, for goops-bench to interleave with goops-rs's runs.

    Prints one JSON line `{"ready": true, ...versions}` once every case is checked and warmed
    up; then for each line `<case> <n>` read from stdin, times n runs of that case and prints
    `{"case": <case>, "ns": [...]}`. Ends at end of input (or an empty line).
    """
    prepared = {name: (prepare_case(event_of, state, check, warmup), event_of, state)
                for name, (event_of, state, check) in cases.items()}
    print(json.dumps({"ready": True, **versions}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        name, runs = line.split()
        ctx, event_of, state = prepared[name]
        print(json.dumps({"case": name, "ns": time_runs(ctx, event_of, state, int(runs))}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per case (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs per case first (default 20)")
    parser.add_argument(
        "--serve", action="store_true", help="time rounds asked for on stdin, one JSON line each (for goops-bench)"
    )
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2")

    ca = generate_ca(DEFAULT_CN)
    check_other_paths(ca)

    cases = {
        "install-fresh": (lambda ctx: ctx.on.install(), testing.State(leader=True), check_install_fresh),
        "install-ca-present": (
            lambda ctx: ctx.on.install(),
            testing.State(leader=True, secrets={ca_secret(ca)}),
            check_install_ca_present,
        ),
        "update-status": (lambda ctx: ctx.on.update_status(), testing.State(leader=True), check_update_status),
    }
    versions = {
        "python": platform.python_version(),
        "ops": ops.__version__,
        "ops_scenario": importlib.metadata.version("ops-scenario"),
        "cryptography": importlib.metadata.version("cryptography"),
    }
    if args.serve:
        serve(cases, args.warmup, versions)
        return
    results = {name: time_case(*case, runs=args.runs, warmup=args.warmup) for name, case in cases.items()}
    print(json.dumps({**versions, "loadavg": [round(x, 2) for x in os.getloadavg()], "cases": results}))


if __name__ == "__main__":
    main()
