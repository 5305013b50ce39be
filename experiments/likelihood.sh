#!/usr/bin/env bash
# Experiment 5: test log-likelihood of the seed's models on Fashion-MNIST ([0, 1] pixels,
# Bernoulli likelihood), same 784-512-512 networks and training budget, each with the
# estimators its paper uses: VAE and IWAE-trained VAE with one and two stochastic layers
# (ELBO, IWAE-1000, AIS), AAE (Parzen,
# AIS), AVB (ELBO through T, AIS), GAN (Parzen). Every estimator runs on the same first 200
# test images, so the columns are paired; AIS with 200 distributions, 16 chains and 10
# leapfrog steps; Parzen with 10,000 samples.
#   experiments/likelihood.sh [--quick]   (full: EPOCHS=10 by default; quick: 1 epoch, 50 images)
# EPOCHS, IMAGES and DISTRIBUTIONS override the budget; REUSE=1 keeps runs already trained.
source "$(dirname "$0")/lib.sh"
if $QUICK; then epochs=1; n=50; ais=20; else epochs=${EPOCHS:-10}; n=${IMAGES:-200}; ais=${DISTRIBUTIONS:-200}; fi
evaluate() {  # run metric label
    "$LATENT" eval "$RUNS/like-$1" --metric "$2" -n "$3" "${@:4}" --format json >"$OUT/like-$1-${2%%:*}.json"
}
for spec in vae vae-iwae vae-two-layer vae-iwae-two-layer aae avb gan; do
    trained "$RUNS/like-$spec" && continue
    timed "train-like-$spec" "$LATENT" train --overwrite "Specs/$spec.yaml" --epochs "$epochs" --every 100000 \
        --out "$RUNS/like-$spec" >/dev/null
done
for spec in vae vae-iwae vae-two-layer vae-iwae-two-layer; do
    evaluate "$spec" elbo "$n"
    evaluate "$spec" iwae:1000 "$n"
done
evaluate avb elbo "$n"
for spec in vae vae-iwae vae-two-layer vae-iwae-two-layer aae avb; do evaluate "$spec" ais "$n" --distributions "$ais" --chains 16; done
for spec in aae gan; do evaluate "$spec" parzen "$n"; done
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def cell(spec, metric):
    path = f"{out}/like-{spec}-{metric}.json"
    if not os.path.exists(path): return "–"
    r = json.load(open(path))
    return f"{r['value']:.1f} ± {r['standard_error']:.1f}"
rows = ["| model | spec | ELBO | IWAE-1000 | AIS | Parzen |", "|---|---|---|---|---|---|"]
for spec, name in [("vae", "VAE"), ("vae-iwae", "VAE trained on IWAE-5"), ("vae-two-layer", "VAE, two stochastic layers"),
                   ("vae-iwae-two-layer", "IWAE-5, two stochastic layers"), ("aae", "AAE"), ("avb", "AVB"), ("gan", "GAN")]:
    rows.append(f"| {name} | {spec}.yaml | {cell(spec, 'elbo')} | {cell(spec, 'iwae')} | {cell(spec, 'ais')} | {cell(spec, 'parzen')} |")
open(f"{out}/likelihood.md", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
