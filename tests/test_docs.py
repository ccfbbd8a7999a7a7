"""The runnable examples in the public modules' docstrings stay true (doctest of the installed
package, so it checks what users import)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import amtune

# every module of the package (the compiled core and the demo's training script excepted)
MODULES = [
    "amtune",
    *sorted(
        m.name
        for m in pkgutil.walk_packages(amtune.__path__, "amtune.")
        if m.name not in ("amtune._core", "amtune.demo.train")
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    failed = sum(runner.run(test, out=report.append).failed for test in tests)
    assert failed == 0, "".join(report)


def test_public_api_has_examples():
    # every public class of the facade documents itself with a runnable example
    for name in (
        "SearchSpace",
        "Optimizer",
        "Trial",
        "ContinuousParameter",
        "IntegerParameter",
        "CategoricalParameter",
        "RandomSearch",
        "GridSearch",
    ):
        doc = getattr(amtune, name).__doc__ or ""
        assert ">>> " in doc, name
