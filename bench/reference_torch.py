#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the paired experiments of configs/fashion-mnist.yaml (--model mlp,
MLP 784-256-128-10 or --hidden 1024,1024) and configs/fashion-mnist-cnn.yaml (--model cnn: conv 32 and 64,
3×3 same, ReLU, 2×2 max pooling, dense 128 ReLU, dropout 0.3) in PyTorch.

Same model (Glorot-uniform kernels, zero biases), same optimizer (Adam,
lr 1e-3, TF.js's epsilon 1e-7), same batch size and epochs, one shuffle per epoch shared by both arms,
the test set evaluated after every epoch as ls-bench does. The arms (hard labels, then label smoothing
eps) run one after the other in this process, data loading included. One thread by default: on a small
machine a second thread oversubscribes. `--arm hard|smoothed` trains one arm only: the benchmark runs
two such processes at the same time as the "arms in parallel processes" reference. Prints one JSON
object on stdout.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time

STARTED = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_data_dir(given):
    for d in [given, "data/fashion-mnist", "/usr/share/datasets/fashion-mnist"]:
        if d and os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
            return d
    sys.exit("reference_torch.py: Fashion-MNIST IDX files not found (apt-get install dataset-fashion-mnist)")


def stratified_subset(labels, limit, seed):
    """At most `limit` indices, the same fraction of every class (not ls-bench's exact subset: only the size matters here)."""
    if limit is None or limit >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        keep.append(rng.permutation(idx)[: int(round(limit * len(idx) / len(labels)))])
    return np.sort(np.concatenate(keep))


def build_model(args):
    """The model of --model with Glorot-uniform kernels and zero biases (ls-bench's init: glorot)."""
    if args.model == "cnn":
        first, second = [int(f) for f in args.filters.split(",")]
        layers = [
            torch.nn.Conv2d(1, first, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(first, second, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(second * 7 * 7, 128), torch.nn.ReLU(), torch.nn.Dropout(0.3),
            torch.nn.Linear(128, 10),
        ]
    else:
        sizes = [784] + [int(h) for h in args.hidden.split(",") if h] + [10]
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
    for m in layers:
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return torch.nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--epsilon", type=float, default=0.1)
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--hidden", default="256,128", help="mlp: hidden layer sizes")
    parser.add_argument("--filters", default="32,64", help="cnn: filters of the two conv blocks")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--arm", choices=["both", "hard", "smoothed"], default="both",
                        help="train one arm only (the benchmark runs two such processes at once for the parallel reference)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    data_dir = find_data_dir(args.data_dir)
    x_train = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y_train = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    x_test = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y_test = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    if args.limit is not None:
        keep = stratified_subset(y_train, args.limit, args.seed)
        x_train, y_train = x_train[keep], y_train[keep]
        keep = stratified_subset(y_test, max(1, round(args.limit * len(y_test) / 60000)), args.seed)
        x_test, y_test = x_test[keep], y_test[keep]
    if args.model == "cnn":
        x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    x_train, y_train = torch.from_numpy(np.ascontiguousarray(x_train)), torch.from_numpy(y_train)
    x_test, y_test = torch.from_numpy(np.ascontiguousarray(x_test)), torch.from_numpy(y_test)
    data_seconds = time.perf_counter() - STARTED

    initial = build_model(args)
    initial_state = {k: v.clone() for k, v in initial.state_dict().items()}
    generator = torch.Generator().manual_seed(args.seed)
    orders = [torch.randperm(len(y_train), generator=generator) for _ in range(args.epochs)]

    arms = []
    for label, eps in [("hard", 0.0), ("smoothed", args.epsilon)]:
        if args.arm not in ("both", label):
            continue
        arm_started = time.perf_counter()
        model = build_model(args)
        model.load_state_dict(initial_state)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, eps=1e-7)
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=eps)
        history = []
        for epoch in range(args.epochs):
            model.train()
            order = orders[epoch]
            total = 0.0
            for start in range(0, len(order), args.batch_size):
                idx = order[start:start + args.batch_size]
                xb, yb = x_train[idx], y_train[idx]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(idx)
            model.eval()
            with torch.no_grad():
                accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
            history.append({"epoch": epoch + 1, "trainLoss": total / len(order), "testAccuracy": accuracy})
        seconds = time.perf_counter() - arm_started
        arms.append({
            "label": label,
            "epsilon": eps,
            "seconds": seconds,
            "samplesPerSecond": len(y_train) * args.epochs / seconds,
            "finalTestAccuracy": history[-1]["testAccuracy"],
            "history": history,
        })

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "trainCount": len(y_train),
        "testCount": len(y_test),
        "epochs": args.epochs,
        "dataSeconds": data_seconds,
        "seconds": time.perf_counter() - STARTED,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "arms": arms,
    }))


if __name__ == "__main__":
    main()
