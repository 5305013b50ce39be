#!/usr/bin/env bash
# Experiment 7: convolutional networks against the MLPs of the same objective, equal epochs
# (5 by default), Fashion-MNIST in [0, 1]. The convolutional VAE (Specs/vae-conv.yaml, the
# networks of torch_ref.py --model vae-conv) and the MLP VAE: test ELBO on all 10,000 test
# images and IWAE-1000 on the first IMAGES; PyTorch's test ELBO for the same model and
# epochs when its Python is there (PEER_PYTHON, as bench/compare.sh). AVB with MLPs and with
# convolutions (Specs/avb-conv.yaml): ELBO through T. AIS (200 distributions, 8 chains) on
# the first AIS_IMAGES for all four likelihood models. The DCGAN and the MLP GAN: 64
# samples each, side by side.
#   experiments/convolutions.sh [--quick]   (quick: 200 steps; asserts the conv VAE learns)
# EPOCHS and IMAGES override the budget; REUSE=1 keeps runs already trained.
source "$(dirname "$0")/lib.sh"
PEER_PYTHON=${PEER_PYTHON:-/work/peervenv/bin/python}
if $QUICK; then
    "$LATENT" train --overwrite Specs/vae-conv.yaml --steps 200 --every 100000 --out "$RUNS/vae-conv" >/dev/null
    "$LATENT" eval "$RUNS/vae-conv" --metric elbo -n 500 --format json >"$OUT/quick-elbo.json"
    elbo=$(json "$OUT/quick-elbo.json" value)
    # An untrained decoder scores about -545 nats (784 log 2); 200 steps reach about -270.
    check "$elbo > -300" "the convolutional VAE learns: test ELBO after 200 steps $elbo > -300"
    "$LATENT" train --overwrite Specs/dcgan.yaml --steps 20 --every 100000 --out "$RUNS/dcgan" >/dev/null
    "$LATENT" sample "$RUNS/dcgan" -n 16 --npy "$OUT/dcgan.npy" >/dev/null
    check "__import__('os').path.getsize('$OUT/dcgan.npy') == 128 + 16 * 784 * 4" "the DCGAN samples 16 images through its running batch statistics"
    exit 0
fi
epochs=${EPOCHS:-5}
images=${IMAGES:-500}
ais_images=${AIS_IMAGES:-100}
for spec in vae vae-conv avb avb-conv gan dcgan; do
    trained "$RUNS/conv-$spec" && continue
    timed "train-conv-$spec" "$LATENT" train --overwrite "Specs/$spec.yaml" --epochs "$epochs" --every 100000 \
        --out "$RUNS/conv-$spec" >/dev/null
done
for spec in vae vae-conv; do
    "$LATENT" eval "$RUNS/conv-$spec" --metric elbo -n 10000 --format json >"$OUT/conv-$spec-elbo.json"
    timed "iwae-conv-$spec" "$LATENT" eval "$RUNS/conv-$spec" --metric iwae:1000 -n "$images" \
        --format json >"$OUT/conv-$spec-iwae.json"
done
for spec in avb avb-conv; do
    "$LATENT" eval "$RUNS/conv-$spec" --metric elbo -n 10000 --format json >"$OUT/conv-$spec-elbo.json"
done
for spec in vae vae-conv avb avb-conv; do
    timed "ais-conv-$spec" "$LATENT" eval "$RUNS/conv-$spec" --metric ais -n "$ais_images" --distributions 200 \
        --chains 8 --format json >"$OUT/conv-$spec-ais.json"
done
for spec in gan dcgan; do "$LATENT" sample "$RUNS/conv-$spec" -n 64 --png "$OUT/conv-$spec-samples.png" >/dev/null; done
if [ -x "$PEER_PYTHON" ] && "$PEER_PYTHON" -c "import torch" 2>/dev/null; then
    for model in vae vae-conv; do
        env -u OPENBLAS_CORETYPE "$PEER_PYTHON" ../shared/peers/torch_ref.py --model "$model" --epochs "$epochs" \
            --steps 10 --threads 2 | grep test_elbo | tail -1 >"$OUT/conv-$model-torch.json"
    done
fi
python3 - "$OUT" "$epochs" <<'PY'
import json, os, sys
out, epochs = sys.argv[1], sys.argv[2]
def cell(path, key="value", error="standard_error"):
    if not os.path.exists(path) or os.path.getsize(path) == 0: return "–"
    r = json.load(open(path))
    return f"{r[key]:.1f}" + (f" ± {r[error]:.1f}" if error in r else "")
rows = [f"| model | spec | test ELBO (10,000 images; AVB: through T) | IWAE-1000 | AIS | PyTorch test ELBO, same model and epochs |",
        "|---|---|---|---|---|---|"]
for spec, name in [("vae", "VAE, MLP 784-512-512"), ("vae-conv", "VAE, convolutional"),
                   ("avb", "AVB, MLP 784-512-512"), ("avb-conv", "AVB, convolutional")]:
    rows.append(f"| {name} | {spec}.yaml | {cell(f'{out}/conv-{spec}-elbo.json')} | "
                f"{cell(f'{out}/conv-{spec}-iwae.json')} | {cell(f'{out}/conv-{spec}-ais.json')} | "
                f"{cell(f'{out}/conv-{spec}-torch.json', 'test_elbo', '-')} |")
open(f"{out}/convolutions.md", "w").write(f"{epochs} epochs\n\n" + "\n".join(rows) + "\n")
print("\n".join(rows))
PY
