"""The bench workloads in PyTorch, for a side-by-side run. Prints one JSON object."""
import json
import os
import statistics
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)


def median_seconds(fn, iters, trials=5, warmup=None):
    for _ in range(warmup if warmup is not None else max(1, iters // 2)):
        fn()
    times = []
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times)


def matmul(n):
    a = torch.rand(n, n) * 2 - 1
    b = torch.rand(n, n) * 2 - 1
    iters = max(1, int(0.4 / max(1e-7, median_seconds(lambda: a @ b, 1, 1, 1))))
    return 2 * n**3 / median_seconds(lambda: a @ b, iters, 5 if n < 1024 else 3, 1) / 1e9


def himmelblau():
    x = torch.tensor(-4.0, requires_grad=True)
    y = torch.tensor(0.0, requires_grad=True)

    def step():
        f = (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2
        gx, gy = torch.autograd.grad(f, [x, y])
        with torch.no_grad():
            x.sub_(0.01 * gx)
            y.sub_(0.01 * gy)

    return median_seconds(step, 2000, warmup=2000) * 1e6


def moons():
    sizes = [2, 25, 50, 25, 2]
    torch.manual_seed(0)
    params = []
    for i, out in enumerate(sizes[1:]):
        params.append((torch.randn(sizes[i], out) * (1 / sizes[i]) ** 0.5).requires_grad_())
        params.append(torch.zeros(out, requires_grad=True))
    x = torch.rand(1, 2) * 2 - 1
    t = torch.tensor([[1.0, 0.0]])

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = torch.sigmoid(h @ params[i] + params[i + 1])
        loss = ((h - t) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(0.01 * g)

    return median_seconds(step, 1000, warmup=1000) * 1e6


def fashion():
    sizes = [784, 256, 128, 64, 32, 10]
    torch.manual_seed(0)
    layers = []
    for i, out in enumerate(sizes[1:]):
        layers.append(torch.nn.Linear(sizes[i], out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(100, 784)
    y = torch.randint(0, 10, (100,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return median_seconds(step, 20, warmup=10) * 600


def cnn():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(100, 1, 28, 28)
    y = torch.randint(0, 10, (100,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return median_seconds(step, 3, trials=3, warmup=1) * 600


def adam():
    """One Adam update of the Fashion MLP's 244,522 float32 parameters from fixed gradients (ms)."""
    shapes = [(784, 256), (256,), (256, 128), (128,), (128, 64), (64,), (64, 32), (32,), (32, 10), (10,)]
    params = [torch.nn.Parameter(torch.randn(s) * 0.05) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape) * 0.01
    opt = torch.optim.Adam(params, lr=1e-3)
    return median_seconds(opt.step, 20, warmup=20) * 1e3


class Block(torch.nn.Module):
    """Pre-norm GPT-2 block, as @chainrule/layer-attention's Block (tanh GELU, causal attention)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(dim), torch.nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (torch.nn.Linear(dim, dim) for _ in range(4))
        self.fc, self.proj = torch.nn.Linear(dim, 4 * dim), torch.nn.Linear(4 * dim, dim)

    def forward(self, x):
        B, T, C = x.shape
        h = self.ln1(x)
        split = lambda t: t.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = (q @ k.transpose(-2, -1)) / (C // self.heads) ** 0.5
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v
        x = x + self.o(att.transpose(1, 2).reshape(B, T, C))
        return x + self.proj(torch.nn.functional.gelu(self.fc(self.ln2(x)), approximate="tanh"))


def gpt():
    """Training tokens/s of apps/makemore's default GPT (2 blocks, dim 32, 4 heads, T 16, V 27), batch 32."""
    torch.manual_seed(0)
    V, T, C, B = 27, 16, 32, 32
    tok, pos = torch.nn.Embedding(V, C), torch.nn.Parameter(torch.randn(T, C) * 0.02)
    blocks = torch.nn.Sequential(Block(C, 4), Block(C, 4))
    ln, head = torch.nn.LayerNorm(C), torch.nn.Linear(C, V)
    params = [pos, *tok.parameters(), *blocks.parameters(), *ln.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randint(0, V, (B, T))
    y = torch.randint(0, V, (B * T,))

    def step():
        opt.zero_grad()
        logits = head(ln(blocks(tok(x) + pos)))
        torch.nn.functional.cross_entropy(logits.view(-1, V), y).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    return B * T / median_seconds(step, 5, warmup=3)


def blas_library():
    """The BLAS shared library this process loaded (after a product), from /proc/self/maps.

    Debian's python3-torch links the generic libblas.so.3, which is the reference BLAS (about 6 GFLOP/s here)
    unless an optimized one such as libopenblas0-pthread provides it through update-alternatives.
    """
    (torch.rand(64, 64) @ torch.rand(64, 64)).sum()
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line or "mkl" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(p) for p in paths if p.startswith("/"))) or "unknown"


print(
    json.dumps(
        {
            "version": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": blas_library(),
            "matmul": {str(n): matmul(n) for n in [128, 256, 512, 1024]},
            "himmelblau": himmelblau(),
            "moons": moons(),
            "fashion": fashion(),
            "cnn": cnn(),
            "adam": adam(),
            "gpt": gpt(),
        }
    )
)
