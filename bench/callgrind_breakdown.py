#!/usr/bin/env python3
"""Where the instructions of one goops-rs run of the certificates side-by-side go (callgrind).

Builds goops-bench with symbols (release profile, not stripped, line tables) into
<target>/callgrind, runs `goops-bench --repeat CASE N` under callgrind with collection only in
the loop of runs, and prints a Markdown table: instructions and system calls per run, split into
CA generation, secret staging, the simulator's hook tools, the runtime (and the charm's other
code), and the harness around the dispatch. Instruction counts do not move with the host's load;
system calls are counted, but the kernel's instructions are not (see bench/README.md for what
they cost in time). Under valgrind ring takes its code paths for CPUs without ADX/BMI2, so the
CA generation's count is a little above what the native build executes, and clock reads (vDSO
calls natively) count as system calls.

Usage, from the repository root:  python3 bench/callgrind_breakdown.py [CASE] [N]
CASE: install-fresh (default), install-ca-present, update-status; N runs (default 100).
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Function names (as callgrind_annotate prints them) whose inclusive cost makes a part.
LOOP = "goops_bench::certs::callgrind_loop"
HARNESS = "goops_sim::testing::Harness<C>::run"
KEYGEN = ["certificates::tls::generate_ca"]
STAGING = ["goops_runtime::secret_files::stage", "core::ptr::drop_in_place<goops_runtime::secret_files::ContentFiles>"]
SIM_TOOLS = ["<goops_sim::engine::Engine as goops_runtime::tools::HookTools>::call"]

PERCENT = re.compile(r"\(\s*[\d.]+%\)")


def number(text: str) -> int:
    return 0 if text == "." else int(text.replace(",", ""))


def inclusive_costs(profile: str) -> dict:
    """(file, function) -> (instructions, syscalls), inclusive, from callgrind_annotate."""
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", profile],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    costs = {}
    for line in out.splitlines():
        fields = PERCENT.sub("", line).split()
        if len(fields) < 5 or not re.fullmatch(r"[\d,]+", fields[0]):
            continue
        where = " ".join(fields[4:])
        where = re.sub(r" \[/[^\]]*\]$", "", where)  # the object file
        file, _, function = where.partition(":")
        costs[(file, function)] = (number(fields[0]), number(fields[1]))
    return costs


def cost(costs: dict, function: str, file_suffix: str = "") -> tuple:
    """A function's inclusive cost: the largest of its entries (the others are code inlined
    into it from other files, already inside the largest)."""
    found = [c for (f, fn), c in costs.items() if fn == function and f.endswith(file_suffix)]
    return max(found, default=(0, 0))


def main() -> None:
    case = sys.argv[1] if len(sys.argv) > 1 else "install-fresh"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    target = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "callgrind")
    subprocess.run(
        [
            "cargo", "build", "--release", "--quiet", "-p", "goops-bench", "--bin", "goops-bench",
            "--target-dir", target,
            "--config", "profile.release.strip=false",
            "--config", 'profile.release.debug="line-tables-only"',
        ],
        check=True,
        cwd=ROOT,
    )
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--dump-line=no", "--collect-systime=nsec",
                f"--toggle-collect=*{LOOP.split('::')[-1]}*", f"--callgrind-out-file={profile}",
                os.path.join(target, "release", "goops-bench"), "--repeat", case, str(runs),
            ],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        costs = inclusive_costs(profile)

    def per_run(c):
        return (c[0] / runs, c[1] / runs)

    def total(functions):
        parts = [cost(costs, f) for f in functions]
        return per_run((sum(p[0] for p in parts), sum(p[1] for p in parts)))

    loop = per_run(cost(costs, LOOP))
    # The runtime's dispatch, inlined into the harness's run.
    dispatch = per_run(cost(costs, HARNESS, "goops-runtime/src/dispatch.rs"))
    keygen, staging, tools = total(KEYGEN), total(STAGING), total(SIM_TOOLS)
    rows = [
        ("CA generation: `tls::generate_ca` (ring P-256 key, rcgen certificate, PEM)", keygen),
        ("secret staging: `secret_files::stage` + drop (0600 files on /dev/shm, zeroed, removed)", staging),
        ("simulator: the hook tools (`Engine`'s `HookTools::call`, incl. reading the staged files)", tools),
        (
            "runtime and the charm's other code (dispatch, hook-tool argv and output, secrets, statuses)",
            tuple(d - k - s - t for d, k, s, t in zip(dispatch, keygen, staging, tools)),
        ),
        (
            "harness around the dispatch (consistency checks, engine, session and hook context, report, drop)",
            tuple(a - b for a, b in zip(loop, dispatch)),
        ),
    ]
    print(f"callgrind, goops-rs `{case}`, per run (mean of {runs}): {loop[0]:,.0f} instructions, {round(loop[1])} system calls\n")
    print("| part | instructions | share | system calls |")
    print("| --- | --- | --- | --- |")
    for what, (instructions, syscalls) in rows:
        share = 100 * instructions / loop[0] if loop[0] else 0
        # Whole calls: callgrind counts system calls outside the toggled loop too (the setup's
        # few land on the same functions), so fractions would be noise.
        print(f"| {what} | {instructions:,.0f} | {share:.1f} % | {max(round(syscalls), 0)} |")


if __name__ == "__main__":
    main()
