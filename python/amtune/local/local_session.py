"""``sagemaker.local.local_session.LocalSession``: the SDK's local-mode session on amtune.

The SDK's ``LocalSession`` replaces the SageMaker clients by ones that run containers on this
machine; amtune's :class:`~amtune.sagemaker.session.Session` already runs everything here (its
endpoint service and local files for S3), so ``LocalSession`` is that ``Session``, with the
SDK's constructor arguments and its ``config`` (``{"local": {"local_code": True}}``, checked
against the SDK's local-mode schema, and otherwise without effect: the code is always local).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

from amtune.sagemaker.session import Session

__all__ = ["IgnoredArgumentWarning", "LocalSession"]

#: the keys of the SDK's local-mode config (``local:``) and their types
_LOCAL_KEYS: dict[str, type | tuple[type, ...]] = {
    "local_code": bool,
    "region_name": str,
    "serving_port": int,
    "container_root": str,
    "container_config": dict,
}


class IgnoredArgumentWarning(UserWarning):
    """An argument of the SageMaker SDK that has no local meaning here: accepted and ignored,
    with this warning naming it."""


def _check_config(value: Any) -> dict[str, Any] | None:
    """``value`` checked as the SDK checks a local-mode config (its JSON schema): None, or a
    dict with exactly the key ``local``, a dict of the keys of :data:`_LOCAL_KEYS`."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"local"}:
        raise ValueError(
            f"config: must be None or a dict with the one key 'local' (e.g. "
            f"{{'local': {{'local_code': True}}}}), got {value!r}"
        )
    local = value["local"]
    if not isinstance(local, Mapping):
        raise ValueError(f"config['local']: must be a dict, got {type(local).__name__}")
    for key, v in local.items():
        if key not in _LOCAL_KEYS:
            raise ValueError(
                f"config['local']: unknown key {key!r}; the keys are {', '.join(_LOCAL_KEYS)}"
            )
        want = _LOCAL_KEYS[key]
        if not isinstance(v, want) or (want is int and isinstance(v, bool)):
            name = want.__name__ if isinstance(want, type) else str(want)
            raise ValueError(f"config['local'][{key!r}]: must be a {name}, got {v!r}")
    return dict(value) if not isinstance(value, dict) else value


class LocalSession(Session):
    """``sagemaker.LocalSession`` (``from amtune.local import LocalSession``): an amtune
    :class:`~amtune.sagemaker.session.Session` with the SDK's local-mode arguments.

    ``boto_session`` gives the region and ``default_bucket`` is a local directory, as for
    ``Session``. ``s3_endpoint_url``, ``sagemaker_config``, ``default_bucket_prefix`` and
    ``disable_local_code=True`` (the code always runs here) have no local meaning: they are
    kept as attributes and ignored with an :class:`IgnoredArgumentWarning`. ``db`` and ``url``
    are ``Session``'s (the store and its endpoint service). ``config`` may be set, as the
    local-mode scripts do; it is checked as the SDK checks it and has no other effect.

    >>> import os, tempfile
    >>> sess = LocalSession(db=os.path.join(tempfile.mkdtemp(), "amtune.db"))
    >>> sess.config = {"local": {"local_code": True}}
    >>> sess.config, sess.local_mode
    ({'local': {'local_code': True}}, True)
    >>> sess.config = {"local": {"local_cod": True}}  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: config['local']: unknown key 'local_cod'; the keys are local_code, region_name, ...
    """

    def __init__(
        self,
        boto_session: Any = None,
        default_bucket: str | os.PathLike[str] | None = None,
        s3_endpoint_url: str | None = None,
        disable_local_code: bool = False,
        sagemaker_config: dict[str, Any] | None = None,
        default_bucket_prefix: str | None = None,
        *,
        db: str | os.PathLike[str] | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(boto_session, default_bucket=default_bucket, db=db, url=url)
        self.s3_endpoint_url = s3_endpoint_url
        self._disable_local_code = bool(disable_local_code)
        self.sagemaker_config = sagemaker_config
        self.default_bucket_prefix = default_bucket_prefix
        self.local_mode = True
        ignored = [
            k
            for k, v in (
                ("s3_endpoint_url", s3_endpoint_url),
                ("sagemaker_config", sagemaker_config),
                ("default_bucket_prefix", default_bucket_prefix),
                ("disable_local_code", disable_local_code or None),
            )
            if v is not None
        ]
        if ignored:
            warnings.warn(
                f"LocalSession: no local meaning, ignored: {', '.join(ignored)} (S3 is local "
                f"files here: default_bucket() is a local directory)",
                IgnoredArgumentWarning,
                stacklevel=2,
            )

    @property
    def config(self) -> dict[str, Any] | None:
        """The SDK's local-mode config (None unless set)."""
        return self._config

    @config.setter
    def config(self, value: dict[str, Any] | None) -> None:
        self._config = _check_config(value)
