#!/usr/bin/env bash
# Latent against the PyTorch reference (../shared/peers/torch_ref.py), side by side in one
# run: samples/s of the VAE, GAN, AAE and AVB specs (784-512-512-latent MLPs, batch 100,
# Fashion-MNIST), then the matrix-product kernel against OpenBLAS on the same shapes.
#
#   bench/compare.sh                   # both, 2 threads
#   THREADS=1 STEPS=100 bench/compare.sh
#   TORCH_PYTHON=/path/to/python bench/compare.sh
#
# PyTorch and numpy come from a virtual environment outside the repository:
#   python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
# Without it, only Latent's figures are printed. OPENBLAS_CORETYPE is unset for the OpenBLAS
# figures, so OpenBLAS picks its kernels for this CPU (a forced "Haswell" halves its speed on
# AVX-512 machines).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
STEPS=${STEPS:-200}
TORCH_PYTHON=${TORCH_PYTHON:-/tmp/torchvenv/bin/python}
REFERENCE=${REFERENCE:-../shared/peers/torch_ref.py}

swift build -c release --product latent >/dev/null
LATENT=.build/release/latent
have_torch=false
if [ -x "$TORCH_PYTHON" ] && [ -f "$REFERENCE" ] && "$TORCH_PYTHON" -c "import torch, numpy" 2>/dev/null; then
    have_torch=true
fi

echo "# $(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $THREADS threads, batch 100"
printf "%-6s %14s %14s %8s %12s %10s\n" model latent torch ratio "gemm GF/s" "peak MB"
for model in vae gan aae avb; do
    ours=$($LATENT bench "Specs/$model.yaml" --steps "$STEPS" --threads "$THREADS" --format json)
    rate=$(echo "$ours" | python3 -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
    gflops=$(echo "$ours" | python3 -c 'import json,sys; print(json.load(sys.stdin)["gemm_gflops"])')
    peak=$(echo "$ours" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_mb"])')
    theirs="-"
    ratio="-"
    if $have_torch; then
        theirs=$("$TORCH_PYTHON" "$REFERENCE" --model "$model" --steps "$STEPS" --threads "$THREADS" \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
        ratio=$(python3 -c "print(f'{$rate / $theirs:.2f}x')")
    fi
    printf "%-6s %14s %14s %8s %12s %10s\n" "$model" "$rate" "$theirs" "$ratio" "$gflops" "$peak"
done

echo
echo "# matrix products, GFLOP/s (m x k x n; nt: B transposed, tn: A transposed)"
ours=$($LATENT bench --gemm --threads "$THREADS" --format json)
if $have_torch; then
    theirs=$(env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
        "$TORCH_PYTHON" bench/openblas_gemm.py)
else
    theirs='{}'
fi
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])["gflops"]
theirs = json.loads(sys.argv[2])
print(f"{'shape':<20} {'latent':>8} {'openblas':>9} {'ratio':>6}")
for shape, rate in ours.items():
    other = theirs.get(shape)
    ratio = f"{rate / other:.2f}" if other else "-"
    print(f"{shape:<20} {rate:>8.1f} {other if other else '-':>9} {ratio:>6}")
PY
