"""Stand-in for the ``sagemaker-training`` toolkit (see :mod:`amtune.container_modules`): its
``environment`` module, which training scripts read their job's settings from."""
