"""The PyTorch side of the per-epoch and sweep benchmarks (bench/LstmSweep.Bench PeersBenchmark).

The same work as LstmSweep's cumsum task: each epoch a fresh batch of sequences (T values uniform in [0, 1), label of
step t: running sum above T/4), one training step per batch of batch_size, then (every eval_every epochs, and after
the last) an evaluation of eval_samples held-out sequences under no_grad (a stateful model: batch_size rows at a time,
carrying the state, as LstmSweep and Keras do). One thread. Prints one JSON line.

  python3 trial.py --model seed002 --epochs 2000 --eval-every 1
  python3 trial.py --sweep seed002 --epochs 250            # the tutorial's loop for each merge mode, one evaluation at the end
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn

MODELS = {
    # timesteps, units, layers, bidirectional merge, batch, sequences per epoch, stateful
    "seed002": dict(timesteps=10, units=20, layers=1, merge="concat", batch=1, per_epoch=1, stateful=False),
    "large": dict(timesteps=100, units=128, layers=2, merge="none", batch=64, per_epoch=64, stateful=False),
    "stateful": dict(timesteps=10, units=20, layers=1, merge="none", batch=1, per_epoch=10, stateful=True),
}


class Net(nn.Module):
    def __init__(self, units, layers, merge):
        super().__init__()
        self.merge = merge
        self.lstm = nn.LSTM(1, units, num_layers=layers, batch_first=True, bidirectional=merge != "none")
        width = 2 * units if merge == "concat" else units
        self.head = nn.Linear(width, 1)
        self.units = units

    def forward(self, x, state=None):
        out, state = self.lstm(x, state)
        if self.merge in ("sum", "mul", "ave"):
            f, b = out[..., : self.units], out[..., self.units :]
            out = f + b if self.merge == "sum" else f * b if self.merge == "mul" else (f + b) / 2
        return self.head(out).squeeze(-1), state


def sequences(rng, count, timesteps):
    x = rng.random((count, timesteps), dtype=np.float32)
    y = (np.cumsum(x, axis=1) > timesteps / 4.0).astype(np.float32)
    return torch.from_numpy(x).unsqueeze(-1), torch.from_numpy(y)


def train(cfg, epochs, eval_every, seed=1, eval_samples=100):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = Net(cfg["units"], cfg["layers"], cfg["merge"])
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_fn = nn.BCEWithLogitsLoss()
    ex, ey = sequences(rng, eval_samples, cfg["timesteps"])
    loss = None
    for epoch in range(1, epochs + 1):
        x, y = sequences(rng, cfg["per_epoch"], cfg["timesteps"])
        state = None
        for start in range(0, cfg["per_epoch"], cfg["batch"]):
            logits, state = net(x[start : start + cfg["batch"]], state)
            batch_loss = loss_fn(logits, y[start : start + cfg["batch"]])
            opt.zero_grad()
            batch_loss.backward()
            opt.step()
            state = tuple(s.detach() for s in state) if cfg["stateful"] else None
        if epoch % eval_every == 0 or epoch == epochs:
            with torch.no_grad():
                if cfg["stateful"]:
                    # As LstmSweep (Keras evaluate after reset_states): in order, batch_size rows at a time, the state
                    # carried from batch to batch.
                    total, state = 0.0, None
                    for start in range(0, eval_samples, cfg["batch"]):
                        logits, state = net(ex[start : start + cfg["batch"]], state)
                        total += loss_fn(logits, ey[start : start + cfg["batch"]]).item() * logits.numel()
                    loss = total / ey.numel()
                else:
                    logits, _ = net(ex)
                    loss = loss_fn(logits, ey).item()
    return loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="seed002", choices=sorted(MODELS))
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--eval-every", type=int, default=1)
    parser.add_argument("--sweep", choices=["seed002"], help="the seed-002 sweep: one trial per merge mode, in a row")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train(MODELS[args.model], 3, 1)  # warm-up, as the C# side warms up (5 epochs there)
    started = time.perf_counter()
    if args.sweep:
        losses = {m: train(dict(MODELS["seed002"], merge=m), args.epochs, args.epochs) for m in ["none", "concat", "sum", "mul", "ave"]}
        elapsed = time.perf_counter() - started
        print(json.dumps({"seconds": elapsed, "losses": losses, "torch": torch.__version__}))
        return
    train(MODELS[args.model], args.epochs, args.eval_every)
    elapsed = time.perf_counter() - started
    print(json.dumps({"ms_per_epoch": elapsed * 1000 / args.epochs, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
