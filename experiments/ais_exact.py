"""The exact log-likelihood of a trained linear-Gaussian VAE (Specs/vae-linear.yaml), for
checking annealed importance sampling against it.

    ais_exact.py points RUN POINTS.npy N SEED   # N points drawn from the trained model, and
                                               # their exact log p(x) in POINTS.exact.npy
    ais_exact.py report OUT                     # a table of every ais-*.npy in OUT against it

The model: z ~ N(0, I), x | z ~ N(z W + b, 0.5^2 I), so x ~ N(b, W^T W + 0.25 I)."""
import glob
import json
import os
import struct
import sys

import numpy as np


def checkpoint(path):
    """The tensors of a safetensors file, as float64 arrays."""
    with open(path, "rb") as file:
        size = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(size))
        body = file.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=np.float32).reshape(entry["shape"]).astype(np.float64)
    return tensors


def log_likelihood(points, weights, bias, std=0.5):
    covariance = weights.T @ weights + std**2 * np.eye(len(bias))
    _, log_det = np.linalg.slogdet(covariance)
    centred = points - bias
    quadratic = np.einsum("ij,ij->i", centred, np.linalg.solve(covariance, centred.T).T)
    return -0.5 * (len(bias) * np.log(2 * np.pi) + log_det + quadratic)


if sys.argv[1] == "points":
    run, out, count, seed = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    tensors = checkpoint(os.path.join(run, "checkpoint.safetensors"))
    weights, bias = tensors["decoder.0.weight"], tensors["decoder.0.bias"]
    random = np.random.default_rng(seed)
    points = random.standard_normal((count, weights.shape[0])) @ weights + bias
    points += 0.5 * random.standard_normal(points.shape)
    points = points.astype(np.float32)
    np.save(out, points)
    np.save(out.replace(".npy", ".exact.npy"), log_likelihood(points.astype(np.float64), weights, bias))
else:
    out = sys.argv[2]
    exact = np.load(os.path.join(out, "ais-points.exact.npy"))
    rows = ["| AIS setting | examples | log p(x), AIS | AIS − exact (paired) | seconds |", "|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(out, "ais-linear-*.npy"))):
        name = os.path.basename(path)[len("ais-linear-"):-len(".npy")]
        values = np.load(path)
        report = json.load(open(path.replace(".npy", ".json")))
        gap = values - exact[: len(values)]
        rows.append(
            f"| {name} | {len(values)} | {values.mean():.4f} | {gap.mean():+.4f} ± {gap.std(ddof=1) / np.sqrt(len(gap)):.4f} "
            f"| {report['seconds']:.1f} |")
    rows.append(f"| exact | {len(exact)} | {exact.mean():.4f} | 0 | – |")
    print("\n".join(rows))
