"""The transaction sender every client shares.

- Nonces are tracked locally, so independent transactions go out back to back without waiting
  for each other's receipts; a lock keeps concurrent callers from reusing or skipping a nonce.
- Gas is estimated before sending: a call that would revert raises the decoded custom error and
  sends nothing (no nonce is used, no fee is paid).
- Receipts are polled with a short interval (web3's default 0.1 s poll caps a busy devnet at
  ~10 tx/s); ``wait_all`` fetches the receipts already mined in one JSON-RPC batch.
- ``send_many`` sends independent calls as JSON-RPC batches: one request estimates a batch,
  one broadcasts it (``benchmarks/throughput.py``: ~10x the naive web3.py loop on anvil).
- A receipt with status 0 is replayed with ``eth_call`` to recover and decode the revert reason.
- While waiting, a transaction the node has forgotten (dropped from its mempool) is broadcast
  again, byte for byte; one pending for too long is replaced by the same call with the same nonce
  and higher fees (:class:`ResendPolicy`). Every version shares the nonce, so at most one is
  mined; the receipt names the one that was.
- A broadcast answered "already known" or "nonce too low" is taken as accepted when the node
  knows our hash: that is how a retried send (:mod:`govchain.rpc_retry`) whose first response
  was lost comes back. Signing a new transaction there would pay twice for one intent.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from govchain.errors import NetworkError, TransactionFailed
from govchain.events import Event, EventRegistry
from govchain.revert import ErrorRegistry, revert_data_from_exception

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract.contract import ContractFunction

GAS_MARGIN_PERCENT = 20  # estimates drift when state changes between estimate and inclusion
FEE_REFRESH_SECONDS = 1.0
BATCH_SIZE = 100
POLL_START = 0.002
POLL_MAX = 0.05
RECEIPT_TIMEOUT = 180.0
# Node answers to a re-sent transaction that mean "this one is already in the pool or mined"
# (geth, anvil, nethermind, besu spellings).
ALREADY_SENT = (
    "already known",
    "already imported",
    "known transaction",
    "alreadyknown",
    "nonce too low",
)

log = logging.getLogger("govchain.sender")


@dataclass(frozen=True)
class ResendPolicy:
    """What ``wait`` does about a transaction that is not being mined."""

    check_every: float = 1.0  # seconds between asking the node whether it still has the tx
    replace_after: float | None = 60.0  # pending this long → replace with higher fees
    max_replacements: int = 3
    # Nodes accept a replacement only if both fee caps rise by at least 10%.
    fee_bump_percent: int = 12


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
    # Other versions signed for the same intent and nonce (re-priced), none of which was mined.
    superseded: tuple[str, ...] = ()

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
    raw: bytes = field(default=b"", repr=False)  # the signed bytes, to broadcast again as is
    tx: dict[str, Any] = field(default_factory=dict, repr=False)  # the fields that were signed
    sent_at: float = field(default_factory=time.monotonic, repr=False, compare=False)


@dataclass
class Sender:
    """Signs and sends transactions for one account on one chain."""

    w3: Web3
    account: LocalAccount
    errors: ErrorRegistry = field(default_factory=ErrorRegistry)
    events: EventRegistry = field(default_factory=EventRegistry)
    confirmations: int = 0
    labels: dict[str, str] = field(default_factory=dict)  # address → contract name, for errors
    receipt_timeout: float = RECEIPT_TIMEOUT
    resend: ResendPolicy = field(default_factory=ResendPolicy)
    # Called with "rebroadcast" or "replaced" and the version now in flight (progress, tests).
    on_resend: Callable[[str, PendingTransaction], None] | None = field(default=None, repr=False)
    _nonce: int | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _chain_id: int | None = field(default=None, init=False, repr=False)
    _fees: tuple[float, int, int] | None = field(default=None, init=False, repr=False)
    _estimate_block: str | None = field(default="pending", init=False, repr=False)
    _key: Any = field(default=None, init=False, repr=False)

    @property
    def address(self) -> str:
        return str(self.account.address)

    # -- sending -------------------------------------------------------------------------------

    def send(
        self, to: str | None, data: bytes | str = b"", *, value: int = 0, gas: int | None = None
    ) -> PendingTransaction:
        """Sign and broadcast; returns as soon as the node has accepted the transaction."""
        request = _request(self.address, to, data, value)
        if gas is None:
            gas = self._estimate(request)
        with self._lock:
            nonce = self._next_nonce()
            tx = self._unsigned(request, gas, nonce)
            pending = self._signed(request, tx)
            try:
                self._broadcast(pending)
            except Exception:
                self._nonce = None  # resynchronise from the node: this nonce may be unused
                raise
            self._nonce = nonce + 1
        return pending

    def _broadcast(self, pending: PendingTransaction) -> None:
        """Hand the signed bytes to the node; "already known" for our own hash is success."""
        try:
            self.w3.eth.send_raw_transaction(pending.raw)
        except NetworkError as exc:
            raise NetworkError(
                f"broadcast of {pending.tx_hash} (nonce {pending.nonce}) is unconfirmed: {exc}. "
                "It may have reached the node: look the hash up before sending the call again."
            ) from exc
        except Exception as exc:
            if not (_already_sent(exc) and self._node_knows(pending.tx_hash)):
                raise

    def send_many(
        self, calls: Sequence[ContractFunction], *, batch_size: int = BATCH_SIZE
    ) -> list[PendingTransaction]:
        """Send independent contract calls together, one JSON-RPC batch per step.

        Each batch of calls is estimated in one request and broadcast in one request. If any
        call would revert, its decoded error is raised before anything of its batch is sent.
        IMPORTANT: the calls must not depend on one another: each is estimated against the
        state before any of them runs.
        """
        pending: list[PendingTransaction] = []
        for start in range(0, len(calls), batch_size):
            requests = [
                _request(self.address, call.address, call._encode_transaction_data(), 0)
                for call in calls[start : start + batch_size]
            ]
            pending += self._broadcast_many(requests, self._estimate_many(requests))
        return pending

    def _estimate_many(self, requests: list[dict[str, Any]]) -> list[int]:
        if not hasattr(self.w3.provider, "make_batch_request"):  # eth-tester: no batches
            return [self._estimate(r) for r in requests]
        responses = self._batch(
            [("eth_estimateGas", [_rpc_request(r), "pending"]) for r in requests]
        )
        gases: list[int] = []
        for response in responses:
            if "error" in response:
                error = response["error"]
                data = error.get("data") if isinstance(error, Mapping) else None
                if data is None and "revert" not in str(error).lower():
                    raise NetworkError(f"eth_estimateGas failed: {error}")
                raise self.errors.decode(data, contract=self._label(requests[len(gases)]))
            gases.append(int(response["result"], 16) * (100 + GAS_MARGIN_PERCENT) // 100)
        return gases

    def _broadcast_many(
        self, requests: list[dict[str, Any]], gases: list[int]
    ) -> list[PendingTransaction]:
        with self._lock:
            first = self._next_nonce()
            signed = [
                self._signed(r, self._unsigned(r, g, first + i))
                for i, (r, g) in enumerate(zip(requests, gases, strict=True))
            ]
            raws = [p.raw for p in signed]
            try:
                responses = self._batch(
                    [("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in raws]
                )
            except Exception:
                self._nonce = None  # the batch may or may not have reached the node
                raise
            failed = [
                (i, r["error"])
                for i, r in enumerate(responses)
                if "error" in r
                and not (_already_sent(r["error"]) and self._node_knows(signed[i].tx_hash))
            ]
            if failed:
                # Some of the batch may be in the mempool: let the node tell the next nonce.
                self._nonce = None
                index, error = failed[0]
                raise NetworkError(
                    f"broadcast of transaction {index + 1} of {len(raws)} (nonce {first + index}) "
                    f"failed: {error}; {len(raws) - len(failed)} of the batch were accepted"
                )
            self._nonce = first + len(raws)
        return signed

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[Mapping[str, Any]]:
        """Raw JSON-RPC batch (no web3 formatting): the hot path of bulk sending."""
        provider: Any = self.w3.provider
        if not hasattr(provider, "make_batch_request"):
            return [provider.make_request(method, params) for method, params in calls]
        response = provider.make_batch_request(calls)
        if not isinstance(response, list):  # the node rejected the batch as a whole
            raise NetworkError(f"JSON-RPC batch rejected: {response.get('error', response)}")
        return response

    def send_call(
        self, call: ContractFunction, *, value: int = 0, gas: int | None = None
    ) -> PendingTransaction:
        """Send a bound contract function call (``contract.functions.f(args)``)."""
        return self.send(call.address, call._encode_transaction_data(), value=value, gas=gas)

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
        return self._finish(pending, *self._poll_receipt(pending))

    def wait_all(self, pending: list[PendingTransaction]) -> list[Receipt]:
        """Wait for all; the receipts already mined are fetched in one JSON-RPC batch."""
        mined = self._batch_receipts([p.tx_hash for p in pending])
        return [
            self._finish(p, mined[p.tx_hash]) if p.tx_hash in mined else self.wait(p)
            for p in pending
        ]

    def _batch_receipts(self, hashes: list[str]) -> dict[str, Any]:
        if len(hashes) < 2:
            return {}
        try:
            with self.w3.batch_requests() as batch:
                for tx_hash in hashes:
                    batch.add(self.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
                results = batch.execute()
        except Exception:  # noqa: BLE001 - one unmined receipt fails the batch: poll one by one
            return {}
        return {h: r for h, r in zip(hashes, results, strict=True) if isinstance(r, Mapping)}

    def _finish(self, pending: PendingTransaction, raw: Any, sent: Sequence[str] = ()) -> Receipt:
        if self.confirmations > 1:
            self._await_block(int(raw["blockNumber"]) + self.confirmations - 1)
        receipt = self._to_receipt(raw)
        superseded = tuple(h for h in sent if h != receipt.tx_hash)
        if superseded:
            receipt = dataclasses.replace(receipt, superseded=superseded)
        if receipt.status != 1:
            raise self._replay_failure(pending, receipt)
        return receipt

    def _poll_receipt(self, pending: PendingTransaction) -> tuple[Any, list[str]]:
        """The raw receipt of whichever version of ``pending`` is mined, and every hash sent.

        Re-broadcasts a dropped transaction and replaces a stuck one (:class:`ResendPolicy`).
        """
        policy = self.resend
        start = time.monotonic()
        deadline = start + self.receipt_timeout
        versions = [pending]  # newest last; all share one nonce, so at most one is mined
        next_check = start + policy.check_every
        interval = POLL_START
        while True:
            for version in reversed(versions):
                raw = self._receipt_or_none(version.tx_hash)
                if raw is not None:
                    return raw, [v.tx_hash for v in versions]
            now = time.monotonic()
            current = versions[-1]
            if current.raw and now >= next_check:
                next_check = now + policy.check_every
                if not self._node_knows(current.tx_hash):
                    self._resend(current)
            if (
                current.raw
                and policy.replace_after is not None
                and now - current.sent_at >= policy.replace_after
                and len(versions) <= policy.max_replacements
            ):
                replacement = self._replace(current)
                if replacement is not None:
                    versions.append(replacement)
            if now > deadline:
                sent = ", ".join(v.tx_hash for v in versions)
                raise NetworkError(
                    f"no receipt for nonce {pending.nonce} ({sent}) "
                    f"after {self.receipt_timeout:.0f}s"
                )
            time.sleep(interval)
            interval = min(interval * 2, POLL_MAX)

    def _receipt_or_none(self, tx_hash: str) -> Any:
        from web3.exceptions import TransactionNotFound

        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def _node_knows(self, tx_hash: str) -> bool:
        """Whether the node has the transaction, pending or mined."""
        provider: Any = self.w3.provider
        response = provider.make_request("eth_getTransactionByHash", [tx_hash])
        return response.get("result") is not None

    def _resend(self, dropped: PendingTransaction) -> None:
        """Broadcast the same signed bytes again: same nonce, same hash, no second intent."""
        log.warning(
            "%s (nonce %d) left the mempool; broadcasting it again", dropped.tx_hash, dropped.nonce
        )
        try:
            self.w3.eth.send_raw_transaction(dropped.raw)
        except Exception as exc:  # noqa: BLE001 - e.g. another version was mined: keep polling
            log.warning("re-broadcast of %s refused: %s", dropped.tx_hash, exc)
            return
        self._notify("rebroadcast", dropped)

    def _replace(self, stuck: PendingTransaction) -> PendingTransaction | None:
        """The same call with the same nonce and gas, both fee caps raised; None if refused."""
        bump = 100 + self.resend.fee_bump_percent
        market = self._fee_fields()
        priority = max(
            stuck.tx["maxPriorityFeePerGas"] * bump // 100 + 1, market["maxPriorityFeePerGas"]
        )
        max_fee = max(stuck.tx["maxFeePerGas"] * bump // 100 + 1, market["maxFeePerGas"], priority)
        tx = {**stuck.tx, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": priority}
        replacement = self._signed(stuck.request, tx)
        try:
            self._broadcast(replacement)
        except Exception as exc:  # noqa: BLE001 - the stuck version stays valid: keep waiting
            log.warning("replacement of %s refused: %s", stuck.tx_hash, exc)
            return None
        log.warning(
            "%s (nonce %d) replaced by %s at max fee %d",
            stuck.tx_hash,
            stuck.nonce,
            replacement.tx_hash,
            max_fee,
        )
        self._notify("replaced", replacement)
        return replacement

    def _notify(self, kind: str, pending: PendingTransaction) -> None:
        if self.on_resend is not None:
            self.on_resend(kind, pending)

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
                return self.errors.decode(
                    data, tx_hash=receipt.tx_hash, contract=self._label(pending.request)
                )
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
            raise self.errors.decode(data, contract=self._label(request)) from exc
        return estimate * (100 + GAS_MARGIN_PERCENT) // 100

    def _unsigned(self, request: dict[str, Any], gas: int, nonce: int) -> dict[str, Any]:
        """The EIP-1559 transaction fields for ``request`` at current fees."""
        tx = {
            "value": request["value"],
            "data": request["data"],
            "gas": gas,
            "nonce": nonce,
            "chainId": self._chain(),
            **self._fee_fields(),
        }
        if "to" in request:
            tx["to"] = request["to"]
        return tx

    def _signed(self, request: dict[str, Any], tx: dict[str, Any]) -> PendingTransaction:
        from eth_account import Account
        from eth_keys.datatypes import PrivateKey

        # LocalAccount.sign_transaction re-derives the public key on every call (an elliptic
        # curve multiplication); signing with a PrivateKey object built once skips that.
        if self._key is None:
            self._key = PrivateKey(self.account.key)
        raw = bytes(Account.sign_transaction(tx, self._key).raw_transaction)
        # A typed transaction's hash is keccak of its raw bytes: known before the node answers.
        return PendingTransaction("0x" + keccak(raw).hex(), tx["nonce"], request, raw, tx)

    def _label(self, request: dict[str, Any]) -> str | None:
        to = request.get("to")
        return self.labels.get(str(to)) if to else None

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


def _request(sender: str, to: str | None, data: bytes | str, value: int) -> dict[str, Any]:
    request: dict[str, Any] = {"from": sender, "value": value, "data": _hex(data)}
    if to is not None:
        request["to"] = to
    return request


def _rpc_request(request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "value": hex(request["value"])}


def _hex(data: bytes | str) -> str:
    if isinstance(data, bytes):
        return "0x" + data.hex()
    return data if data.startswith("0x") else "0x" + data


def _already_sent(error: object) -> bool:
    text = str(error).lower()
    return any(phrase in text for phrase in ALREADY_SENT)


def _looks_like_revert(exc: Exception) -> bool:
    text = str(exc).lower()
    return "revert" in text
