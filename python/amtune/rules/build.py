"""The rules a tuning job's settings ask for, in the order the loop calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amtune.rules.base import TuningJobHook
from amtune.rules.completion import make_completion_hook
from amtune.rules.early_stopping import make_early_stopping_hook
from amtune.rules.hyperband import make_hyperband_hook
from amtune.rules.warm_start import make_warm_start_hook

if TYPE_CHECKING:  # pragma: no cover
    from amtune.tuning.settings import TuningJobSettings


def build_hooks(tuner: TuningJobSettings) -> list[TuningJobHook]:
    """The hooks a tuner's settings ask for; unsupported settings raise ``ValueError``."""
    hooks: list[TuningJobHook] = []
    if tuner.warm_start_config is not None:  # first: the parents are loaded before anything
        hooks.append(make_warm_start_hook(tuner))
    if tuner.strategy == "Hyperband":
        hooks.append(make_hyperband_hook(tuner))
    if tuner.early_stopping_type == "Auto":
        hooks.append(make_early_stopping_hook(tuner))
    cc = tuner.completion_criteria_config
    if cc is not None and cc.to_sagemaker():
        hooks.append(make_completion_hook(tuner))
    return hooks
