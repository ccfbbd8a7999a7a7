"""The package version (one place; ``amtune.__version__`` and ``amtune --version`` read it)."""

__version__ = "0.1.0"
