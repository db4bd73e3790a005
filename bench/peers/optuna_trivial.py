"""The Optuna side of the orchestration benchmark: N trials of a trivial objective with SQLite storage.

  python3 optuna_trivial.py --trials 2000 --storage sqlite:////tmp/x.db --jobs 2
Prints one JSON line: trials, seconds, trials per second.
"""
import argparse
import json
import time

import optuna


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--storage", required=True)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=args.storage, study_name="trivial", direction="minimize")
    started = time.perf_counter()
    study.optimize(lambda t: (t.suggest_int("units", 1, 4) - 2) ** 2, n_trials=args.trials, n_jobs=args.jobs)
    elapsed = time.perf_counter() - started
    print(json.dumps({"trials": len(study.trials), "seconds": elapsed, "per_second": len(study.trials) / elapsed,
                      "optuna": optuna.__version__}))


if __name__ == "__main__":
    main()
