#!/usr/bin/env bash
# Data-parallel training on this machine, interleaved in one run (the machine is shared and
# noisy: compare only ratios measured together), ROUNDS rounds, medians, samples/s:
#   latent 1x2       one process, 2 threads, the fused single-process step (shards: 1)
#   latent 2x1       mpirun -np 2, 1 thread each, shards 2, over shared memory/loopback
#   latent 2x1 tcp   the same with one process in each of two network namespaces (TCP over
#                    a veth pair: bench/two-hosts.sh; root only)
#   torch 1x2, ddp 2x1   PyTorch eager (torch_ref.py) and DistributedDataParallel with gloo
#                    (torch_ddp_ref.py), the peers in ../shared/peers
# and, per model, the bytes a step's gradient exchange moves and the time it took
# (`latent bench`'s "gradient exchange" line, process 0).
#   ROUNDS=3 MODELS="vae gan" bench/mpi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
MODELS=${MODELS:-vae gan}
STEPS=${STEPS:-300}
PEER_PYTHON=${PEER_PYTHON:-/work/peervenv/bin/python}
PEERS=${PEERS:-../shared/peers}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

swift build -c release --product latent >/dev/null
LATENT=$PWD/.build/release/latent
have_peers=false
if [ -x "$PEER_PYTHON" ] && "$PEER_PYTHON" -c "import torch" 2>/dev/null; then have_peers=true; fi
tcp=false
if [ "$(id -u)" = 0 ] && bench/two-hosts.sh up 2>/dev/null; then tcp=true; fi
trap '$tcp && bench/two-hosts.sh down' EXIT

field() { python3 -c "import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1] or '{}'); print(d.get('$1', 'nan'))"; }
peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PEER_PYTHON" "$@" 2>/dev/null | tail -1; }

results=$(mktemp)
echo "# $(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $ROUNDS rounds, $STEPS steps, batch 100"
for round in $(seq "$ROUNDS"); do
    for model in $MODELS; do
        spec=Specs/$model.yaml
        echo "$model latent-1x2 $($LATENT bench "$spec" --steps "$STEPS" --threads 2 --format json | field samples_per_s)" >>"$results"
        out=$(mpirun --oversubscribe -np 2 "$LATENT" bench "$spec" --steps "$STEPS" --shards 2 --format json)
        echo "$model latent-2x1 $(field samples_per_s <<<"$out")" >>"$results"
        echo "$model exchange-mb $(field exchange_mb_per_step <<<"$out")" >>"$results"
        echo "$model exchange-ms $(python3 -c "import json,sys; d=json.loads(sys.argv[1].strip().splitlines()[-1]); print(d['ms_per_step']['exchange'])" "$out")" >>"$results"
        if $tcp; then
            out=$(bench/two-hosts.sh run -np 2 "$LATENT" bench "$spec" --steps "$STEPS" --shards 2 --threads 1 --format json)
            echo "$model latent-2x1-tcp $(field samples_per_s <<<"$out")" >>"$results"
            echo "$model exchange-ms-tcp $(python3 -c "import json,sys; d=json.loads(sys.argv[1].strip().splitlines()[-1]); print(d['ms_per_step']['exchange'])" "$out")" >>"$results"
        fi
        if $have_peers; then
            echo "$model torch-1x2 $(peer "$PEERS/torch_ref.py" --model "$model" --steps "$STEPS" --threads 2 | field samples_per_s)" >>"$results"
            echo "$model ddp-2x1 $(peer "$PEERS/torch_ddp_ref.py" --model "$model" --procs 2 --threads 1 --steps "$STEPS" | field samples_per_s)" >>"$results"
        fi
        echo "  round $round $model done" >&2
    done
done
python3 - "$results" <<'PY'
import statistics, sys, collections
values = collections.defaultdict(list)
for line in open(sys.argv[1]):
    model, what, value = line.split()
    try: values[(model, what)].append(float(value))
    except ValueError: pass
def m(model, what):
    v = values.get((model, what))
    return statistics.median(v) if v else float("nan")
models = list(dict.fromkeys(k[0] for k in values))
print("samples/s, medians; ratio = 2 processes x 1 thread over 1 process x 2 threads")
print(f"{'model':6} {'latent 1x2':>11} {'latent 2x1':>11} {'ratio':>6} {'2x1 tcp':>9} {'ratio':>6} {'torch 1x2':>10} {'ddp 2x1':>8} {'ratio':>6}  exchange")
for model in models:
    l1, l2, lt = m(model, "latent-1x2"), m(model, "latent-2x1"), m(model, "latent-2x1-tcp")
    t1, t2 = m(model, "torch-1x2"), m(model, "ddp-2x1")
    print(f"{model:6} {l1:11.0f} {l2:11.0f} {l2 / l1:6.2f} {lt:9.0f} {lt / l1:6.2f} {t1:10.0f} {t2:8.0f} {t2 / t1:6.2f}"
          f"  {m(model, 'exchange-mb'):.2f} MB/step, {m(model, 'exchange-ms'):.2f} ms loopback, {m(model, 'exchange-ms-tcp'):.2f} ms tcp")
PY
rm -f "$results"
