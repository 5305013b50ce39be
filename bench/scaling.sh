#!/usr/bin/env bash
# How cost grows: samples/s of Latent and JAX jit for the VAE and the GAN at batch 100, 500
# and 2,000 and hidden width 512, 1,024 and 2,048 (both hidden layers), one run each,
# interleaved, with each model's matrix-product FLOPs per sample. The README's scaling
# table comes from this. Needs the peers' virtual environment (see bench/compare.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
PEER_PYTHON=${PEER_PYTHON:-/work/peervenv/bin/python}
PEERS=${PEERS:-../shared/peers}
SAMPLES=${SAMPLES:-20000}
swift build -c release --product latent >/dev/null
LATENT=.build/release/latent
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read() or '{}').get('$1', 'nan'))"; }
printf "%-5s %6s %6s %10s %10s %7s %13s\n" model width batch latent jax ratio "MFLOP/sample"
for model in vae gan; do
    for width in 512 1024 2048; do
        sed "s/dense 512 relu/dense $width relu/g" "Specs/$model.yaml" >"$work/$model-$width.yaml"
        for batch in 100 500 2000; do
            steps=$(( SAMPLES / batch > 10 ? SAMPLES / batch : 10 ))
            ours=$($LATENT bench "$work/$model-$width.yaml" --batch "$batch" --steps "$steps" --warmup 5 \
                --threads "$THREADS" --format json)
            theirs=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PEER_PYTHON" bench/jax_width.py "$width" \
                "$PEERS/jax_ref.py" --model "$model" --batch "$batch" --steps "$steps" --threads "$THREADS" \
                2>/dev/null | tail -1)
            a=$(echo "$ours" | field samples_per_s)
            b=$(echo "$theirs" | field samples_per_s)
            printf "%-5s %6s %6s %10.0f %10.0f %6.2fx %13s\n" "$model" "$width" "$batch" "$a" "$b" \
                "$(python3 -c "print($a / $b)")" "$(echo "$ours" | field mflop_per_sample)"
        done
    done
done
