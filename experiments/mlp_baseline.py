"""The supervised-only baseline of experiment 3: a 784-512-512-10 ReLU MLP (the semi-supervised
AAE's classifier network) trained with Adam on the first N labelled Fashion-MNIST training
images alone, then its test error. numpy only; prints one JSON line.
  mlp_baseline.py LABELS SEED STEPS [--binarize]
--binarize feeds it what the AAE sees: a fresh stochastic binarisation of every batch, and one
of the test set."""
import gzip, json, os, sys
import numpy as np

def load(name):
    raw = gzip.open(os.path.join("/usr/share/datasets/fashion-mnist", name)).read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)

labels_kept, seed, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
binarize = "--binarize" in sys.argv[4:]
rng = np.random.default_rng(seed)
x = load("train-images-idx3-ubyte.gz").reshape(-1, 784)[:labels_kept].astype(np.float32) / 255
y = load("train-labels-idx1-ubyte.gz")[:labels_kept]
tx = load("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
ty = load("t10k-labels-idx1-ubyte.gz")
sizes = [784, 512, 512, 10]
params = []
for a, b in zip(sizes[:-1], sizes[1:]):
    params += [rng.uniform(-1, 1, (a, b)).astype(np.float32) * np.sqrt(6 / (a + b)), np.zeros(b, np.float32)]
moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]

def inputs(images):
    return (rng.random(images.shape) < images).astype(np.float32) if binarize else images

def forward(rows):
    activations = [rows]
    for i in range(0, len(params), 2):
        h = activations[-1] @ params[i] + params[i + 1]
        activations.append(np.maximum(h, 0) if i < len(params) - 2 else h)
    return activations

for step in range(1, steps + 1):
    batch = rng.integers(0, len(x), min(100, len(x)))
    acts = forward(inputs(x[batch]))
    logits = acts[-1] - acts[-1].max(1, keepdims=True)
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    grad = probabilities
    grad[np.arange(len(batch)), y[batch]] -= 1
    grad /= len(batch)
    for i in range(len(params) - 2, -1, -2):
        gw, gb = acts[i // 2].T @ grad, grad.sum(0)
        if i > 0:
            grad = (grad @ params[i].T) * (acts[i // 2] > 0)
        for j, g in ((i, gw), (i + 1, gb)):
            m, v = moments[j]
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            params[j] -= 1e-3 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
errors = np.mean(forward(inputs(tx))[-1].argmax(1) != ty)
print(json.dumps({"labels": labels_kept, "seed": seed, "steps": steps, "binarized": binarize,
                  "test_error": float(errors)}))
