"""OpenBLAS (numpy's) SGEMM on the shapes `latent bench --gemm` times; prints one JSON object."""
import json
import time

import numpy as np

SHAPES = [(100, 784, 512, "nn"), (100, 512, 512, "nn"), (100, 512, 784, "nn"), (100, 784, 512, "nt"),
          (100, 512, 512, "nt"), (784, 100, 512, "tn"), (512, 100, 784, "tn"), (4900, 512, 64, "nn"),
          (4900, 64, 512, "nt"), (512, 4900, 64, "tn"), (4900, 64, 512, "nn"), (4900, 1024, 128, "nn"),
          (4900, 128, 1024, "nn"), (4900, 128, 1024, "nt"), (1024, 4900, 128, "tn"), (128, 4900, 1024, "tn"), (4900, 1024, 128, "nt"), (19600, 16, 32, "nn"),
          (19600, 16, 32, "nt"), (16, 19600, 32, "tn"), (19600, 32, 16, "nn"), (32, 19600, 16, "tn"),
          (19600, 64, 16, "nn"), (64, 19600, 16, "tn"), (2048, 2048, 2048, "nn")]

result = {}
for m, k, n, form in SHAPES:
    a = np.random.rand(k, m).astype(np.float32) if form == "tn" else np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32) if form == "nt" else np.random.rand(k, n).astype(np.float32)
    product = {"nn": lambda: a @ b, "nt": lambda: a @ b.T, "tn": lambda: a.T @ b}[form]
    product()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.3:
        product()
        count += 1
    result[f"{m}x{k}x{n} {form}"] = round(2 * m * n * k * count / (time.perf_counter() - start) / 1e9, 1)
print(json.dumps(result))
