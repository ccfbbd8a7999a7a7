"""Job configuration files: the amtune shape and the SageMaker request shape as pydantic models
(:mod:`.models`), loaded into one validated job config (:mod:`.loader`); :class:`ConfigError`
(:mod:`.errors`) names the field and the rule; :mod:`.schema` holds the shipped JSON Schemas."""
