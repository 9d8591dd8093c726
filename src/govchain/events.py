"""Decode logs into named events, keyed on topic0, from the compiled ABIs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govchain.revert import _canonical_type, normalize


@dataclass(frozen=True)
class Event:
    """One decoded log."""

    name: str
    address: str
    args: dict[str, Any]
    log_index: int
    contract: str | None = None
    block_number: int | None = None
    tx_hash: str | None = None

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


@dataclass(frozen=True)
class _EventSpec:
    name: str
    inputs: tuple[dict[str, Any], ...]


@dataclass
class EventRegistry:
    """Events known from a set of ABIs, by topic0 and indexed-argument count."""

    specs: dict[tuple[bytes, int], _EventSpec] = field(default_factory=dict)
    owners: dict[bytes, str] = field(default_factory=dict)

    def add_abi(self, abi: Iterable[dict[str, Any]], contract: str | None = None) -> None:
        from eth_utils import keccak

        for item in abi:
            if item.get("type") != "event" or item.get("anonymous"):
                continue
            inputs = tuple(item.get("inputs", []))
            signature = f"{item['name']}({','.join(_canonical_type(i) for i in inputs)})"
            topic = keccak(text=signature)
            indexed = sum(1 for i in inputs if i.get("indexed"))
            # ERC-20 and ERC-721 Transfer share a signature and differ only in what is indexed.
            self.specs.setdefault((topic, indexed), _EventSpec(item["name"], inputs))
            if contract:
                previous = self.owners.get(topic, contract)
                self.owners[topic] = contract if previous == contract else ""

    def topic(self, name: str) -> str:
        """The topic0 (``0x``-hex) of the event called ``name``, for log filters."""
        found = {topic for (topic, _), spec in self.specs.items() if spec.name == name}
        if len(found) != 1:
            raise LookupError(f"{len(found)} known events are called {name!r}; expected one")
        return "0x" + found.pop().hex()

    def decode(self, log: Mapping[str, Any]) -> Event | None:
        """Decode one log, or ``None`` if no known ABI matches it."""
        from eth_abi import decode as abi_decode
        from eth_abi.exceptions import DecodingError
        from eth_utils import to_checksum_address

        topics = [bytes(t) for t in log["topics"]]
        if not topics:
            return None
        spec = self.specs.get((topics[0], len(topics) - 1))
        if spec is None:
            return None
        indexed = [i for i in spec.inputs if i.get("indexed")]
        plain = [i for i in spec.inputs if not i.get("indexed")]
        try:
            kinds = [_canonical_type(i) for i in plain]
            decoded = abi_decode(kinds, bytes(log["data"]))
            values = {
                i["name"]: normalize(kind, value)
                for i, kind, value in zip(plain, kinds, decoded, strict=True)
            }
            for item, topic in zip(indexed, topics[1:], strict=True):
                kind = _canonical_type(item)
                dynamic = kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")
                # An indexed dynamic value is stored as its hash: keep the topic as is.
                values[item["name"]] = (
                    topic if dynamic else normalize(kind, abi_decode([kind], topic)[0])
                )
        except DecodingError:
            return None
        args = {i["name"]: values[i["name"]] for i in spec.inputs}
        return Event(
            name=spec.name,
            address=to_checksum_address(log["address"]),
            args=args,
            log_index=int(log["logIndex"]),
            contract=self.owners.get(topics[0]) or None,
            block_number=_optional_int(log.get("blockNumber")),
            tx_hash=_hex(log.get("transactionHash")),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _hex(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()
