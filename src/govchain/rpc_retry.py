"""Bounded retries with exponential backoff for the JSON-RPC transport.

A public endpoint drops connections, times out and answers 502 or 429 under load; one such
hiccup should not fail a clerk's batch. Only transport failures are retried: a JSON-RPC error
response is the node's answer and is returned as it is. Sending a request again is safe for
the methods govchain relies on: reads are idempotent, and ``eth_sendRawTransaction`` of the same
signed bytes is the same transaction (same hash), which the node reports as already known or, if
it was mined meanwhile, as "nonce too low"; :class:`govchain.sender.Sender` takes either answer
for its own hash as "in flight". The few methods where a repeat would act twice
(:data:`NOT_IDEMPOTENT`) are retried only when the request cannot have reached the node.
The happy path costs nothing: no pause before the first attempt.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from eth_typing import URI
from web3 import HTTPProvider
from web3._utils.batching import sort_batch_response_by_response_ids
from web3.types import RPCEndpoint, RPCResponse

from govchain.errors import NetworkError

log = logging.getLogger("govchain.rpc")

_URL_IN_MESSAGE = re.compile(r"with url: \S+")

T = TypeVar("T")

# Status codes a proxy or load balancer returns when the node behind it is briefly unavailable.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Methods whose repetition changes the outcome (a node-signed transaction gets a new nonce, the
# clock moves twice, a snapshot is consumed): retried only when the request surely never left.
NOT_IDEMPOTENT = frozenset(
    {
        "eth_sendTransaction",
        "evm_mine",
        "anvil_mine",
        "evm_increaseTime",
        "evm_snapshot",
        "evm_revert",
    }
)
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    requests.ConnectionError,  # refused, reset, closed before the response
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # connection lost in the middle of the response
)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying one JSON-RPC request before giving up."""

    attempts: int = 5
    backoff: float = 0.05  # pause after the first failure; doubled after each further one
    max_backoff: float = 2.0
    max_elapsed: float = 30.0  # no attempt starts later than this after the first
    timeout: float = 60.0  # per attempt (connect and read)

    def pause(self, failures: int) -> float:
        return float(min(self.backoff * 2 ** (failures - 1), self.max_backoff))


class RpcUnavailable(NetworkError):
    """The endpoint did not answer a request within the retry policy."""

    def __init__(
        self, method: str, endpoint: str, attempts: int, elapsed: float, cause: Exception
    ) -> None:
        self.method = method
        self.endpoint = endpoint
        self.attempts = attempts
        self.cause = cause
        # Only the method is named, never the parameters: they may be a signed transaction.
        super().__init__(
            f"{method} to {endpoint} failed after {attempts} attempt"
            f"{'s' if attempts != 1 else ''} in {elapsed:.1f}s; "
            f"last cause: {_describe(cause)}"
        )


def redact_url(url: str) -> str:
    """Scheme, host and port only: hosted endpoints put the API key in the path or query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{netloc}{hidden}"


def is_retryable(exc: Exception, methods: frozenset[str] = frozenset()) -> bool:
    if methods & NOT_IDEMPOTENT:
        return _never_sent(exc)
    if isinstance(exc, requests.HTTPError):
        return exc.response is not None and exc.response.status_code in RETRYABLE_STATUS
    return isinstance(exc, TRANSPORT_ERRORS)


def _never_sent(exc: Exception) -> bool:
    """The connection was refused or not established in time, or the endpoint said "later"."""
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.HTTPError):
        return exc.response is not None and exc.response.status_code == 429
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def with_retries(
    policy: RetryPolicy,
    method: str,
    endpoint: str,
    attempt: Callable[[], T],
    methods: frozenset[str] = frozenset(),
) -> T:
    """``attempt()`` until it succeeds, a non-transport error occurs, or the policy runs out.

    ``method`` names the request in messages; ``methods`` are the JSON-RPC methods it carries.
    """
    start = time.monotonic()
    failures = 0
    while True:
        try:
            return attempt()
        except requests.RequestException as exc:
            failures += 1
            elapsed = time.monotonic() - start
            pause = policy.pause(failures)
            if (
                not is_retryable(exc, methods)
                or failures >= policy.attempts
                or elapsed + pause > policy.max_elapsed
            ):
                raise RpcUnavailable(method, redact_url(endpoint), failures, elapsed, exc) from exc
            log.warning(
                "%s to %s failed (%s); retry %d of %d in %.2fs",
                method,
                redact_url(endpoint),
                _describe(exc),
                failures,
                policy.attempts - 1,
                pause,
            )
            time.sleep(pause)  # backoff between attempts, not waiting for chain state


class RetryingHTTPProvider(HTTPProvider):
    """web3's HTTP provider with :func:`with_retries` around single and batch requests.

    web3's own retry is turned off: it neither catches ``requests.ConnectionError`` nor retries
    batches, and it re-raises the bare transport exception at the end.
    """

    def __init__(self, url: str, policy: RetryPolicy | None = None, **kwargs: Any) -> None:
        self.policy = policy or RetryPolicy()
        super().__init__(
            url,
            request_kwargs={"timeout": self.policy.timeout},
            exception_retry_configuration=None,
            **kwargs,
        )

    def _post(self, request_data: bytes) -> bytes:
        response: bytes = self._request_session_manager.make_post_request(
            URI(str(self.endpoint_uri)), request_data, **self.get_request_kwargs()
        )
        return response

    def _make_request(self, method: RPCEndpoint, request_data: bytes) -> bytes:
        return with_retries(
            self.policy,
            str(method),
            str(self.endpoint_uri),
            lambda: self._post(request_data),
            frozenset({str(method)}),
        )

    def make_batch_request(
        self, batch_requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        request_data = self.encode_batch_rpc_request(batch_requests)
        methods = frozenset(str(method) for method, _ in batch_requests)
        label = f"batch of {len(batch_requests)} ({', '.join(sorted(methods))})"
        raw = with_retries(
            self.policy, label, str(self.endpoint_uri), lambda: self._post(request_data), methods
        )
        response = self.decode_rpc_response(raw)
        if not isinstance(response, list):  # the node rejected the batch as a whole
            return response
        return list(sort_batch_response_by_response_ids(response))

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return bool(super().is_connected(show_traceback))
        except RpcUnavailable:
            if show_traceback:
                raise
            return False


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}"
    kind = type(exc).__name__
    # requests quotes the request path in its messages; the path may hold an API key.
    text = _URL_IN_MESSAGE.sub("with url: …", str(exc))
    return f"{kind}: {text}" if text else kind
