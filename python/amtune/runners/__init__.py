"""Training-job runners: a Python callable in a worker process (:mod:`.process`) or a thread
(:mod:`.thread`), or a command in script mode (:mod:`.command`); :mod:`.spec` holds what they
share with the driver, :mod:`.environment` the ``SM_*`` contract, :mod:`.reporter` the reporter
given to callables.
"""
