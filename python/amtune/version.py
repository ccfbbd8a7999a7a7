"""The package version, in one place (``amtune.__version__``, ``amtune --version``)."""

VERSION = "0.1.0"
