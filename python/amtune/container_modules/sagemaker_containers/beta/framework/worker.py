"""``sagemaker_containers.beta.framework.worker``: :class:`Response`, what an ``output_fn`` or
``transform_fn`` returns to set the answer's content type (and status).

The container's ``worker.Response`` is a Flask response; this one has the parts amtune's model
server reads (``get_data()``, ``mimetype``, ``content_type``, ``status_code``, ``headers``), so
no web framework is needed. As Flask's, the default ``mimetype`` is ``application/json``, and a
``text/*`` type gets ``; charset=utf-8`` in ``content_type``.

>>> r = Response("1,2\\n", mimetype="text/csv")
>>> r.get_data(), r.content_type, r.status_code
(b'1,2\\n', 'text/csv; charset=utf-8', 200)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from . import content_types
from ._missing import missing


class Response:
    """An answer: the body (``str``, ``bytes`` or an iterable of them), status, headers and
    media type."""

    default_mimetype = content_types.JSON
    charset = "utf-8"

    def __init__(
        self,
        response: Any = None,
        accept: str | None = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        mimetype: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        if accept:
            warnings.warn(
                'ignoring deprecated "accept" argument to Response.__init__',
                DeprecationWarning,
                stacklevel=2,
            )
        self.response = response
        self.status_code = int(status)
        self.headers = dict(headers or {})
        self.mimetype = mimetype or self.headers.get("Content-Type") or self.default_mimetype
        self.direct_passthrough = direct_passthrough

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: ``mimetype``, with the charset for ``text/*``."""
        mt = self.mimetype
        if mt.startswith("text/") and "charset=" not in mt:
            return f"{mt}; charset={self.charset}"
        return mt

    @property
    def status(self) -> str:
        return str(self.status_code)

    def get_data(self, as_text: bool = False) -> Any:
        """The body as bytes (``as_text``: as str)."""
        body = self.response
        if body is None:
            data = b""
        elif isinstance(body, (bytes, bytearray, memoryview)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode(self.charset)
        elif isinstance(body, Iterable):
            data = b"".join(
                p.encode(self.charset) if isinstance(p, str) else bytes(p) for p in body
            )
        else:
            raise TypeError(
                f"Response body must be str, bytes or an iterable of them, got "
                f"{type(body).__name__}"
            )
        return data.decode(self.charset) if as_text else data


def __getattr__(name: str) -> Any:
    if name in ("Worker", "Request"):
        raise missing(__name__, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
