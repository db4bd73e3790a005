#!/usr/bin/env python3
"""PyTorch peer of the packing benchmark: the same trials trained one after the other with nn.LSTM.

Each trial: cumsum sequences (T timesteps, x uniform in [0, 1), label per step: running sum > T/4), one fresh
sequence per epoch (batch 1), a (bidirectional) LSTM whose directions are merged per step as Keras's merge_mode does,
a per-timestep dense sigmoid head, binary cross-entropy, Adam, an evaluation on held-out sequences after each epoch.
Prints one line: seconds trial_epochs best-configuration.
"""
import argparse
import time

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, units, mode):
        super().__init__()
        self.mode = mode
        self.lstm = nn.LSTM(1, units, batch_first=True, bidirectional=mode != "none")
        self.head = nn.Linear(2 * units if mode == "concat" else units, 1)
        for name, p in self.lstm.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            elif name.startswith("bias_ih"):
                nn.init.zeros_(p)
                p.data[units:2 * units] = 1
            else:
                nn.init.zeros_(p)
                p.requires_grad_(False)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        out, _ = self.lstm(x)
        if self.mode not in ("none", "concat"):
            f, b = out.chunk(2, dim=-1)
            out = {"sum": f + b, "mul": f * b, "ave": (f + b) / 2}[self.mode]
        return self.head(out).squeeze(-1)


def sequences(generator, count, steps):
    x = torch.rand(count, steps, 1, generator=generator)
    y = (x.squeeze(-1).cumsum(1) > steps / 4).float()
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--eval-samples", type=int, default=100)
    parser.add_argument("--timesteps", type=int, default=10)
    parser.add_argument("--configs", required=True, help="mode,units,lr,seed;...")
    args = parser.parse_args()
    torch.set_num_threads(1)
    configs = [c.split(",") for c in args.configs.split(";")]
    loss_fn = nn.BCEWithLogitsLoss()
    best = None
    start = time.perf_counter()
    for mode, units, lr, seed in configs:
        torch.manual_seed(int(seed))
        generator = torch.Generator().manual_seed(int(seed))
        model = Net(int(units), mode)
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=float(lr))
        eval_x, eval_y = sequences(generator, args.eval_samples, args.timesteps)
        loss = float("nan")
        for _ in range(args.epochs):
            x, y = sequences(generator, 1, args.timesteps)
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
            with torch.no_grad():
                loss = loss_fn(model(eval_x), eval_y).item()
        if best is None or loss < best[0]:
            best = (loss, f"{mode}, units {units}, lr {lr}")
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.3f} {len(configs) * args.epochs} {best[1]} (loss {best[0]:.4f})")


if __name__ == "__main__":
    main()
