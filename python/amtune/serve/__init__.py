"""Endpoints: model servers behind a router with weighted production variants (extra ``serve``).

``amtune.serve.handler`` (SageMaker's inference handler contract) needs only numpy; the servers,
router and control plane need ``starlette`` and ``uvicorn`` (``pip install amtune[serve]``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["EndpointService", "Predictor", "deploy"]


def __getattr__(name: str) -> Any:  # lazy: importing amtune.serve.handler needs no web stack
    if name == "deploy":
        from amtune.serve.deployment import deploy

        return deploy
    if name == "Predictor":
        from amtune.serve.deployment import Predictor

        return Predictor
    if name == "EndpointService":
        from amtune.serve.service import EndpointService

        return EndpointService
    raise AttributeError(f"module 'amtune.serve' has no attribute {name!r}")
