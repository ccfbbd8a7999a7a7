"""SageMaker's shapes and contracts: the SDK-named configuration classes (:mod:`.config`), the
training toolkit's contract with a script (:mod:`.toolkit`), CloudWatch's rendering of log lines
(:mod:`.cloudwatch`), estimators and single training jobs (:mod:`.estimator`, :mod:`.training`),
SDK-generated requests (:mod:`.requests`, :mod:`.train_request`)."""
