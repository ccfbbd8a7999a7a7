"""Stand-in for the legacy ``sagemaker_containers`` toolkit (see
:mod:`amtune.container_modules`)."""
