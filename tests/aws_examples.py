"""Training scripts and data in the style of the AWS SageMaker examples (shared by the tests of
issue 11): a scikit-learn random forest with string arguments and a strict ``parse_args()``, an
XGBoost script-mode regression printing its evaluation log with TABs, a script that reads
``input/config/*.json``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

# scikit-learn random forest on tabular CSV, like the AWS "sklearn random forest" notebook, but
# with a strict parse_args(): an unexpected argument (e.g. --sagemaker_program) fails the job.
SKLEARN_SCRIPT = textwrap.dedent("""
    import argparse, json, os
    import joblib
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import RandomForestRegressor

    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--n-estimators", type=int, default=10)
        parser.add_argument("--min-samples-leaf", type=int, default=3)
        parser.add_argument("--verbosity", type=int, default=0)
        parser.add_argument("--criterion", type=str, default="squared_error")
        parser.add_argument("--model-dir", type=str, default=os.environ.get("SM_MODEL_DIR"))
        parser.add_argument("--train", type=str, default=os.environ.get("SM_CHANNEL_TRAIN"))
        parser.add_argument("--test", type=str, default=os.environ.get("SM_CHANNEL_TEST"))
        parser.add_argument("--train-file", type=str, default="train.csv")
        parser.add_argument("--test-file", type=str, default="test.csv")
        parser.add_argument("--features", type=str)  # in this script, features are space-separated
        parser.add_argument("--target", type=str)
        args = parser.parse_args()

        train_df = pd.read_csv(os.path.join(args.train, args.train_file))
        test_df = pd.read_csv(os.path.join(args.test, args.test_file))
        X_train, y_train = train_df[args.features.split()], train_df[args.target]
        X_test, y_test = test_df[args.features.split()], test_df[args.target]
        model = RandomForestRegressor(
            n_estimators=args.n_estimators, min_samples_leaf=args.min_samples_leaf, n_jobs=1,
            criterion=args.criterion, random_state=0)
        model.fit(X_train, y_train)
        abs_err = np.abs(model.predict(X_test) - y_test)
        for q in [10, 50, 90]:
            print("AE-at-" + str(q) + "th-percentile: " + str(np.percentile(a=abs_err, q=q)))
        joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
        with open(os.path.join(args.model_dir, "args.json"), "w") as f:
            json.dump(vars(args), f)
""")

# XGBoost script mode; xgboost prints "[i]\\ttrain-rmse:..\\tvalidation-rmse:.." lines.
XGBOOST_SCRIPT = textwrap.dedent("""
    import argparse, os
    import pandas as pd
    import xgboost as xgb

    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--max_depth", type=int)
        parser.add_argument("--eta", type=float)
        parser.add_argument("--objective", type=str)
        parser.add_argument("--num_round", type=int)
        parser.add_argument("--verbosity", type=int, default=0)
        parser.add_argument("--model_dir", type=str, default=os.environ.get("SM_MODEL_DIR"))
        parser.add_argument("--train", type=str, default=os.environ["SM_CHANNEL_TRAIN"])
        parser.add_argument("--validation", type=str, default=os.environ["SM_CHANNEL_VALIDATION"])
        args = parser.parse_args()

        def load(d):
            (f,) = [os.path.join(d, n) for n in os.listdir(d)]  # a single-file channel
            df = pd.read_csv(f, header=None)
            return xgb.DMatrix(df.iloc[:, 1:], label=df.iloc[:, 0])

        dtrain, dval = load(args.train), load(args.validation)
        params = {"max_depth": args.max_depth, "eta": args.eta, "objective": args.objective,
                  "verbosity": args.verbosity, "nthread": 1}
        booster = xgb.train(params, dtrain, num_boost_round=args.num_round,
                            evals=[(dtrain, "train"), (dval, "validation")])
        booster.save_model(os.path.join(args.model_dir, "xgboost-model"))
""")

# The XGBoost image's predefined regexes, written against CloudWatch (TAB shown as #011).
XGBOOST_METRICS = [
    {
        "Name": "validation:rmse",
        "Regex": r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    },
    {
        "Name": "train:rmse",
        "Regex": r".*\[[0-9]+\]#011train-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
    },
]

# A script that reads the toolkit's files rather than its arguments (and accepts none).
CONFIG_FILES_SCRIPT = textwrap.dedent("""
    import json, os, sys
    assert sys.argv[1:] == ["--alpha", "0.5", "--name", "a b"], sys.argv
    cfg = os.environ["SM_INPUT_CONFIG_DIR"]
    hps = json.load(open(os.path.join(cfg, "hyperparameters.json")))
    rc = json.load(open(os.path.join(cfg, "resourceconfig.json")))
    idc = json.load(open(os.path.join(cfg, "inputdataconfig.json")))
    assert rc["current_host"] == "algo-1", rc
    assert sorted(idc) == ["train"], idc
    alpha = json.loads(hps["alpha"])
    print(f"score: {1.0 - (alpha - 0.3) ** 2}")
""")

SKLEARN_METRICS = [
    {"Name": "median-AE", "Regex": "AE-at-50th-percentile: ([0-9.]+).*$"},
    {"Name": "AE-90", "Regex": "AE-at-90th-percentile: ([0-9.]+).*$"},
]
FEATURES = "MedInc HouseAge AveRooms"


def write_sklearn_example(root: Path, n: int = 240, seed: int = 0) -> dict[str, Path]:
    """``script.py`` and ``data/{train,test}/*.csv`` (California-housing-like columns)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = 2.0 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] ** 2 + 0.1 * rng.normal(size=n)
    header = "MedInc,HouseAge,AveRooms,target\n"
    rows = [f"{a:.5f},{b:.5f},{c:.5f},{t:.5f}\n" for (a, b, c), t in zip(x, y, strict=True)]
    cut = int(0.75 * n)
    for ch, part in (("train", rows[:cut]), ("test", rows[cut:])):
        d = root / "data" / ch
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{ch}.csv").write_text(header + "".join(part))
    (root / "script.py").write_text(SKLEARN_SCRIPT)
    return {"train": root / "data" / "train", "test": root / "data" / "test"}


def write_xgboost_example(root: Path, n: int = 200, seed: int = 0) -> dict[str, Path]:
    """``train.py`` and two single-file channels (label first, no header), as upload_data makes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = x[:, 0] * 3 + np.sin(x[:, 1]) + 0.1 * rng.normal(size=n)
    lines = [",".join(f"{v:.5f}" for v in (t, *row)) + "\n" for t, row in zip(y, x, strict=True)]
    cut = int(0.8 * n)
    root.mkdir(parents=True, exist_ok=True)
    (root / "train.csv").write_text("".join(lines[:cut]))
    (root / "validation.csv").write_text("".join(lines[cut:]))
    (root / "train.py").write_text(XGBOOST_SCRIPT)
    return {"train": root / "train.csv", "validation": root / "validation.csv"}
