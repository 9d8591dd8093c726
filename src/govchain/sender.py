"""The transaction sender every client shares.

- Nonces are tracked locally, so independent transactions go out back to back without waiting
  for each other's receipts; a lock keeps concurrent callers from reusing or skipping a nonce.
- Gas is estimated before sending: a call that would revert raises the decoded custom error and
  sends nothing (no nonce is used, no fee is paid).
- Receipts are polled with a short interval (web3's default 0.1 s caps a devnet at ~10 tx/s).
- A receipt with status 0 is replayed with ``eth_call`` to recover and decode the revert reason.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govchain.errors import NetworkError, TransactionFailed
from govchain.events import Event, EventRegistry
from govchain.revert import ErrorRegistry, revert_data_from_exception

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract.contract import ContractFunction

GAS_MARGIN_PERCENT = 20  # estimates drift when state changes between estimate and inclusion
FEE_REFRESH_SECONDS = 1.0
POLL_START = 0.002
POLL_MAX = 0.05
RECEIPT_TIMEOUT = 180.0


@dataclass(frozen=True)
class Receipt:
    """A mined transaction with its logs decoded into :class:`Event` objects."""

    tx_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    status: int
    sender: str
    contract_address: str | None
    events: list[Event]

    def events_named(self, name: str) -> list[Event]:
        return [event for event in self.events if event.name == name]

    def event(self, name: str) -> Event:
        """The single event called ``name`` (raises if there is not exactly one)."""
        found = self.events_named(name)
        if len(found) != 1:
            raise LookupError(f"expected one {name} event in {self.tx_hash}, found {len(found)}")
        return found[0]


@dataclass(frozen=True)
class PendingTransaction:
    """A transaction accepted by the node, not yet known to be mined."""

    tx_hash: str
    nonce: int
    request: dict[str, Any] = field(repr=False)


@dataclass
class Sender:
    """Signs and sends transactions for one account on one chain."""

    w3: Web3
    account: LocalAccount
    errors: ErrorRegistry = field(default_factory=ErrorRegistry)
    events: EventRegistry = field(default_factory=EventRegistry)
    confirmations: int = 0
    receipt_timeout: float = RECEIPT_TIMEOUT
    _nonce: int | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _chain_id: int | None = field(default=None, init=False, repr=False)
    _fees: tuple[float, int, int] | None = field(default=None, init=False, repr=False)
    _estimate_block: str | None = field(default="pending", init=False, repr=False)

    @property
    def address(self) -> str:
        return str(self.account.address)

    # -- sending -------------------------------------------------------------------------------

    def send(
        self, to: str | None, data: bytes | str = b"", *, value: int = 0, gas: int | None = None
    ) -> PendingTransaction:
        """Sign and broadcast; returns as soon as the node has accepted the transaction."""
        request: dict[str, Any] = {"from": self.address, "value": value, "data": _hex(data)}
        if to is not None:
            request["to"] = to
        if gas is None:
            gas = self._estimate(request)
        with self._lock:
            nonce = self._next_nonce()
            tx = {
                **request,
                "gas": gas,
                "nonce": nonce,
                "chainId": self._chain(),
                **self._fee_fields(),
            }
            tx.pop("from")
            if to is None:
                tx.pop("to", None)
            signed = self.account.sign_transaction(tx)  # type: ignore[arg-type]
            try:
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except Exception:
                self._nonce = None  # resynchronise from the node: this nonce may be unused
                raise
            self._nonce = nonce + 1
        return PendingTransaction("0x" + bytes(tx_hash).hex(), nonce, request)

    def send_call(self, call: ContractFunction, *, value: int = 0) -> PendingTransaction:
        """Send a bound contract function call (``contract.functions.f(args)``)."""
        return self.send(call.address, call._encode_transaction_data(), value=value)

    def transact(self, call: ContractFunction, *, value: int = 0) -> Receipt:
        """Send a contract call and wait for its receipt."""
        return self.wait(self.send_call(call, value=value))

    def deploy(self, bytecode: str, abi: list[dict[str, Any]], *args: Any) -> Receipt:
        """Deploy a contract and wait for its receipt (``contract_address`` is set)."""
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        data = factory.constructor(*args).data_in_transaction
        return self.wait(self.send(None, data))

    # -- receipts ------------------------------------------------------------------------------

    def wait(self, pending: PendingTransaction) -> Receipt:
        """Wait for the receipt (and confirmations); raise the decoded error if it reverted."""
        raw = self._poll_receipt(pending.tx_hash)
        if self.confirmations > 1:
            self._await_block(int(raw["blockNumber"]) + self.confirmations - 1)
        receipt = self._to_receipt(raw)
        if receipt.status != 1:
            raise self._replay_failure(pending, receipt)
        return receipt

    def wait_all(self, pending: list[PendingTransaction]) -> list[Receipt]:
        return [self.wait(p) for p in pending]

    def _poll_receipt(self, tx_hash: str) -> Any:
        from web3.exceptions import TransactionNotFound

        deadline = time.monotonic() + self.receipt_timeout
        interval = POLL_START
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                pass
            if time.monotonic() > deadline:
                raise NetworkError(f"no receipt for {tx_hash} after {self.receipt_timeout:.0f}s")
            time.sleep(interval)
            interval = min(interval * 2, POLL_MAX)

    def _await_block(self, number: int) -> None:
        deadline = time.monotonic() + self.receipt_timeout
        while self.w3.eth.block_number < number:
            if time.monotonic() > deadline:
                raise NetworkError(f"block {number} not reached after {self.receipt_timeout:.0f}s")
            time.sleep(POLL_MAX)

    def _to_receipt(self, raw: Any) -> Receipt:
        events = [e for e in (self.events.decode(log) for log in raw["logs"]) if e is not None]
        contract_address = raw.get("contractAddress")
        return Receipt(
            tx_hash="0x" + bytes(raw["transactionHash"]).hex(),
            block_number=int(raw["blockNumber"]),
            block_hash="0x" + bytes(raw["blockHash"]).hex(),
            gas_used=int(raw["gasUsed"]),
            status=int(raw["status"]),
            sender=str(raw["from"]),
            contract_address=str(contract_address) if contract_address else None,
            events=events,
        )

    def _replay_failure(self, pending: PendingTransaction, receipt: Receipt) -> TransactionFailed:
        # The receipt carries no revert data; re-running the call on the parent block recovers it.
        try:
            self.w3.eth.call(pending.request, receipt.block_number - 1)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - any provider error may carry the data
            data = revert_data_from_exception(exc)
            if data is not None:
                return self.errors.decode(data, tx_hash=receipt.tx_hash)
        return TransactionFailed(
            f"transaction {receipt.tx_hash} reverted in block {receipt.block_number} "
            f"(gas used {receipt.gas_used}); replaying it did not reproduce the revert",
            tx_hash=receipt.tx_hash,
        )

    # -- helpers -------------------------------------------------------------------------------

    def _estimate(self, request: dict[str, Any]) -> int:
        from web3.exceptions import MethodUnavailable

        try:
            # "pending" so that a call depending on our own unmined transactions estimates right.
            estimate = int(self.w3.eth.estimate_gas(request, self._estimate_block))  # type: ignore[arg-type]
        except MethodUnavailable:
            if self._estimate_block is None:
                raise
            self._estimate_block = None  # eth-tester implements estimateGas only without a block
            return self._estimate(request)
        except Exception as exc:
            data = revert_data_from_exception(exc)
            if data is None and not _looks_like_revert(exc):
                raise
            raise self.errors.decode(data) from exc
        return estimate * (100 + GAS_MARGIN_PERCENT) // 100

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = int(self.w3.eth.get_transaction_count(self.account.address, "pending"))
        return self._nonce

    def _chain(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def _fee_fields(self) -> dict[str, int]:
        now = time.monotonic()
        if self._fees is None or now - self._fees[0] > FEE_REFRESH_SECONDS:
            latest = self.w3.eth.get_block("latest")
            base_fee = int(latest.get("baseFeePerGas", 0) or 0)
            priority = int(self.w3.eth.max_priority_fee)
            # Twice the base fee survives six full blocks of +12.5% before the tx is priced out.
            self._fees = (now, 2 * base_fee + priority, priority)
        return {"maxFeePerGas": self._fees[1], "maxPriorityFeePerGas": self._fees[2]}


def _hex(data: bytes | str) -> str:
    if isinstance(data, bytes):
        return "0x" + data.hex()
    return data if data.startswith("0x") else "0x" + data


def _looks_like_revert(exc: Exception) -> bool:
    text = str(exc).lower()
    return "revert" in text
