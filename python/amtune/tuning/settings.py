"""The settings of a tuning job that the driver and the rules read (a ``HyperparameterTuner``
provides them): what the stored request records (:class:`~amtune.sagemaker.document.TunerSettings`)
plus the store it runs on."""

from __future__ import annotations

import os
from typing import Protocol

from amtune.sagemaker.document import TunerSettings
from amtune.store import Store


class TuningJobSettings(TunerSettings, Protocol):
    """What a tuning job is asked to do (objective, space, strategy, limits, rules, where to run)
    and the store it runs on."""

    db: str | os.PathLike[str] | None

    @property
    def store(self) -> Store: ...
