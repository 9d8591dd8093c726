"""One transaction as a citizen reads it, from the chain itself (not only from the index).

Status, block and confirmations, who sent it and to whom (named when a suite contract or a
role holder), the function called with its arguments decoded by the suite's ABIs, every log
decoded into a sentence, gas, and the raw input. A failed transaction has no logs; its reason
is found by replaying the call on the state before its block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govchain.clients.land import parcel_number
from govchain.explorer.calls import Call, CallDecoder
from govchain.explorer.describe import Words, describe
from govchain.explorer.store import EventRow, jsonable
from govchain.session import Session


@dataclass(frozen=True)
class LogView:
    """One log of the transaction: decoded, in words, and whether the index holds it."""

    log_index: int
    address: str
    contract: str | None
    event: str | None
    sentence: str
    kind: str | None
    record: str | None
    args: dict[str, Any]
    indexed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "log_index": self.log_index,
            "address": self.address,
            "contract": self.contract,
            "event": self.event,
            "sentence": self.sentence,
            "record": {"kind": self.kind, "id": self.record} if self.kind else None,
            "args": self.args,
            "indexed": self.indexed,
        }


@dataclass
class TxView:
    hash: str
    status: int
    block_number: int
    block_hash: str
    timestamp: int
    confirmations: int
    sender: str
    recipient: str | None
    created: str | None
    value: int
    nonce: int
    gas_used: int
    gas_limit: int
    gas_price: int
    input: str
    call: Call | None
    logs: list[LogView] = field(default_factory=list)
    indexed: bool = False
    failure: str | None = None
    failure_notice: str | None = None

    @property
    def fee(self) -> int:
        return self.gas_used * self.gas_price

    @property
    def input_size(self) -> int:
        return (len(self.input) - 2) // 2


def read_transaction(
    session: Session,
    tx_hash: str,
    *,
    words: Words,
    calls: CallDecoder,
    contracts: Mapping[str, str],
    indexed_rows: list[EventRow],
) -> TxView | None:
    """The mined transaction ``tx_hash`` read from the chain, or None if the chain lacks it."""
    from web3.exceptions import TransactionNotFound

    w3 = session.chain.w3
    try:
        tx = w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return None
    if receipt is None or receipt.get("blockNumber") is None:
        return None  # pending: not in a block yet
    names = {address.lower(): name for name, address in contracts.items()}
    number = int(receipt["blockNumber"])
    head = int(w3.eth.block_number)
    block = w3.eth.get_block(number)
    recipient = None if tx.get("to") is None else str(tx["to"])
    created = None if receipt.get("contractAddress") is None else str(receipt["contractAddress"])
    data = bytes(tx["input"])
    if recipient is None:
        call = calls.decode_creation(data, names.get((created or "").lower()))
    else:
        call = calls.decode(data, names.get(recipient.lower()))
    indexed = {row.log_index for row in indexed_rows}
    logs = [_log(session, log, words, names, indexed) for log in receipt["logs"]]
    view = TxView(
        hash=tx_hash,
        status=int(receipt["status"]),
        block_number=number,
        block_hash="0x" + bytes(block["hash"]).hex(),
        timestamp=int(block["timestamp"]),
        confirmations=head - number + 1,
        sender=str(tx["from"]),
        recipient=recipient,
        created=created,
        value=int(tx.get("value", 0)),
        nonce=int(tx["nonce"]),
        gas_used=int(receipt["gasUsed"]),
        gas_limit=int(tx["gas"]),
        gas_price=int(receipt.get("effectiveGasPrice") or tx.get("gasPrice") or 0),
        input="0x" + data.hex(),
        call=call,
        logs=logs,
        indexed=bool(indexed_rows),
    )
    if view.status == 0:
        view.failure, view.failure_notice = _replay_failure(session, tx, number, calls, names)
    return view


def _log(
    session: Session,
    log: Any,
    words: Words,
    names: Mapping[str, str],
    indexed: set[int],
) -> LogView:
    address = str(log["address"])
    contract = names.get(address.lower())
    index = int(log["logIndex"])
    event = session.events.decode(log)
    if event is None:
        unknown = "an event the suite's ABIs do not describe"
        return LogView(index, address, contract, None, unknown, None, None, {}, False)
    described = describe(event, words) if contract else None
    kind: str | None = None
    record: str | None = None
    if described is not None:
        sentence, kind, record = described.sentence, described.kind, described.record
    else:
        shown = ", ".join(
            f"{k} {_word(v, words, parcel=contract == 'LandRegistry' and k == 'tokenId')}"
            if not (contract == "PaymentToken" and k == "value")
            else f"{k} {words.amount(v)}"  # the suite's own token: in its units
            for k, v in event.args.items()
        )
        sentence = f"{contract or words.who(address)} emitted {event.name}" + (
            f": {shown}" if shown else ""
        )
    return LogView(
        index,
        address,
        contract,
        event.name,
        sentence,
        kind,
        record,
        jsonable(dict(event.args)),
        index in indexed,
    )


def _word(value: Any, words: Words, *, parcel: bool = False) -> str:
    if parcel and isinstance(value, int):
        return f"parcel {parcel_number(value)}"
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return words.who(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_word(v, words) for v in value) + "]"
    return str(value)


def _replay_failure(
    session: Session, tx: Any, number: int, calls: CallDecoder, names: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """Why it failed: the call replayed on the state before its block, its error decoded."""
    from web3.exceptions import ContractLogicError

    from govchain.errors import ContractError
    from govchain.revert import revert_data_from_exception

    request = {
        "from": tx["from"],
        "to": tx.get("to"),
        "data": tx["input"],
        "value": tx.get("value", 0),
        "gas": tx["gas"],
    }
    contract = names.get(str(tx.get("to") or "").lower())
    try:
        session.chain.w3.eth.call(request, max(number - 1, 0))  # type: ignore[arg-type]
    except ContractLogicError as exc:
        error = session.errors.decode(revert_data_from_exception(exc), contract=contract)
        notice = None
        if isinstance(error, ContractError):
            notice = calls.error_notice(contract, error.signature)
        return str(error), notice
    except Exception:  # noqa: BLE001 - a node without historical state, a provider quirk
        return None, None
    return (
        "replayed on the state before its block the call succeeds: an earlier transaction "
        "in the same block made it fail",
        None,
    )
