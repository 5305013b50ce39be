# Shared by the experiment scripts: the binary, the results folder, timing and checks.
# Each script takes --quick (a short run for CI that asserts the qualitative result).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
QUICK=false
for argument in "$@"; do [ "$argument" = "--quick" ] && QUICK=true; done
if $QUICK; then
    swift build --product latent >/dev/null
    LATENT=.build/debug/latent
    OUT=${OUT:-$(mktemp -d)}
else
    swift build -c release --product latent >/dev/null
    LATENT=.build/release/latent
    OUT=${OUT:-docs/results}
fi
# Quick runs train into the temporary folder, so they never replace a full run's checkpoints.
if $QUICK; then RUNS=${RUNS:-$OUT/runs}; else RUNS=${RUNS:-runs/experiments}; fi
mkdir -p "$OUT" "$RUNS"

# trained RUN: whether REUSE=1 asks to keep a run that already has its checkpoint.
trained() { [ "${REUSE:-0}" = 1 ] && [ -f "$1/checkpoint.safetensors" ]; }

# json FILE KEY: a number from the JSON `eval --format json` printed into FILE.
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# timed NAME COMMAND...: runs the command, appends "NAME seconds" to $OUT/times.txt.
timed() {
    local name=$1
    shift
    local start=$(date +%s.%N)
    "$@"
    echo "$name $(python3 -c "print(round($(date +%s.%N) - $start, 1))")" >>"$OUT/times.txt"
}

# check CONDITION MESSAGE: fails the experiment (exit 1) when the Python condition is false.
check() {
    if python3 -c "import sys; sys.exit(0 if ($1) else 1)"; then echo "ok: $2"; else echo "FAILED: $2" >&2; exit 1; fi
}
