"""``sagemaker.parameter``: the hyperparameter ranges of a tuning job (also in
:mod:`amtune.tuner` and at the top level). ``ParameterRange`` is the ranges' base class
(amtune's :class:`~amtune.space.Parameter`), for ``isinstance`` checks.

>>> from amtune.parameter import ContinuousParameter, ParameterRange
>>> isinstance(ContinuousParameter(1e-4, 1.0, "Logarithmic"), ParameterRange)
True
"""

from __future__ import annotations

from amtune.space import CategoricalParameter, ContinuousParameter, IntegerParameter
from amtune.space import Parameter as ParameterRange

__all__ = ["CategoricalParameter", "ContinuousParameter", "IntegerParameter", "ParameterRange"]
