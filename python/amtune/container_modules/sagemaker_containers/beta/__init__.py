"""Stand-in for ``sagemaker_containers.beta`` (see :mod:`sagemaker_containers.beta.framework`)."""
