#!/usr/bin/env bash
# AIS against exact values and against IWAE (issue: "AIS that earns its cost"). On the
# linear-Gaussian VAE of Specs/vae-linear.yaml, whose log-likelihood is exact, every
# setting's estimate on the same 1,000 points is paired with the exact value; on the
# Fashion-MNIST VAE (the likelihood experiment's run) AIS is paired with IWAE-1000 on the
# same test images. SETTINGS lists "distributions chains leapfrog" triples.
#   experiments/ais.sh            # the settings below, 1,000 points; the VAE on 100 images
#   experiments/ais.sh --quick    # the default setting only; asserts |AIS - exact| < 0.01 nats
source "$(dirname "$0")/lib.sh"
run="$RUNS/ais-linear"
trained "$run" || "$LATENT" train --overwrite Specs/vae-linear.yaml --out "$run" >/dev/null
points=1000
if $QUICK; then
    settings=(default)
else
    read -r -a settings <<<"${SETTINGS:-500/16/10 2000/4/10 1000/8/10 2000/16/10 4000/4/10}"
fi
python3 experiments/ais_exact.py points "$run" "$OUT/ais-points.npy" "$points" 7
# ais SETTING: the eval options of "distributions/chains/leapfrog" (none for "default").
ais() {
    [ "$1" = default ] && return
    IFS=/ read -r distributions chains leapfrog <<<"$1"
    echo --distributions "$distributions" --chains "$chains" --leapfrog "$leapfrog"
}
for setting in "${settings[@]}"; do
    read -r -a options <<<"$(ais "$setting")"
    name=${setting//\//-}
    "$LATENT" eval "$run" --metric ais "${options[@]}" --data "$OUT/ais-points.npy" \
        --npy "$OUT/ais-linear-$name.npy" --format json >"$OUT/ais-linear-$name.json"
done
python3 experiments/ais_exact.py report "$OUT" | tee "$OUT/ais-linear.md"
if $QUICK; then
    check "abs(__import__('json').load(open('$OUT/ais-linear-default.json'))['value'] - __import__('numpy').load('$OUT/ais-points.exact.npy').mean()) < 0.01" \
        "AIS at its defaults is within 0.01 nats of the exact log-likelihood (1,000 points)"
    exit 0
fi
# The Fashion-MNIST VAE: IWAE-1000 and AIS on the same 100 test images.
vae="$RUNS/like-vae"
if [ -f "$vae/checkpoint.safetensors" ]; then
    "$LATENT" eval "$vae" --metric iwae:1000 -n 100 --npy "$OUT/ais-vae-iwae.npy" --format json >"$OUT/ais-vae-iwae.json"
    for setting in "${settings[@]}"; do
        read -r -a options <<<"$(ais "$setting")"
        name=${setting//\//-}
        "$LATENT" eval "$vae" --metric ais "${options[@]}" -n 100 --npy "$OUT/ais-vae-$name.npy" --format json \
            >"$OUT/ais-vae-$name.json"
    done
    python3 - "$OUT" <<'PY' | tee "$OUT/ais-vae.md"
import glob, json, os, sys
import numpy as np
out = sys.argv[1]
iwae = np.load(f"{out}/ais-vae-iwae.npy")
seconds = json.load(open(f"{out}/ais-vae-iwae.json"))["seconds"]
rows = ["| estimator | log p(x) | minus IWAE-1000 (paired) | seconds |", "|---|---|---|---|",
        f"| IWAE-1000 | {iwae.mean():.3f} | 0 | {seconds:.1f} |"]
for path in sorted(glob.glob(f"{out}/ais-vae-*.npy")):
    name = os.path.basename(path)[len("ais-vae-"):-len(".npy")]
    if name == "iwae":
        continue
    values = np.load(path)
    gap = values - iwae
    seconds = json.load(open(path.replace(".npy", ".json")))["seconds"]
    rows.append(f"| AIS {name} | {values.mean():.3f} | {gap.mean():+.3f} ± {gap.std(ddof=1) / np.sqrt(len(gap)):.3f} | {seconds:.1f} |")
print("\n".join(rows))
PY
fi
