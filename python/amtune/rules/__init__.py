"""The rules a tuning job applies around its loop: the hook protocol (:mod:`.base`), early
stopping, Hyperband's rungs, completion criteria and warm start."""
