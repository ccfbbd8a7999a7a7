"""SageMaker's shapes: the SDK-named configuration classes (:mod:`.config`), the one writer and
reader of a tuning job's stored request document (:mod:`.document`) and SageMaker's naming rules
(:mod:`.names`)."""
