"""SageMaker's shapes and contracts: the SDK-named configuration classes (:mod:`.config`), the one
writer and reader of a tuning job's stored request document (:mod:`.document`), SageMaker's naming
rules (:mod:`.names`), the training toolkit's contract with a script (:mod:`.toolkit`),
CloudWatch's rendering of log lines (:mod:`.cloudwatch`), estimators and single training jobs
(:mod:`.estimator`, :mod:`.training`, :mod:`.inputs`, :mod:`.exceptions`), SDK-generated requests
(:mod:`.requests`, :mod:`.train_request`) and the ``train`` subcommand (:mod:`.commands`)."""
