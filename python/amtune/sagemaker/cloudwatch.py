"""How CloudWatch Logs shows a training job's output line, so that regexes written for it match.

SageMaker's algorithm and framework images ship metric regexes written against the log as
CloudWatch shows it, where a control character is rendered as ``#`` and its three-digit octal code:
a TAB becomes ``#011`` (XGBoost prints ``[3]#011train-rmse:1.2#011validation-rmse:1.4``), a carriage
return ``#015``, ESC ``#033``. amtune matches every line in both forms, the raw one and this one.

>>> render("[3]\\ttrain-rmse:1.2\\tvalidation-rmse:1.4")
'[3]#011train-rmse:1.2#011validation-rmse:1.4'
>>> render("no control characters")
'no control characters'
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control(line: str) -> bool:
    """Whether CloudWatch would show ``line`` differently."""
    return _CONTROL.search(line) is not None


def render(line: str) -> str:
    """``line`` with every control character as ``#`` + its three-digit octal code."""
    return _CONTROL.sub(lambda m: f"#{ord(m.group(0)):03o}", line)
