"""Tune a function with the ask/tell API: python examples/ask_tell.py"""

import math

import amtune

space = amtune.SearchSpace({
    "learning_rate": amtune.ContinuousParameter(1e-4, 1.0, "Logarithmic"),
    "depth": amtune.IntegerParameter(1, 12),
    "activation": amtune.CategoricalParameter(["relu", "tanh", "gelu"]),
})


def loss(p):
    penalty = {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}[p["activation"]]
    return (math.log10(p["learning_rate"]) + 2.5) ** 2 + 0.05 * (p["depth"] - 6) ** 2 + penalty


opt = amtune.Optimizer(space, strategy="Random", objective_type="Minimize", random_seed=42)
for _ in range(25):
    trials = opt.ask(4)  # a batch, e.g. for 4 parallel workers
    for t in trials:
        opt.tell(t.id, loss(t.params))
print("best:", opt.best.params, "loss", round(opt.best.value, 4))
