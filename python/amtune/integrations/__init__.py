"""Adapters that embed amtune's strategies in other tuning tools.

* :mod:`amtune.integrations.optuna`: ``AmtuneSampler``, an Optuna sampler, and ``to_study``
  (extra ``amtune[optuna]``);
* :mod:`amtune.integrations.ray`: ``AmtuneSearch``, a Ray Tune searcher (extra ``amtune[ray]``).

The scikit-learn search estimator is :class:`amtune.sklearn.AmtuneSearchCV`. Each module imports
its host library when it is imported, so importing this package costs nothing.
"""
