"""A script-mode training script and its inference code, for the tests that deploy a trained
model (``test_estimator_deploy.py``, ``test_sdk_sweep15.py``)."""

import textwrap

# the training script writes its model and, as a PyTorch/TensorFlow model archive does, the
# inference code in model/code/inference.py
TRAIN = textwrap.dedent(
    """
    import argparse, json, os
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float)
    a, _ = p.parse_known_args()
    model_dir = os.environ["SM_MODEL_DIR"]
    with open(os.path.join(model_dir, "model.json"), "w") as f:
        json.dump({"scale": a.scale}, f)
    os.makedirs(os.path.join(model_dir, "code"), exist_ok=True)
    with open(os.path.join(model_dir, "code", "inference.py"), "w") as f:
        f.write(open(os.path.join(os.path.dirname(__file__), "serving.py")).read())
    print(f"loss={abs(a.scale - 2.0)}")
    """
)
INFERENCE = textwrap.dedent(
    """
    import json, os

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            return json.load(f)["scale"]

    def predict_fn(data, model):
        return [float(x) * model for x in data.reshape(-1)]
    """
)
