#!/usr/bin/env bash
# Experiment 1 (AVB paper, Section 6.1 / Figure 4): AVB against a Gaussian-encoder VAE on
# the four-point data, same decoder. Reports ELBO, AIS log-likelihood, reconstruction error,
# KL(q(z|x) || p(z)), and draws each model's posterior codes of the four points.
# REUSE=1 keeps runs already trained (e.g. to re-evaluate).
#   experiments/avb-toy.sh            # the specs' settings, the paper's 100,000 steps (~25 min here)
#   experiments/avb-toy.sh --quick    # 3,000 steps at batch 128 and 5x the learning rates; asserts AVB wins
source "$(dirname "$0")/lib.sh"
if $QUICK; then
    options=(--steps 3000 --batch 128)
    # The quick run uses copies of the specs with 5x learning rates (see the CI test).
    for model in avb-toy vae-toy; do
        sed -e 's/adam(lr=0.00002)/adam(lr=0.0001)/' -e 's/^    T: adam(lr=0.0001)/    T: adam(lr=0.0005)/' \
            "Specs/$model.yaml" >"$OUT/$model.yaml"
    done
    spec() { echo "$OUT/$1.yaml"; }
else
    options=(--steps 100000)
    spec() { echo "Specs/$1.yaml"; }
fi
for model in avb-toy vae-toy; do
    trained "$RUNS/$model" ||
        timed "train-$model" "$LATENT" train --overwrite "$(spec $model)" "${options[@]}" --every 10000 --out "$RUNS/$model" >/dev/null
    "$LATENT" eval "$RUNS/$model" --metric elbo -n 2000 --format json | tee "$OUT/$model-elbo.json"
    "$LATENT" eval "$RUNS/$model" --metric kl -n 2000 --format json | tee "$OUT/$model-kl.json"
    "$LATENT" eval "$RUNS/$model" --metric ais --distributions 200 --chains 16 -n 400 --format json | tee "$OUT/$model-ais.json"
    "$LATENT" eval "$RUNS/$model" --metric recon -n 2000 --format json | tee "$OUT/$model-recon.json"
    "$LATENT" encode "$RUNS/$model" --draw -n 2000 --png "$OUT/$model-posteriors.png" >/dev/null
done
python3 - "$OUT" <<'PY'
import json, math, sys
out = sys.argv[1]
rows = []
for model, name in [("avb-toy", "AVB"), ("vae-toy", "Gaussian VAE")]:
    r = {m: json.load(open(f"{out}/{model}-{m}.json")) for m in ["elbo", "ais", "recon", "kl"]}
    cell = lambda m: f"{r[m]['value']:.3f} ± {r[m]['standard_error']:.3f}"
    rows.append(f"| {name} | {cell('elbo')} | {cell('ais')} | {r['recon']['value']:.3f} | {cell('kl')} |")
table = ["| model | ELBO | log p(x), AIS | squared reconstruction error | KL(q(z|x) ‖ p(z)) |", "|---|---|---|---|---|"] + rows
table.append(f"| optimum | {math.log(0.25):.3f} | {math.log(0.25):.3f} | 0 | {math.log(4):.3f} |")
open(f"{out}/avb-toy.md", "w").write("\n".join(table) + "\n")
print("\n".join(table))
PY
if $QUICK; then
    check "$(json "$OUT/avb-toy-ais.json" value) > $(json "$OUT/vae-toy-ais.json" value)" "AVB beats the Gaussian VAE in log-likelihood (AIS)"
fi
