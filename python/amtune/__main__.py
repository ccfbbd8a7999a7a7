"""``python -m amtune ...``: the ``amtune`` command, for an interpreter whose scripts directory is
not on ``PATH`` (or amtune on ``PYTHONPATH`` only)."""

from __future__ import annotations

import sys

from amtune.cli import main

if __name__ == "__main__":
    sys.exit(main())
