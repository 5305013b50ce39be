#!/usr/bin/env bash
# Latent against its peers (../shared/peers/): PyTorch eager, torch.compile and JAX jit, the
# same models (the four 784-512-512-latent MLPs, and the convolutional VAE and DCGAN, which
# jax_ref.py lacks; Fashion-MNIST), interleaved in one run, ROUNDS rounds, at each batch
# size of BATCHES (the convolutional models at the first only: their steps are long). Prints the median samples/s of each, Latent's ratio
# to the best peer, each model's matrix-product FLOPs per sample (from Latent's step
# program) and the fraction of the machine's FLOP limit Latent reaches, the limit being
# OpenBLAS's 2048^3 SGEMM (kernels auto-detected) measured in the same run; then Latent's
# GEMM against OpenBLAS on the MLPs' and convolutions' shapes, and the time and GFLOP/s of
# each convolutional model's slowest instructions.
#
#   bench/compare.sh                          # batches 100 and 1000, 3 rounds, 2 threads
#   BATCHES=100 ROUNDS=1 bench/compare.sh     # a quick look
#   PEER_PYTHON=/path/to/python bench/compare.sh
#
# The peers' Python comes from a virtual environment outside the repository (a few GB):
#   python3 -m venv /work/peervenv && /work/peervenv/bin/pip install torch numpy jax jaxlib optax
# Without it only Latent's figures are printed. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
# unset for the peers and the peak, so OpenBLAS picks its kernels for this CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
BATCHES=${BATCHES:-100 1000}
MODELS=${MODELS:-vae gan aae avb vae-conv dcgan}
CONV_SAMPLES=${CONV_SAMPLES:-4000}   # examples per timed window of a convolutional model
SAMPLES=${SAMPLES:-20000}   # examples per timed window
PEER_PYTHON=${PEER_PYTHON:-/work/peervenv/bin/python}
PEERS=${PEERS:-../shared/peers}

swift build -c release --product latent >/dev/null
LATENT=.build/release/latent
have_peers=false
if [ -x "$PEER_PYTHON" ] && "$PEER_PYTHON" -c "import torch, jax, optax, numpy" 2>/dev/null; then
    have_peers=true
fi
peer() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PEER_PYTHON" "$@" 2>/dev/null | tail -1; }
rate() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read() or "{}").get("samples_per_s", "nan"))'; }
peak() {
    if $have_peers; then
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" "$PEER_PYTHON" - <<'PY'
import time, numpy as np
a = np.random.rand(2048, 2048).astype(np.float32); b = np.random.rand(2048, 2048).astype(np.float32)
a @ b
best = 0.0
for _ in range(5):
    t = time.perf_counter(); a @ b; best = max(best, 2 * 2048**3 / (time.perf_counter() - t) / 1e9)
print(round(best, 1))
PY
    else
        $LATENT bench --gemm --threads "$THREADS" --format json \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["gflops"]["2048x2048x2048 nn"])'
    fi
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "# $(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $THREADS threads, $ROUNDS rounds"
echo "peak_start $(peak)" >>"$results"
for batch in $BATCHES; do
    for round in $(seq "$ROUNDS"); do
        for model in $MODELS; do
            convolutional=false
            case $model in vae-conv | dcgan) convolutional=true ;; esac
            if $convolutional; then
                [ "$batch" = "${BATCHES%% *}" ] || continue
                steps=$(( CONV_SAMPLES / batch > 10 ? CONV_SAMPLES / batch : 10 ))
            else
                steps=$(( SAMPLES / batch > 10 ? SAMPLES / batch : 10 ))
            fi
            ours=$($LATENT bench "Specs/$model.yaml" --batch "$batch" --steps "$steps" --warmup 10 \
                --threads "$THREADS" --format json)
            echo "$batch $model latent $(echo "$ours" | rate)" >>"$results"
            echo "$batch $model mflop $(echo "$ours" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mflop_per_sample"])')" >>"$results"
            if $have_peers; then
                common=(--model "$model" --batch "$batch" --steps "$steps" --threads "$THREADS")
                echo "$batch $model eager $(peer "$PEERS/torch_ref.py" "${common[@]}" | rate)" >>"$results"
                echo "$batch $model compile $(peer "$PEERS/torch_ref.py" "${common[@]}" --compile | rate)" >>"$results"
                $convolutional || echo "$batch $model jax $(peer "$PEERS/jax_ref.py" "${common[@]}" | rate)" >>"$results"
            fi
            echo "  batch $batch round $round $model done" >&2
        done
    done
done
echo "peak_end $(peak)" >>"$results"

python3 - "$results" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(list)
peaks = []
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[0].startswith("peak"):
        peaks.append(float(parts[1])); continue
    batch, model, who, value = parts
    try: runs[(int(batch), model, who)].append(float(value))
    except ValueError: pass
peak = max(peaks)
print(f"machine limit: OpenBLAS SGEMM 2048^3 = {peak:.0f} GFLOP/s (best of the start and the end of the run)")
med = lambda key: statistics.median(runs[key]) if runs.get(key) else float("nan")
for batch in sorted({k[0] for k in runs}):
    print(f"\nbatch {batch}: samples/s, medians")
    print(f"{'model':<8} {'latent':>9} {'eager':>9} {'compile':>9} {'jax':>9} {'vs best':>8} {'vs jax':>7} {'MFLOP/sample':>13} {'of limit':>9}")
    for model in dict.fromkeys(k[1] for k in runs if k[0] == batch):
        ours = med((batch, model, "latent"))
        peers = {who: med((batch, model, who)) for who in ("eager", "compile", "jax")}
        valid = [v for v in peers.values() if v == v]
        best = max(valid) if valid else float("nan")
        mflop = med((batch, model, "mflop"))
        limit = peak * 1e3 / mflop
        print(f"{model:<8} {ours:>9.0f} {peers['eager']:>9.0f} {peers['compile']:>9.0f} {peers['jax']:>9.0f} "
              f"{ours / best:>7.2f}x {ours / peers['jax']:>6.2f}x {mflop:>13.2f} {ours / limit:>8.0%}")
PY

echo
echo "# matrix products, GFLOP/s (m x k x n; nt: B transposed, tn: A transposed)"
ours=$($LATENT bench --gemm --threads "$THREADS" --format json)
theirs='{}'
if $have_peers; then
    theirs=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" "$PEER_PYTHON" bench/openblas_gemm.py)
fi
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])["gflops"]
theirs = json.loads(sys.argv[2])
print(f"{'shape':<20} {'latent':>8} {'openblas':>9} {'ratio':>6}")
for shape, rate in ours.items():
    other = theirs.get(shape)
    print(f"{shape:<20} {rate:>8.1f} {other if other else '-':>9} {f'{rate / other:.2f}' if other else '-':>6}")
PY

for model in $MODELS; do
    case $model in vae-conv | dcgan) ;; *) continue ;; esac
    echo
    echo "# $model, batch ${BATCHES%% *}: slowest instructions (ms per step, share, GFLOP/s)"
    $LATENT bench "Specs/$model.yaml" --batch "${BATCHES%% *}" --steps 20 --warmup 5 --threads "$THREADS" --top 12 \
        | sed -n '/slowest/,$p' | tail -n +2
done
