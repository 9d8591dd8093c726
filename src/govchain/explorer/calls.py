"""Decode a transaction's input with the suite's ABIs: which function, with which arguments.

The 4-byte selector is looked up in the ABI of the contract the transaction was sent to first
(so ``register`` on the land registry is the registry's own), then in every compiled contract.
A deployment's input is the creation code followed by the constructor's arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govchain.clients.land import parcel_number
from govchain.compiler import load_artifact, load_manifest
from govchain.explorer.store import jsonable
from govchain.project import Project
from govchain.revert import _canonical_type, normalize

PARCEL_ARGS = {"parcelId", "parcelIds", "childId", "childIds"}


@dataclass(frozen=True)
class Argument:
    """One decoded argument: JSON value, plain text, and the address to link, if it is one."""

    name: str
    type: str
    value: Any
    text: str
    address: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "value": self.value, "text": self.text}


@dataclass(frozen=True)
class Call:
    """A decoded call (or deployment) and what the contract's NatSpec says the function does."""

    contract: str | None
    function: str
    signature: str
    selector: str | None
    arguments: list[Argument] = field(default_factory=list)
    notice: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "function": self.function,
            "signature": self.signature,
            "selector": self.selector,
            "arguments": [a.as_dict() for a in self.arguments],
            "notice": self.notice,
            "error": self.error,
        }


@dataclass(frozen=True)
class _Function:
    contract: str
    item: dict[str, Any]
    signature: str
    notice: str | None


class CallDecoder:
    """Selectors of every compiled contract's functions (contracts with code first)."""

    def __init__(self, project: Project) -> None:
        from eth_utils import keccak

        self.project = project
        self.by_selector: dict[bytes, list[_Function]] = {}
        self.artifacts: dict[str, dict[str, Any]] = {}
        for name in load_manifest(project)["artifacts"]:
            artifact = load_artifact(project, name)
            if len(artifact["deployedBytecode"]) <= 2:
                continue  # interfaces and libraries: their functions live in what inherits them
            self.artifacts[name] = artifact
            methods = artifact.get("userdoc", {}).get("methods", {})
            for item in artifact["abi"]:
                if item.get("type") != "function":
                    continue
                types = ",".join(_canonical_type(i) for i in item.get("inputs", []))
                signature = f"{item['name']}({types})"
                notice = methods.get(signature, {}).get("notice")
                selector = keccak(text=signature)[:4]
                self.by_selector.setdefault(selector, []).append(
                    _Function(name, item, signature, notice)
                )

    def decode(self, data: bytes, contract: str | None = None) -> Call | None:
        """The call ``data`` makes on ``contract`` (an artifact name), or None if unknown."""
        if len(data) < 4:
            return None
        candidates = self.by_selector.get(data[:4], [])
        if not candidates:
            return None
        chosen = next((c for c in candidates if c.contract == contract), candidates[0])
        owner = contract if chosen.contract == contract else chosen.contract
        arguments, error = _decode_arguments(chosen.item.get("inputs", []), data[4:], owner)
        return Call(
            contract=owner,
            function=str(chosen.item["name"]),
            signature=chosen.signature,
            selector="0x" + data[:4].hex(),
            arguments=arguments,
            notice=chosen.notice,
            error=error,
        )

    def error_notice(self, contract: str | None, signature: str) -> str | None:
        """The @notice of custom error ``signature``, from ``contract``'s NatSpec or any other's."""
        ordered = sorted(self.artifacts.items(), key=lambda item: item[0] != contract)
        for _, artifact in ordered:
            for doc in artifact.get("userdoc", {}).get("errors", {}).get(signature) or []:
                if doc.get("notice"):
                    return str(doc["notice"])
        return None

    def decode_creation(self, data: bytes, contract: str | None) -> Call | None:
        """A deployment of ``contract``: its creation code then the constructor's arguments."""
        artifact = self.artifacts.get(contract or "")
        if contract is None or artifact is None:
            return None
        creation = bytes.fromhex(artifact["bytecode"][2:])
        constructor: dict[str, Any] = next(
            (i for i in artifact["abi"] if i.get("type") == "constructor"), {}
        )
        inputs = constructor.get("inputs", [])
        types = ",".join(_canonical_type(i) for i in inputs)
        if not data.startswith(creation):
            return Call(
                contract,
                "constructor",
                f"constructor({types})",
                None,
                error="the creation code differs from the local build of " + contract,
            )
        arguments, error = _decode_arguments(inputs, data[len(creation) :], contract)
        return Call(
            contract,
            "constructor",
            f"constructor({types})",
            None,
            arguments,
            notice=_constructor_notice(artifact),
            error=error,
        )


def _constructor_notice(artifact: dict[str, Any]) -> str | None:
    notice = artifact.get("userdoc", {}).get("methods", {}).get("constructor", {}).get("notice")
    return None if notice is None else str(notice)


def _decode_arguments(
    inputs: list[dict[str, Any]], data: bytes, contract: str | None
) -> tuple[list[Argument], str | None]:
    from eth_abi import decode as abi_decode
    from eth_abi.exceptions import DecodingError

    kinds = [_canonical_type(i) for i in inputs]
    try:
        values = abi_decode(kinds, data)
    except (DecodingError, ValueError, OverflowError) as exc:
        return [], f"the arguments do not decode as {', '.join(kinds) or 'nothing'}: {exc}"
    arguments = []
    for position, (item, kind, value) in enumerate(zip(inputs, kinds, values, strict=True)):
        name = item.get("name") or f"argument {position + 1}"
        value = normalize(kind, value)
        parcel = contract == "LandRegistry" and name in PARCEL_ARGS
        arguments.append(
            Argument(
                name=name,
                type=kind,
                value=jsonable(value),
                text=_text(item, value, parcel),
                address=str(value) if kind == "address" else None,
            )
        )
    return arguments, None


def _text(item: dict[str, Any], value: Any, parcel: bool = False) -> str:
    """A decoded value as plain text: structs by field, bytes as hex, parcel ids as numbers."""
    kind = str(item["type"])
    if kind.endswith("]") and isinstance(value, list | tuple):
        inner = dict(item, type=kind[: kind.rindex("[")])
        return "[" + ", ".join(_text(inner, v, parcel) for v in value) + "]"
    if kind == "tuple" and isinstance(value, tuple):
        components = item.get("components", [])
        fields = (
            f"{c.get('name') or i}: {_text(c, normalize(_canonical_type(c), v))}"
            for i, (c, v) in enumerate(zip(components, value, strict=False))
        )
        return "{" + ", ".join(fields) + "}"
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and parcel:
        try:
            return f"parcel {parcel_number(value)}"
        except (ValueError, OverflowError):
            return str(value)
    return str(value)
