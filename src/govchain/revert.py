"""Decode revert data into Python exceptions named after the contract's custom error.

One registry, keyed on the 4-byte selector, built from the ABIs of the compiled contracts (which
include the errors of every OpenZeppelin base they inherit). Exception classes are created once per
error name, so ``pytest.raises(contract_error("AccessControlUnauthorizedAccount"))`` matches what
any client raises.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govchain.errors import ContractError, TransactionFailed

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

_classes: dict[str, type[ContractError]] = {}


class RevertedWithMessage(ContractError):
    """``require(cond, "message")`` or ``revert("message")``: the suite never does this itself."""

    error_name = "Error"
    signature = "Error(string)"


class Panic(ContractError):
    """A Solidity panic (assert, overflow, division by zero...); ``inputs['code']`` says which."""

    error_name = "Panic"
    signature = "Panic(uint256)"


def contract_error(name: str) -> type[ContractError]:
    """The exception class for custom error ``name`` (created on first use)."""
    cls = _classes.get(name)
    if cls is None:
        cls = type(name, (ContractError,), {"error_name": name, "__module__": __name__})
        _classes[name] = cls
    return cls


def _canonical_type(item: dict[str, Any]) -> str:
    kind: str = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


@dataclass(frozen=True)
class ErrorSpec:
    name: str
    signature: str
    types: tuple[str, ...]
    names: tuple[str, ...]


@dataclass
class ErrorRegistry:
    """Custom errors known from a set of ABIs, by selector."""

    specs: dict[bytes, ErrorSpec] = field(default_factory=dict)
    owners: dict[bytes, str] = field(default_factory=dict)

    def add_abi(self, abi: Iterable[dict[str, Any]], contract: str | None = None) -> None:
        from eth_utils import keccak

        for item in abi:
            if item.get("type") != "error":
                continue
            types = tuple(_canonical_type(i) for i in item.get("inputs", []))
            signature = f"{item['name']}({','.join(types)})"
            selector = keccak(text=signature)[:4]
            names = tuple(i.get("name") or f"arg{n}" for n, i in enumerate(item.get("inputs", [])))
            self.specs.setdefault(selector, ErrorSpec(item["name"], signature, types, names))
            if contract:
                # An error shared by several contracts (OpenZeppelin's) names no single owner.
                previous = self.owners.get(selector, contract)
                self.owners[selector] = contract if previous == contract else ""

    def decode(
        self, data: bytes | str | None, *, tx_hash: str | None = None, contract: str | None = None
    ) -> TransactionFailed:
        """Turn revert ``data`` into the most specific exception available."""
        from eth_abi import decode as abi_decode
        from eth_abi.exceptions import DecodingError

        raw = _to_bytes(data)
        if len(raw) < 4:
            return TransactionFailed(
                "transaction reverted without revert data (out of gas, or a revert with no reason)",
                tx_hash=tx_hash,
                data=raw,
            )
        selector, payload = raw[:4], raw[4:]
        try:
            if selector == ERROR_STRING_SELECTOR:
                (message,) = abi_decode(["string"], payload)
                return RevertedWithMessage({"message": message}, tx_hash=tx_hash, data=raw)
            if selector == PANIC_SELECTOR:
                (code,) = abi_decode(["uint256"], payload)
                return Panic({"code": hex(code)}, tx_hash=tx_hash, data=raw)
            spec = self.specs.get(selector)
            if spec is None:
                return TransactionFailed(
                    f"reverted with unknown error selector 0x{selector.hex()} (data 0x{raw.hex()})",
                    tx_hash=tx_hash,
                    data=raw,
                )
            values = abi_decode(list(spec.types), payload)
        except DecodingError:
            return TransactionFailed(
                f"undecodable revert data 0x{raw.hex()}", tx_hash=tx_hash, data=raw
            )
        cls = contract_error(spec.name)
        cls.signature = spec.signature
        return cls(
            {
                name: normalize(kind, value)
                for name, kind, value in zip(spec.names, spec.types, values, strict=True)
            },
            contract=contract or self.owners.get(selector) or None,
            tx_hash=tx_hash,
            data=raw,
        )


def normalize(kind: str, value: Any) -> Any:
    """eth-abi returns lower-case addresses; everything govchain shows is checksummed."""
    from eth_utils import to_checksum_address

    if kind == "address":
        return to_checksum_address(value)
    if kind.endswith("]") and isinstance(value, list | tuple):
        inner = kind[: kind.rindex("[")]
        return [normalize(inner, item) for item in value]
    return value


def _to_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    text = data[2:] if data.startswith("0x") else data
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


def revert_data_from_exception(exc: BaseException) -> bytes | None:
    """Dig the revert data out of whatever web3 or a provider raised, if it carries any."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):  # JSON-RPC error object
        data = data.get("data")
    if isinstance(data, str | bytes):
        raw = _to_bytes(data)
        if raw:
            return raw
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, dict):
            inner = arg.get("data")
            if isinstance(inner, str | bytes) and _to_bytes(inner):
                return _to_bytes(inner)
        if isinstance(arg, bytes) and len(arg) >= 4:
            return arg
        if isinstance(arg, str) and arg.startswith("0x") and _to_bytes(arg):
            return _to_bytes(arg)
        if isinstance(arg, str) and arg.startswith(_PYEVM_PREFIX):
            # eth-tester (py-evm) renders the data as a Python bytes literal in its message.
            with contextlib.suppress(ValueError, SyntaxError):
                literal = ast.literal_eval(arg[len(_PYEVM_PREFIX) :])
                if isinstance(literal, bytes):
                    return literal
    return None


_PYEVM_PREFIX = "execution reverted: "
