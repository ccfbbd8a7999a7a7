"""SageMaker compatibility: the training toolkit's contract, estimators, request documents."""
