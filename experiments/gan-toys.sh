#!/usr/bin/env bash
# Experiment 6: GANs on the ring of 8 and the grid of 25 Gaussians, minimax against
# non-saturating generator loss, several seeds: modes covered (at least 20 of 2,500 samples
# within 3 std) and the fraction of high-quality samples.
#   experiments/gan-toys.sh           # 4 specs x 3 seeds x 10,000 steps
#   experiments/gan-toys.sh --quick   # the ring, non-saturating, one seed, 4,000 steps; asserts >= 6 of 8 modes
source "$(dirname "$0")/lib.sh"
if $QUICK; then specs=(gan-ring); seeds=(1); steps=(--steps 4000); else
    specs=(gan-ring gan-ring-minimax gan-grid gan-grid-minimax); seeds=(1 2 3); steps=(); fi
for spec in "${specs[@]}"; do
    for seed in "${seeds[@]}"; do
        run="$RUNS/$spec-seed$seed"
        timed "train-$spec-$seed" "$LATENT" train --overwrite "Specs/$spec.yaml" --seed "$seed" "${steps[@]}" --threads 1 \
            --every 100000 --out "$run" >/dev/null
        "$LATENT" eval "$run" --metric modes --format json >"$OUT/$spec-seed$seed-modes.json"
    done
    "$LATENT" sample "$RUNS/$spec-seed1" -n 2500 --png "$OUT/$spec-samples.png" >/dev/null
done
python3 - "$OUT" "${specs[*]}" "${seeds[*]}" <<'PY'
import json, statistics, sys
out, specs, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
lines = ["| spec | generator loss | modes covered (per seed) | high-quality fraction, mean ± sd |", "|---|---|---|---|"]
for spec in specs:
    runs = [json.load(open(f"{out}/{spec}-seed{seed}-modes.json")) for seed in seeds]
    covered = [f"{r['covered']}/{r['modes']}" for r in runs]
    quality = [r["value"] for r in runs]
    spread = statistics.stdev(quality) if len(quality) > 1 else 0
    loss = "minimax" if "minimax" in spec else "non-saturating"
    lines.append(f"| {spec} | {loss} | {', '.join(covered)} | {statistics.mean(quality):.3f} ± {spread:.3f} |")
open(f"{out}/gan-toys.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
if $QUICK; then
    check "$(json "$OUT/gan-ring-seed1-modes.json" covered) >= 6" "the GAN covers at least 6 of the 8 ring modes"
fi
