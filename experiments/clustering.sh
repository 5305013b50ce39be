#!/usr/bin/env bash
# Experiment 4 (AAE paper, Section 6): unsupervised clustering AAE with 16 and 30 clusters on
# Fashion-MNIST; error when each cluster is named by the majority label of its training images.
#   experiments/clustering.sh [--quick]   (full: the specs' 10 epochs; quick: 1 epoch)
source "$(dirname "$0")/lib.sh"
epochs=(); $QUICK && epochs=(--epochs 1)
for spec in aae-clustering aae-clustering-30; do
    timed "train-$spec" "$LATENT" train --overwrite "Specs/$spec.yaml" "${epochs[@]}" --every 100000 --out "$RUNS/$spec" >/dev/null
    "$LATENT" eval "$RUNS/$spec" --metric clusters --format json >"$OUT/$spec-clusters.json"
    "$LATENT" encode "$RUNS/$spec" --npy "$RUNS/$spec-codes.npy" >/dev/null
done
python3 - "$OUT" "$RUNS" <<'PY'
import json, sys
import numpy as np
out, runs = sys.argv[1], sys.argv[2]
rows = ["| clusters | spec | test error (majority label per cluster) | clusters holding ≥ 1% of the test images |",
        "|---|---|---|---|"]
for spec, k in [("aae-clustering", 16), ("aae-clustering-30", 30)]:
    r = json.load(open(f"{out}/{spec}-clusters.json"))
    codes = np.load(f"{runs}/{spec}-codes.npy")[:, :k]
    shares = np.bincount(codes.argmax(1), minlength=k) / len(codes)
    rows.append(f"| {k} | {spec} | {100 * r['value']:.2f}% ± {100 * r['standard_error']:.2f} | {int((shares >= 0.01).sum())} of {k} |")
open(f"{out}/clustering.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
