# Writes seed 000's data in the three shapes the reshaping tutorial feeds an LSTM, each sorted by label as the
# seed's data is (so Keras's validation_split, the last rows, would evaluate on one class only):
#   seed-000-1d.json      x (200,)       -> (200, 1, 1): label 1 when the value is above 0.5
#   seed-000-2d.csv       x (200, 4)     -> (200, 4, 1): label 1 when the 4 values sum above 2 (last column)
#   seed-000-3d.json      x (200, 4, 2)  -> as given:    label 1 when feature 0 sums higher over time than feature 1
#   seed-000-3d-eval.json 60 more 3D samples, unsorted: the separate evaluation file (task_options.validation_file)
# Deterministic (fixed seed); run from examples/data: python3 make-seed-000.py
import json, random
rng = random.Random(0)
r = lambda: round(rng.random(), 4)

def sorted_by_label(rows):
    return sorted(rows, key=lambda row: row[1])

one = sorted_by_label([(v, int(v > 0.5)) for v in (r() for _ in range(200))])
json.dump({"x": [v for v, _ in one], "y": [l for _, l in one]}, open("seed-000-1d.json", "w"), separators=(",", ":"))

two = sorted_by_label([(s, int(sum(s) > 2)) for s in ([r() for _ in range(4)] for _ in range(200))])
with open("seed-000-2d.csv", "w") as f:
    f.write("t0,t1,t2,t3,label\n")
    for s, l in two:
        f.write(",".join(str(v) for v in s) + f",{l}\n")

def three_d(count):
    rows = []
    for _ in range(count):
        s = [[r(), r()] for _ in range(4)]
        rows.append((s, int(sum(a for a, _ in s) > sum(b for _, b in s))))
    return rows

train = sorted_by_label(three_d(200))
json.dump({"x": [s for s, _ in train], "y": [l for _, l in train]}, open("seed-000-3d.json", "w"), separators=(",", ":"))
held = three_d(60)
json.dump({"x": [s for s, _ in held], "y": [l for _, l in held]}, open("seed-000-3d-eval.json", "w"), separators=(",", ":"))
