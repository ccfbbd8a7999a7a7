"""Stand-in for the XGBoost framework container's modules (see :mod:`amtune.container_modules`):
``data_utils.get_dmatrix``, ``encoder`` (request bodies to ``DMatrix``) and
``distributed.rabit_run``."""
