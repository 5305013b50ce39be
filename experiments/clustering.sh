#!/usr/bin/env bash
# Experiment 4 (AAE paper, Section 6): unsupervised clustering AAE with 16 and 30 clusters on
# Fashion-MNIST; error when each cluster is named by the majority label of its training images,
# against k-means on the same pixels with the same number of clusters (scikit-learn, Debian's
# python3-sklearn), and the ablation without batch normalisation.
#   experiments/clustering.sh [--quick]   (full: the specs' 10 epochs, SEEDS="1 2" by default;
#                                          quick: 1 epoch, seed 1, no k-means)
source "$(dirname "$0")/lib.sh"
epochs=(); seeds=${SEEDS:-1 2}
$QUICK && { epochs=(--epochs 1); seeds=1; }
cluster() {  # spec-file run-name seed
    trained "$RUNS/$2" || timed "train-$2" "$LATENT" train --overwrite "$1" "${epochs[@]}" --seed "$3" \
        --every 100000 --out "$RUNS/$2" >/dev/null
    "$LATENT" eval "$RUNS/$2" --metric clusters --format json >"$OUT/$2-clusters.json"
    "$LATENT" encode "$RUNS/$2" --npy "$RUNS/$2-codes.npy" >/dev/null
}
for seed in $seeds; do
    cluster Specs/aae-clustering.yaml "aae-clustering-seed$seed" "$seed"
    $QUICK || cluster Specs/aae-clustering-30.yaml "aae-clustering-30-seed$seed" "$seed"
done
$QUICK || cluster experiments/specs/aae-clustering-plain.yaml aae-clustering-plain-seed1 1
if ! $QUICK; then
    for k in 16 30; do
        [ -f "$OUT/kmeans-$k.json" ] || timed "kmeans-$k" /usr/bin/python3 experiments/kmeans_baseline.py "$k" 1 >"$OUT/kmeans-$k.json"
    done
fi
python3 - "$OUT" "$RUNS" "$seeds" "$QUICK" <<'PY'
import json, os, sys
import numpy as np
out, runs, seeds, quick = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4] == "true"
def used(run, k):
    codes = np.load(f"{runs}/{run}-codes.npy")[:, :k]
    return int((np.bincount(codes.argmax(1), minlength=k) / len(codes) >= 0.01).sum())
rows = ["| clusters | model | seed | test error (majority label per cluster) | clusters holding ≥ 1% of the test images |",
        "|---|---|---|---|---|"]
results = {}
for k, spec, name in [(16, "aae-clustering", "AAE"), (30, "aae-clustering-30", "AAE"),
                      (16, "aae-clustering-plain", "AAE without batch norm")]:
    for seed in seeds:
        run = f"{spec}-seed{seed}"
        if not os.path.exists(f"{out}/{run}-clusters.json"): continue
        r = json.load(open(f"{out}/{run}-clusters.json"))
        results[run] = (r["value"], used(run, k))
        rows.append(f"| {k} | {name} ({spec}.yaml) | {seed} | {100 * r['value']:.2f}% ± {100 * r['standard_error']:.2f} | {results[run][1]} of {k} |")
    if os.path.exists(f"{out}/kmeans-{k}.json") and spec != "aae-clustering-plain":
        r = json.load(open(f"{out}/kmeans-{k}.json"))
        rows.append(f"| {k} | k-means on the pixels (scikit-learn) | 1 | {100 * r['value']:.2f}% ± {100 * r['standard_error']:.2f} | {r['used']} of {k} |")
open(f"{out}/clustering.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
json.dump(results, open(f"{out}/clustering-summary.json", "w"))
PY
if $QUICK; then
    # One epoch already spreads the 16 clusters (the form without batch norm uses 2).
    check "__import__('json').load(open('$OUT/clustering-summary.json'))['aae-clustering-seed1'][1] >= 10" \
        "the clustering AAE uses at least 10 of 16 clusters after one epoch"
else
    check "all(v[0] < __import__('json').load(open('$OUT/kmeans-16.json'))['value'] and v[1] >= 12 for k, v in __import__('json').load(open('$OUT/clustering-summary.json')).items() if k.startswith('aae-clustering-seed'))" \
        "every seed of the 16-cluster AAE uses at least 12 clusters and beats k-means"
fi
