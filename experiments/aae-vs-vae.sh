#!/usr/bin/env bash
# Experiment 2 (AAE paper, Figure 2/4): 2-D codes of Fashion-MNIST test images against the
# prior, for an AAE with a ring-of-10-Gaussians prior, an AAE with a swiss-roll prior, and a
# VAE with the ring prior (it cannot use the swiss roll: no density). The match of the
# aggregated posterior to the prior is measured by MMD^2 (Gaussian kernel, median bandwidth)
# between 2,000 test codes and 2,000 prior draws; smaller is better, 0 is a perfect match.
#   experiments/aae-vs-vae.sh [--quick]   (full: the specs' 20 epochs; quick: 1 epoch)
source "$(dirname "$0")/lib.sh"
epochs=(); $QUICK && epochs=(--epochs 1)
for spec in aae-mixture-prior aae-swiss-roll vae-mixture-prior; do
    timed "train-$spec" "$LATENT" train --overwrite "Specs/$spec.yaml" "${epochs[@]}" --every 100000 --out "$RUNS/$spec" >/dev/null
    "$LATENT" encode "$RUNS/$spec" -n 2000 --npy "$OUT/$spec-codes.npy" --png "$OUT/$spec-codes.png" >/dev/null
done
python3 - "$OUT" <<'PY'
import numpy as np, sys
out = sys.argv[1]
rng = np.random.default_rng(0)
def ring(n):  # mixture(10, radius=4, std=0.5)
    k = rng.integers(0, 10, n); a = 2 * np.pi * k / 10
    return np.stack([4 * np.cos(a), 4 * np.sin(a)], 1) + 0.5 * rng.standard_normal((n, 2))
def swiss(n):  # swiss_roll(): t in [1.5 pi, 4.5 pi], (t cos t, t sin t) / 10, noise 0.05
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    return np.stack([t * np.cos(t), t * np.sin(t)], 1) / 10 + 0.05 * rng.standard_normal((n, 2))
def mmd(x, y):
    z = np.concatenate([x, y]); d = ((z[:, None] - z[None]) ** 2).sum(-1)
    k = np.exp(-d / np.median(d[d > 0])); n = len(x)
    return k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean()
rows = ["| model | prior | MMD² (codes vs prior) |", "|---|---|---|"]
for spec, prior, draw in [("aae-mixture-prior", "10 Gaussians on a ring", ring),
                          ("vae-mixture-prior", "10 Gaussians on a ring", ring),
                          ("aae-swiss-roll", "swiss roll", swiss)]:
    codes = np.load(f"{out}/{spec}-codes.npy").astype(np.float64)
    rows.append(f"| {spec} | {prior} | {mmd(codes, draw(len(codes))):.4f} |")
open(f"{out}/aae-vs-vae.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
