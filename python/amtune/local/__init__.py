"""``sagemaker.local``: ``from amtune.local import LocalSession``
(:mod:`amtune.local.local_session`).

The SDK's local mode runs jobs and endpoints in Docker on this machine; amtune runs every job
and endpoint on this machine anyway, so :class:`LocalSession` is an amtune ``Session`` that also
takes the local-mode arguments and ``config``.
"""

from __future__ import annotations

from amtune.local.local_session import IgnoredArgumentWarning, LocalSession

__all__ = ["IgnoredArgumentWarning", "LocalSession"]
