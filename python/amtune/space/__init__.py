"""Search spaces with SageMaker semantics: the range types (:mod:`.parameters`), the space and its
unit-hypercube encoding (:mod:`.search_space`), and the ``ParameterRanges`` documents
(:mod:`.serialization`)."""

from __future__ import annotations

from amtune.space.parameters import (
    CategoricalParameter,
    ContinuousParameter,
    IntegerParameter,
    Parameter,
)
from amtune.space.search_space import SearchSpace

__all__ = [
    "CategoricalParameter",
    "ContinuousParameter",
    "IntegerParameter",
    "Parameter",
    "SearchSpace",
]
