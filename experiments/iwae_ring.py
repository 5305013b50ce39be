"""The model of experiments/specs/vae-ring.yaml in PyTorch, as an independent reference:
a VAE with a learned-variance Gaussian decoder on the ring of 8 Gaussians (radius 2,
std 0.02), trained on the IWAE-K bound (K = 1: the ELBO, with an analytic or sampled KL).
Same networks (2-64-64-4 ReLU MLPs, Glorot-uniform weights, zero biases), Adam 1e-3,
batch 100, 10,000 training points. Prints one JSON object: the mean training loss over each
1,000 steps.

    iwae_ring.py --samples K --kl analytic|sampled --seed S [--steps 6000]"""
import argparse
import json
import math

import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--samples", type=int, default=1)
parser.add_argument("--kl", choices=["analytic", "sampled"], default="analytic")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--steps", type=int, default=6000)
arguments = parser.parse_args()
torch.manual_seed(arguments.seed)
random = np.random.default_rng(arguments.seed)
torch.set_num_threads(1)

modes = random.integers(0, 8, 10_000)
angles = 2 * math.pi * modes / 8
data = np.stack([2 * np.cos(angles), 2 * np.sin(angles)], 1) + 0.02 * random.standard_normal((10_000, 2))
data = torch.tensor(data, dtype=torch.float32)


def network():
    layers = [torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 4)]
    for layer in layers:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return torch.nn.Sequential(*layers)


encoder, decoder = network(), network()
optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
half_log_two_pi = 0.5 * math.log(2 * math.pi)


def gaussian_log_density(x, mean, log_variance):
    return (-half_log_two_pi - 0.5 * log_variance - 0.5 * (x - mean) ** 2 / log_variance.exp()).sum(-1)


def loss(x):
    mean, log_variance = encoder(x).chunk(2, -1)
    k = arguments.samples
    noise = torch.randn(k, *mean.shape)
    z = mean + (0.5 * log_variance).exp() * noise                      # [K, B, 2]
    x_mean, x_log_variance = decoder(z).chunk(2, -1)
    log_likelihood = gaussian_log_density(x, x_mean, x_log_variance)   # [K, B]
    if k == 1 and arguments.kl == "analytic":
        kl = 0.5 * (log_variance.exp() + mean**2 - 1 - log_variance).sum(-1)
        return -(log_likelihood[0] - kl).mean()
    log_prior = gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z))
    log_posterior = gaussian_log_density(z, mean, log_variance)
    log_weights = log_likelihood + log_prior - log_posterior
    return -(torch.logsumexp(log_weights, 0) - math.log(k)).mean()


order = torch.randperm(10_000)
position = 0
losses, total = [], 0.0
for step in range(1, arguments.steps + 1):
    if position + 100 > 10_000:
        order, position = torch.randperm(10_000), 0
    batch = data[order[position:position + 100]]
    position += 100
    value = loss(batch)
    optimizer.zero_grad()
    value.backward()
    optimizer.step()
    total += value.item()
    if step % 1000 == 0:
        losses.append(round(total / 1000, 4))
        total = 0.0
print(json.dumps({"samples": arguments.samples, "kl": arguments.kl, "seed": arguments.seed, "losses": losses}))
