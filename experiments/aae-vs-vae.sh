#!/usr/bin/env bash
# Experiment 2 (AAE paper, Figure 2/4): 2-D codes of Fashion-MNIST test images against the
# prior, for an AAE with a ring-of-10-Gaussians prior, an AAE with a swiss-roll prior, and a
# VAE with the ring prior (it cannot use the swiss roll: no density). The match of the
# aggregated posterior to the prior is measured by MMD^2 (Gaussian kernel, median bandwidth)
# between 2,000 test codes and 2,000 prior draws; smaller is better, 0 is a perfect match.
# The swiss roll runs three seeds of its spec (shared optimizer state, adversarial weight 30),
# two ablations (experiments/specs/: a state per phase; shared at weight 1), and three seeds
# guided by the labels (Specs/aae-swiss-roll-labels.yaml, the paper's Figure 4: D(z, label),
# each class drawn from its tenth of the roll).
#   experiments/aae-vs-vae.sh [--quick]   (full: the specs' 20 epochs; quick: 1 epoch)
#   REUSE=1 experiments/aae-vs-vae.sh     (keeps runs that have a checkpoint; encodes them again)
source "$(dirname "$0")/lib.sh"
epochs=(); $QUICK && epochs=(--epochs 1)
codes() {  # spec-file run-name [train options]
    trained "$RUNS/$2" ||
        timed "train-$2" "$LATENT" train --overwrite "$1" "${epochs[@]}" "${@:3}" --every 100000 --out "$RUNS/$2" >/dev/null
    "$LATENT" encode "$RUNS/$2" -n 2000 --npy "$OUT/$2-codes.npy" --png "$OUT/$2-codes.png" >/dev/null
}
for spec in aae-mixture-prior vae-mixture-prior; do codes "Specs/$spec.yaml" "$spec"; done
codes Specs/aae-swiss-roll.yaml aae-swiss-roll
for seed in 2 3; do codes Specs/aae-swiss-roll.yaml "aae-swiss-roll-seed$seed" --seed "$seed"; done
codes experiments/specs/aae-swiss-roll-per-phase.yaml aae-swiss-roll-per-phase
codes experiments/specs/aae-swiss-roll-unweighted.yaml aae-swiss-roll-unweighted
codes Specs/aae-swiss-roll-labels.yaml aae-swiss-roll-labels
for seed in 2 3; do codes Specs/aae-swiss-roll-labels.yaml "aae-swiss-roll-labels-seed$seed" --seed "$seed"; done
python3 - "$OUT" <<'PY'
import numpy as np, sys
out = sys.argv[1]
rng = np.random.default_rng(0)
def ring(n):  # mixture(10, radius=4, std=0.5)
    k = rng.integers(0, 10, n); a = 2 * np.pi * k / 10
    return np.stack([4 * np.cos(a), 4 * np.sin(a)], 1) + 0.5 * rng.standard_normal((n, 2))
def swiss(n):  # swiss_roll() as the specs write it: t in [1.5 pi, 4.5 pi], (t cos t, t sin t) / 10, no noise
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    return np.stack([t * np.cos(t), t * np.sin(t)], 1) / 10
def mmd(x, y):
    z = np.concatenate([x, y]); d = ((z[:, None] - z[None]) ** 2).sum(-1)
    k = np.exp(-d / np.median(d[d > 0])); n = len(x)
    return k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean()
rows = ["| model | prior | seed | MMD² (codes vs prior) |", "|---|---|---|---|"]
for run, prior, seed, draw in [("aae-mixture-prior", "10 Gaussians on a ring", 1, ring),
                               ("vae-mixture-prior", "10 Gaussians on a ring", 1, ring),
                               ("aae-swiss-roll", "swiss roll", 1, swiss),
                               ("aae-swiss-roll-seed2", "swiss roll", 2, swiss),
                               ("aae-swiss-roll-seed3", "swiss roll", 3, swiss),
                               ("aae-swiss-roll-per-phase", "swiss roll, a state per phase", 1, swiss),
                               ("aae-swiss-roll-unweighted", "swiss roll, adversarial weight 1", 1, swiss),
                               ("aae-swiss-roll-labels", "swiss roll, guided by labels", 1, swiss),
                               ("aae-swiss-roll-labels-seed2", "swiss roll, guided by labels", 2, swiss),
                               ("aae-swiss-roll-labels-seed3", "swiss roll, guided by labels", 3, swiss)]:
    codes = np.load(f"{out}/{run}-codes.npy").astype(np.float64)
    rows.append(f"| {run} | {prior} | {seed} | {mmd(codes, draw(len(codes))):.4f} |")
open(f"{out}/aae-vs-vae.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
