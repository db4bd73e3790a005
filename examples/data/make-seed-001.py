# Writes seed-001-sequences.json: 200 one-hot sequences of 3 steps over 4 symbols (x, shape (200, 3, 4)) and 4 steps
# of one-hot labels (y, shape (200, 4, 4)): steps 1-3 repeat the input symbol, step 4 recalls the first symbol.
# Deterministic (fixed seed); run from examples/data: python3 make-seed-001.py
import json, random
rng = random.Random(1)
hot = lambda s: [1 if c == s else 0 for c in range(4)]
x, y = [], []
for _ in range(200):
    s = [rng.randrange(4) for _ in range(3)]
    x.append([hot(v) for v in s])
    y.append([hot(v) for v in s + [s[0]]])
json.dump({"x": x, "y": y}, open("seed-001-sequences.json", "w"), separators=(",", ":"))
