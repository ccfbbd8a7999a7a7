"""Local paths of ``file://`` URLs, read as SageMaker's local mode reads them."""

from __future__ import annotations

from urllib.parse import unquote, urlparse


def file_url_path(url: str) -> str:
    """The local path of a ``file://`` URL as SageMaker's local mode reads it: its host and path
    joined (``sagemaker.local.data``), so a relative URL is relative to the current directory;
    any other string as it is.

    >>> file_url_path("file://./model.tar.gz"), file_url_path("file://model/x")
    ('./model.tar.gz', 'model/x')
    >>> file_url_path("file://model.tar.gz"), file_url_path("file:///abs/m.tar.gz")
    ('model.tar.gz', '/abs/m.tar.gz')
    """
    if not url.startswith("file://"):
        return url
    parsed = urlparse(url)
    return unquote(parsed.netloc + parsed.path)
