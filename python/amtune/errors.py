"""Errors that name the field they are about: ``path`` (``strategy_config.max_resource``,
``HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs``) and ``rule``.

Validators that are given the path of what they check raise these, so a caller that validates a
larger document (a config file) gets the field's full path from the error's attributes, not by
reading its message.

>>> err = FieldError("max_jobs", "must be an integer >= 1, got 0")
>>> str(err), err.path, err.rule
('max_jobs: must be an integer >= 1, got 0', 'max_jobs', 'must be an integer >= 1, got 0')
>>> isinstance(FieldTypeError("x", "must be a number"), TypeError)
True
"""

from __future__ import annotations


class FieldError(ValueError):
    """A value breaks a rule; ``path`` names the field (empty: the whole document)."""

    def __init__(self, path: str, rule: str) -> None:
        self.path = path
        self.rule = rule
        super().__init__(f"{path}: {rule}" if path else rule)

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str]]:
        return type(self), (self.path, self.rule)


class FieldTypeError(FieldError, TypeError):
    """A value has the wrong type (a ``TypeError`` too)."""
