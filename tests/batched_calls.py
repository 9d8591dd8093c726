"""Raw ABI words and batched eth_calls, for state machines that read much state every step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_utils import keccak

from govchain.chain import Chain
from govchain.revert import ErrorRegistry


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def address_word(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def batch_eth_call(
    chain: Chain, calls: Iterable[tuple[str, bytes | str]], errors: ErrorRegistry | None = None
) -> list[Any]:
    """Many eth_calls in one JSON-RPC batch (web3's per-call overhead would dominate).

    Each result is the returned bytes; a revert is its decoded error when ``errors`` is given,
    and fails the test otherwise.
    """
    requests = [
        (
            "eth_call",
            [{"to": to, "data": data if isinstance(data, str) else "0x" + data.hex()}, "latest"],
        )
        for to, data in calls
    ]
    if not requests:
        return []
    provider: Any = chain.w3.provider
    responses = provider.make_batch_request(requests)
    assert isinstance(responses, list), responses
    out: list[Any] = []
    for response in sorted(responses, key=lambda r: int(r["id"])):
        if "error" in response:
            assert errors is not None, response
            out.append(errors.decode(response["error"].get("data")))
        else:
            out.append(bytes.fromhex(str(response["result"])[2:]))
    return out


def _hex(data: bytes | str) -> str:
    return data if isinstance(data, str) else "0x" + data.hex()
