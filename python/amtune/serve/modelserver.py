"""One model server: a process answering ``GET /ping`` and ``POST /invocations`` for one model.

It is what a SageMaker inference container is to an instance: it loads the model through the
inference handler contract (:mod:`amtune.serve.handler`) when it starts, then answers
invocations one at a time. Run as ``python -m amtune.serve.modelserver --model-dir DIR
[--program inference.py] [--submit-dir DIR] [--port-file FILE]``; it listens on 127.0.0.1 on a free
port and writes the port to ``--port-file`` once the model is loaded.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from amtune.serve.handler import Handler

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def read_body(receive: Receive) -> bytes:
    chunks = []
    more = True
    while more:
        msg = await receive()
        chunks.append(msg.get("body", b""))
        more = msg.get("more_body", False)
    return b"".join(chunks)


async def respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = "text/plain",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    hs = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": hs})
    await send({"type": "http.response.body", "body": body})


class ModelServerApp:
    """The ASGI application of a model server (a plain ASGI callable: two routes only)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/ping" and method == "GET":
            ok = self.handler.loaded
            await respond(send, 200 if ok else 503, b"" if ok else b"model not loaded")
        elif path == "/invocations" and method == "POST":
            body = await read_body(receive)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            r = self.handler.invoke(
                body, headers.get("content-type"), headers.get("accept"), headers
            )
            extra = []
            if r.custom_attributes is not None:
                extra.append((b"x-amzn-sagemaker-custom-attributes", r.custom_attributes.encode()))
            await respond(send, r.status, r.body, r.content_type, extra)
        else:
            await respond(send, 404, b"not found")


def _exit_with_parent(interval: float = 1.0) -> None:
    """End this process when the endpoint service that started it is gone (even SIGKILLed)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's own graceful shutdown
                return

    threading.Thread(target=watch, name="amtune-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    # a crash (a segfault in a model's native code) prints every thread's traceback into the
    # server's log, which the endpoint's FailureReason quotes, instead of ending it silently
    faulthandler.enable()
    import uvicorn

    p = argparse.ArgumentParser(prog="python -m amtune.serve.modelserver")
    p.add_argument("--model-dir", required=True)
    p.add_argument("--program", default=None)
    p.add_argument("--submit-dir", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", default=None)
    a = p.parse_args(argv)
    _exit_with_parent()
    handler = Handler.load(a.model_dir, a.program, a.submit_dir)
    # IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then (else 40 ms stalls)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((a.host, a.port))
    sock.listen(128)  # connections queue from now on, before the server loop runs
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        ModelServerApp(handler),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=3600,
    )
    server = uvicorn.Server(config)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, a.port_file)
    print(f"amtune model server on {a.host}:{port}", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
