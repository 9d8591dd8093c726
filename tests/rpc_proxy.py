"""A small HTTP proxy in front of a JSON-RPC node that misbehaves on request.

Faults are queued with :meth:`RpcProxy.add` and consumed in order by the requests they match:
close the connection without answering, answer an HTTP error status, delay, forward the request
but lose the response, or never answer. Everything else is forwarded untouched. The proxy keeps
a log of the JSON-RPC methods of every request it received, forwarded or not.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

FaultKind = Literal["drop", "status", "delay", "lose_response", "hang"]


@dataclass
class Fault:
    """One misbehaviour, for ``times`` matching requests (``None``: for ever)."""

    kind: FaultKind
    times: int | None = 1
    methods: frozenset[str] | None = None  # match requests containing one of these methods
    status: int = 502
    delay: float = 0.0

    def matches(self, methods: list[str]) -> bool:
        if self.times == 0:
            return False
        return self.methods is None or any(m in self.methods for m in methods)


@dataclass
class RpcProxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    log: list[list[str]] = field(default_factory=list)  # methods of each request received
    bodies: list[Any] = field(default_factory=list)  # the decoded JSON of each request
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def count(self, method: str) -> int:
        with self._lock:
            return sum(methods.count(method) for methods in self.log)

    def start(self) -> RpcProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fault = proxy._take(body)
                kind = fault.kind if fault else None
                if kind == "drop":
                    self._hang_up()
                elif kind == "status" and fault is not None:
                    self._answer(fault.status, b'{"error": "bad gateway"}')
                elif kind == "hang":
                    proxy._closing.wait(30)  # until the client gave up and the proxy stops
                    self._hang_up()
                else:
                    if kind == "delay" and fault is not None:
                        proxy._closing.wait(fault.delay)
                    answer = proxy._forward(body)
                    if kind == "lose_response":
                        self._hang_up()
                    else:
                        self._answer(200, answer)

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _hang_up(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):  # the client may have gone already
                    self.connection.shutdown(socket.SHUT_RDWR)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep pytest output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> RpcProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take(self, body: bytes) -> Fault | None:
        decoded = json.loads(body)
        calls = decoded if isinstance(decoded, list) else [decoded]
        methods = [str(call.get("method")) for call in calls]
        with self._lock:
            self.log.append(methods)
            self.bodies.append(decoded)
            for fault in self.faults:
                if fault.matches(methods):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: bytes = response.read()
            return answer
