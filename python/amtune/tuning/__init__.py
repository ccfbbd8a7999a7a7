"""Tuning jobs: the public tuner (:mod:`.tuner`), its loop (:mod:`.driver`), the run state
(:mod:`.state`), the status rules (:mod:`.outcome`) and the driver's liveness (:mod:`.liveness`).
"""
