#!/bin/sh
# Quick start: build the certificates example charm and goops-sim, then run three events on it
# under goops-sim, as Juju would, printing goops-sim's report for each:
#   1. install                          the leader creates a self-signed CA in a Juju secret
#   2. certificates-relation-changed    a requirer's CSR (testdata/csr.pem) is signed by the CA
#   3. get-ca-certificate               the action returns the CA certificate
# Each run reads the state the previous one wrote. Usage: ./scripts/quickstart.sh [--keep]
set -eu
cd "$(dirname "$0")/.."

cargo build --quiet -p certificates -p goops-sim
target="${CARGO_TARGET_DIR:-target}/debug"
sim="$target/goops-sim"

work="$(mktemp -d)"
if [ "${1:-}" = "--keep" ]; then
    echo "states are kept in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# The charm directory as charmcraft packs it: the metadata, and the binary as `dispatch`.
charm="$work/certificates"
mkdir "$charm"
cp examples/certificates/charmcraft.yaml "$charm/"
ln -s "$(cd "$target" && pwd)/certificates" "$charm/dispatch"

# The start state: the leader unit, related to a requirer whose unit already sent a CSR.
cp examples/certificates/testdata/quickstart-state.json "$work/0.json"

step() {
    n="$1"
    shift
    printf '\n==> goops-sim run certificates %s\n' "$*"
    "$sim" run "$charm" "$@" --state "$work/$((n - 1)).json" --out "$work/$n.json"
}

step 1 install
step 2 certificates-relation-changed
step 3 get-ca-certificate
printf '\nThe final state is JSON (goops-sim/README.md documents it); rerun with --keep to look at it.\n'
