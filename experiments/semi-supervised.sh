#!/usr/bin/env bash
# Experiment 3 (AAE paper, Section 5): the semi-supervised AAE on Fashion-MNIST with 100 and
# 1,000 labels, test classification error over 3 seeds, against the same classifier network
# trained on the labelled images alone (experiments/mlp_baseline.py, numpy).
#   experiments/semi-supervised.sh           # 100 and 1,000 labels, seeds 1-3, 10 epochs each
#   experiments/semi-supervised.sh --quick   # 100 labels, one seed, 2 epochs; asserts it beats the baseline
source "$(dirname "$0")/lib.sh"
if $QUICK; then labels=(100); seeds=(1); epochs=2; else labels=(100 1000); seeds=(1 2 3); epochs=10; fi
for count in "${labels[@]}"; do
    spec=Specs/aae-semisupervised.yaml
    [ "$count" = 1000 ] && spec=Specs/aae-semisupervised-1000.yaml
    for seed in "${seeds[@]}"; do
        run="$RUNS/semi-$count-seed$seed"
        timed "train-semi-$count-$seed" "$LATENT" train "$spec" --seed "$seed" --epochs "$epochs" --every 100000 \
            --out "$run" >/dev/null
        "$LATENT" eval "$run" --metric accuracy --json "$OUT/semi-$count-seed$seed.json" >/dev/null
        python3 experiments/mlp_baseline.py "$count" "$seed" 1000 >"$OUT/mlp-$count-seed$seed.json"
    done
done
python3 - "$OUT" "${labels[*]}" "${seeds[*]}" <<'PY'
import json, statistics, sys
out, labels, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
lines = ["| labels | semi-supervised AAE test error | MLP on the labelled images only | seeds |", "|---|---|---|---|"]
def summary(values):
    spread = statistics.stdev(values) if len(values) > 1 else 0
    return f"{100 * statistics.mean(values):.2f}% ± {100 * spread:.2f}"
for count in labels:
    aae = [json.load(open(f"{out}/semi-{count}-seed{s}.json"))["value"] for s in seeds]
    mlp = [json.load(open(f"{out}/mlp-{count}-seed{s}.json"))["test_error"] for s in seeds]
    lines.append(f"| {count} | {summary(aae)} | {summary(mlp)} | {len(seeds)} |")
open(f"{out}/semi-supervised.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
if $QUICK; then
    check "$(json "$OUT/semi-100-seed1.json" value) < $(python3 -c "import json; print(json.load(open('$OUT/mlp-100-seed1.json'))['test_error'])")" \
        "the semi-supervised AAE errs less than the labelled-only MLP"
fi
