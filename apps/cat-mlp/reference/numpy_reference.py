"""The notebook's L-layer model in NumPy (float64), started from cat-mlp's initial weights.

Prints, for each seed, the cost and the train / test accuracy every 100 iterations, as JSON lines:
    python3 reference/numpy_reference.py /tmp/cat-reference 0 1 2
(run reference/dump.ts first; ITERATIONS=1000 in the environment stops earlier). Examples are rows here
(X is [m, 12288], W[l] is [n_{l-1}, n_l]), the transpose of the notebook's layout; the arithmetic is the same.
"""
import json
import os
import sys

import numpy as np

d = sys.argv[1]
X = np.fromfile(f"{d}/xtrain.f64").reshape(209, 12288)
Y = np.fromfile(f"{d}/ytrain.f64").reshape(209, 1)
Xt = np.fromfile(f"{d}/xtest.f64").reshape(50, 12288)
Yt = np.fromfile(f"{d}/ytest.f64").reshape(50, 1)
dims = [12288, 20, 7, 5, 1]
ITERATIONS = int(os.environ.get("ITERATIONS", 2500))


def run(seed, iterations=ITERATIONS, lr=0.0075):
    flat = np.fromfile(f"{d}/w{seed}.f64")
    W, o = [], 0
    for a, b in zip(dims[:-1], dims[1:]):
        W.append(flat[o : o + a * b].reshape(a, b).copy())
        o += a * b
    B = [np.zeros((1, b)) for b in dims[1:]]

    def forward(x):
        activations, zs, a = [x], [], x
        for l in range(4):
            z = a @ W[l] + B[l]
            zs.append(z)
            a = np.maximum(z, 0) if l < 3 else 1 / (1 + np.exp(-z))
            activations.append(a)
        return activations, zs

    record = []
    for i in range(iterations + 1):
        activations, zs = forward(X)
        p = activations[-1]
        if i % 100 == 0 or i == iterations:
            cost = float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))
            train_acc = float(np.mean((p > 0.5) == Y))
            test_acc = float(np.mean((forward(Xt)[0][-1] > 0.5) == Yt))
            record.append((i, round(cost, 6), train_acc, test_acc))
        if i == iterations:
            break
        dz = (p - Y) / 209  # d cost / d z[L] for the sigmoid output and cross-entropy
        for l in range(3, -1, -1):
            dW, db = activations[l].T @ dz, dz.sum(0, keepdims=True)
            if l > 0:
                dz = (dz @ W[l].T) * (zs[l - 1] > 0)
            W[l] -= lr * dW
            B[l] -= lr * db
    return record


for s in map(int, sys.argv[2:]):
    print(json.dumps({"seed": s, "checkpoints": run(s)}), flush=True)
