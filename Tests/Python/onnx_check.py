"""Checks every ONNX model `latent export` wrote in EXPORT against Latent's own outputs.

For each EXPORT/PATH.onnx with a folder REFERENCE/PATH holding INPUT.npy for each of its
inputs and expected.npy: onnx.checker's full check (types and shapes inferred), the opset
(17 or more) and the names of inputs and outputs, then onnxruntime on the same inputs.
Prints, as JSON, each model's path with its largest absolute difference from expected.npy,
its input names and its output names."""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime

export, reference = sys.argv[1], sys.argv[2]
report = {}
for folder, _, files in sorted(os.walk(export)):
    for file in sorted(files):
        if not file.endswith(".onnx"):
            continue
        path = os.path.join(folder, file)
        name = os.path.relpath(path, export)[: -len(".onnx")]
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opset = max(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
        assert opset >= 17, f"{name}: opset {opset}"
        cases = os.path.join(reference, name)
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        inputs = [entry.name for entry in session.get_inputs()]
        feeds = {input: np.load(os.path.join(cases, input + ".npy")) for input in inputs}
        (got,) = session.run(None, feeds)
        expected = np.load(os.path.join(cases, "expected.npy"))
        assert got.shape == expected.shape, f"{name}: shape {got.shape}, expected {expected.shape}"
        report[name] = {
            "max_abs_difference": float(np.max(np.abs(got - expected))),
            "inputs": inputs,
            "outputs": [entry.name for entry in session.get_outputs()],
        }
print(json.dumps(report))
