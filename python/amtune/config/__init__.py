"""Job configuration files: the amtune shape and the SageMaker request shape, loaded into one
validated job config (:mod:`.loader`)."""
