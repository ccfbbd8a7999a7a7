"""Keep-alive HTTP/1.1 connections from the router to its model servers.

The router only talks to amtune's own model servers (:mod:`amtune.serve.modelserver`), which
answer every request with a ``Content-Length``; a general-purpose client (httpx) spent about
1 ms of CPU per call and queued badly at 32 concurrent calls, more than the routing itself, so the
hot path uses asyncio streams directly. Chunked answers are decoded too, for robustness.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping


class UpstreamError(Exception):
    """The model server closed the connection or could not be reached."""


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class UpstreamPool:
    """Idle connections per model-server port; ``post`` reuses one or opens a new one."""

    def __init__(self, max_idle: int = 256) -> None:
        self._idle: dict[int, list[_Conn]] = {}
        self.max_idle = max_idle

    async def _open(self, port: int) -> _Conn:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            raise UpstreamError(
                f"cannot connect to the model server on port {port}: {exc}"
            ) from exc
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Conn(reader, writer)

    async def post(
        self, port: int, path: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, lower-case headers); raises :class:`UpstreamError` or
        ``asyncio.TimeoutError``."""
        head = [f"POST {path} HTTP/1.1", "host: 127.0.0.1", f"content-length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        req = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        idle = self._idle.setdefault(port, [])
        reused = bool(idle)
        conn = idle.pop() if idle else await self._open(port)
        try:
            status, rbody, rheaders = await asyncio.wait_for(self._roundtrip(conn, req), timeout)
        except UpstreamError:
            conn.close()
            if not reused:
                raise
            # a kept-alive connection the server had closed (e.g. it restarted): once more, fresh
            conn = await self._open(port)
            try:
                status, rbody, rheaders = await asyncio.wait_for(
                    self._roundtrip(conn, req), timeout
                )
            except BaseException:
                conn.close()
                raise
        except BaseException:
            conn.close()
            raise
        if rheaders.get("connection", "").lower() == "close" or len(idle) >= self.max_idle:
            conn.close()
        else:
            idle.append(conn)
        return status, rbody, rheaders

    @staticmethod
    async def _roundtrip(conn: _Conn, req: bytes) -> tuple[int, bytes, dict[str, str]]:
        try:
            conn.writer.write(req)
            raw = await conn.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers: dict[str, str] = {}
            for line in lines[1:]:
                if line:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
            if "content-length" in headers:
                body = await conn.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while True:
                    size = int((await conn.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunk = await conn.reader.readexactly(size + 2)
                    if size == 0:
                        break
                    parts.append(chunk[:-2])
                body = b"".join(parts)
            else:
                body = await conn.reader.read()
                headers["connection"] = "close"
            return status, body, headers
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise UpstreamError(f"the model server closed the connection: {exc!r}") from exc

    def close(self) -> None:
        for conns in self._idle.values():
            for c in conns:
                c.close()
        self._idle.clear()
