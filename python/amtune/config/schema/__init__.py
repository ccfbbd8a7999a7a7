"""The JSON Schemas of the two config shapes, shipped with the package for editors
(``amtune-config.schema.json``, ``sagemaker-request.schema.json``; ``amtune schema`` prints them).
They are generated from :mod:`amtune.config.models` by ``python -m amtune.config.schema`` and a
test checks that they match the models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

FILES = {"amtune": "amtune-config.schema.json", "sagemaker": "sagemaker-request.schema.json"}


def path_of(shape: str) -> Path:
    """The shipped schema file of ``shape`` (``"amtune"`` or ``"sagemaker"``)."""
    return Path(__file__).with_name(FILES[shape])


def render(shape: str) -> str:
    """The schema of ``shape`` as the shipped file holds it."""
    from amtune.config.models import json_schema

    return json.dumps(json_schema(shape), indent=2, sort_keys=True) + "\n"


def main() -> None:
    for shape in FILES:
        path_of(shape).write_text(render(shape))
        print(f"wrote {path_of(shape)}", file=sys.stderr)


if __name__ == "__main__":
    main()
