"""SageMaker's shapes: the SDK-named configuration classes (:mod:`.config`)."""
