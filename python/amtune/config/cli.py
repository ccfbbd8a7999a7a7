"""``amtune schema``: print the JSON Schema of a config shape (for editors)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of a config file shape",
        description="Print the JSON Schema of the amtune config shape or of SageMaker's "
        "CreateHyperParameterTuningJob request (amtune's training-command form), for editors.",
    )
    p.add_argument(
        "shape",
        choices=["amtune", "sagemaker"],
        nargs="?",
        default="amtune",
        help="which config shape (default amtune)",
    )
    p.set_defaults(func=cmd_schema)


def cmd_schema(a: argparse.Namespace) -> int:
    from amtune.config.schema import path_of

    sys.stdout.write(path_of(a.shape).read_text())
    return 0
