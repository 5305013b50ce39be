#!/usr/bin/env bash
# Experiment 3 (AAE paper, Section 5): the semi-supervised AAE on Fashion-MNIST with 100 and
# 1,000 labels, test classification error over 3 seeds at two training budgets (2 and 10 epochs),
# against the same classifier network trained on the labelled images alone
# (experiments/mlp_baseline.py, numpy), fed the same stochastically binarised images and, as a
# second baseline, the grey-level images.
#   experiments/semi-supervised.sh           # 100 and 1,000 labels, seeds 1-3, 2 and 10 epochs
#   BUDGETS=2 experiments/semi-supervised.sh # the 2-epoch budget only
#   experiments/semi-supervised.sh --quick   # 100 labels, seed 1, 2 epochs; asserts it beats the baseline
source "$(dirname "$0")/lib.sh"
if $QUICK; then labels=(100); seeds=(1); budgets=(2); else labels=(100 1000); seeds=(1 2 3); budgets=(${BUDGETS:-2 10}); fi
for count in "${labels[@]}"; do
    spec=Specs/aae-semisupervised.yaml
    [ "$count" = 1000 ] && spec=Specs/aae-semisupervised-1000.yaml
    for seed in "${seeds[@]}"; do
        for epochs in "${budgets[@]}"; do
            run="$RUNS/semi-$count-seed$seed-epochs$epochs"
            timed "train-semi-$count-$seed-$epochs" "$LATENT" train --overwrite "$spec" --seed "$seed" --epochs "$epochs" \
                --every 100000 --out "$run" >/dev/null
            "$LATENT" eval "$run" --metric accuracy --format json >"$OUT/semi-$count-seed$seed-epochs$epochs.json"
        done
        python3 experiments/mlp_baseline.py "$count" "$seed" 1000 --binarize >"$OUT/mlp-binary-$count-seed$seed.json"
        python3 experiments/mlp_baseline.py "$count" "$seed" 1000 >"$OUT/mlp-grey-$count-seed$seed.json"
    done
done
if ! $QUICK && [[ " ${budgets[*]} " == *" 10 "* ]]; then  # the paper's Figure 6: rows are labels, columns share one style draw z
    "$LATENT" sample "$RUNS/semi-1000-seed1-epochs10" --every-label -n 10 --png "$OUT/semi-supervised-styles.png" >/dev/null
fi
python3 - "$OUT" "${labels[*]}" "${seeds[*]}" "${budgets[*]}" <<'PY'
import json, statistics, sys
out, labels, seeds, budgets = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
def summary(values):
    mean = f"{100 * statistics.mean(values):.1f}%"
    return f"{mean} ± {100 * statistics.stdev(values):.1f}" if len(values) > 1 else mean
def errors(pattern, key):
    return [json.load(open(f"{out}/{pattern.format(s)}"))[key] for s in seeds]
head = " | ".join(f"AAE, {b} epochs" for b in budgets)
lines = [f"| labels | {head} | MLP, binarised inputs | MLP, grey-level inputs |",
         "|---" * (len(budgets) + 3) + "|"]
for count in labels:
    aae = [summary(errors(f"semi-{count}-seed{{}}-epochs{b}.json", "value")) for b in budgets]
    binary = summary(errors(f"mlp-binary-{count}-seed{{}}.json", "test_error"))
    grey = summary(errors(f"mlp-grey-{count}-seed{{}}.json", "test_error"))
    lines.append(f"| {count} | {' | '.join(aae)} | {binary} | {grey} |")
lines.append("")
lines.append(f"Test error, mean ± s.d. over seeds {', '.join(seeds)}." if len(seeds) > 1 else f"Test error, seed {seeds[0]}.")
open(f"{out}/semi-supervised.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
if $QUICK; then
    check "$(json "$OUT/semi-100-seed1-epochs2.json" value) < $(python3 -c "import json; print(json.load(open('$OUT/mlp-binary-100-seed1.json'))['test_error'])")" \
        "the semi-supervised AAE errs less than the same network trained on the labelled images alone"
fi
