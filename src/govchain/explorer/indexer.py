"""Follow the chain from the suite's deployment and keep the explorer database in step with it.

Each :meth:`Indexer.sync` first checks that the last block it indexed is still on the chain
(same hash); if not, it walks back to the fork point, forgets everything after it, and indexes
the new branch. So an orphaned record never stays in the database, and every record's
confirmations are counted from the current head.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from govchain.errors import GovchainError
from govchain.events import Event
from govchain.explorer.describe import (
    DEFAULT_ADMIN_ROLE,
    ROLE_EVENTS,
    RULES,
    Words,
    describe,
    role_names,
)
from govchain.explorer.store import EventRow, Store, iter_chunks, jsonable
from govchain.session import Session

LOG_CHUNK = 2_000  # blocks per eth_getLogs request
RPC_BATCH = 250  # requests per JSON-RPC batch (headers, receipts)


@dataclass(frozen=True)
class SyncReport:
    head: int
    indexed_from: int
    indexed_to: int
    events: int
    reorg_depth: int
    dropped: int


class Indexer:
    """Indexes the events of the deployed suite (``deployments/<network>.json``) into ``store``."""

    def __init__(self, session: Session, store: Store, words: Words | None = None) -> None:
        self.session = session
        self.store = store
        record = session.record()
        self.addresses = {
            entry.address.lower(): name for name, entry in record.contracts.items() if entry.address
        }
        self.start_block = min((e.block_number or 0) for e in record.contracts.values())
        self.words = words or _words(session)
        described = set(RULES) | set(ROLE_EVENTS)
        self.described_topics = {
            topic for (topic, _), spec in session.events.specs.items() if spec.name in described
        }
        self._check_chain()

    @property
    def w3(self) -> Any:
        return self.session.chain.w3

    def cursor(self) -> int:
        value = self.store.get("indexed_block")
        return self.start_block - 1 if value is None else int(value)

    def sync(self) -> SyncReport:
        """Index up to the current head, undoing a reorganisation first if there was one."""
        head = int(self.w3.eth.block_number)
        cursor = self.cursor()
        fork = self._fork_point(cursor, head)
        depth, dropped = 0, 0
        if fork < cursor:
            depth = cursor - fork
            dropped = self.store.rewind(fork)
        cursor = fork
        count = 0
        first = cursor + 1
        for start, end in iter_chunks(first, head, LOG_CHUNK):
            count += self._index_range(start, end)
        if head > cursor:
            self._remember_head(head)
        return SyncReport(head, first, head, count, depth, dropped)

    # internals

    def _check_chain(self) -> None:
        """A database belongs to one chain: refuse to mix in another one's records."""
        genesis = self._chain_hash(0)
        stored = self.store.get("genesis")
        if stored is None:
            self.store.put("genesis", genesis)
            self.store.put("network", self.session.network)
        elif stored != genesis:
            raise ExplorerError(
                f"{self.store.url} indexes another chain (genesis {stored}); "
                "use another database or delete this one"
            )

    def _fork_point(self, cursor: int, head: int) -> int:
        """The highest block at or below ``cursor`` that is still on the chain.

        Stored headers are checked newest first; the first one whose hash the chain still has
        proves its ancestors too (each block commits to its parent).
        """
        number = self.store.latest_stored_block(cursor)
        newest = number
        while number is not None:
            if number <= head and self._chain_hash(number) == self.store.block_hash(number):
                return cursor if number == newest else number
            number = self.store.latest_stored_block(number - 1)
        return self.start_block - 1

    def _chain_hash(self, number: int) -> str:
        return "0x" + bytes(self.w3.eth.get_block(number)["hash"]).hex()

    def _index_range(self, start: int, end: int) -> int:
        """Index blocks ``start``..``end``: one ``eth_getLogs``, then the headers and receipts
        of the blocks and transactions that made a record in JSON-RPC batches, written in one
        database transaction with the new cursor (a crash redoes the range, never half of it)."""
        addresses = [self._checksum(a) for a in self.addresses]
        logs = [_log(raw) for raw in self._get_logs(start, end, addresses)]
        by_block: dict[int, list[dict[str, Any]]] = {}
        for log in logs:
            by_block.setdefault(log["blockNumber"], []).append(log)
        rows: list[EventRow] = []
        tx_blocks: dict[str, int] = {}
        for number in sorted(by_block):
            for log in by_block[number]:
                row = self._row(log, number)
                if row is not None:
                    rows.append(row)
                    tx_blocks.setdefault(row.tx_hash, number)
        headers = [_header(h) for h in self._blocks(sorted(by_block))]
        receipts = self._receipts(list(tx_blocks))
        txs = [
            _transaction(tx_hash, number, receipt)
            for (tx_hash, number), receipt in zip(tx_blocks.items(), receipts, strict=True)
        ]
        self.store.write_blocks(headers, txs, rows, cursor=end)
        return len(rows)

    def _row(self, log: dict[str, Any], number: int) -> EventRow | None:
        topics = log["topics"]
        if not topics or topics[0] not in self.described_topics:
            return None  # not a record (ERC-20/721 transfers, approvals): no decoding spent
        event = self.session.events.decode(log)
        if event is None:
            return None
        described = describe(event, self.words)
        if described is None:
            return None
        return EventRow(
            block_number=number,
            tx_hash=log["transactionHash"],
            log_index=log["logIndex"],
            contract=self.addresses.get(log["address"].lower(), ""),
            address=event.address,
            name=event.name,
            kind=described.kind,
            record=described.record,
            sentence=described.sentence,
            args=jsonable(_plain_args(event)),
        )

    # JSON-RPC: raw batches where the provider has them (HTTP), web3's calls otherwise

    def _batched(self) -> bool:
        return hasattr(self.w3.provider, "make_batch_request")

    def _rpc_batch(self, method: str, params: list[list[Any]]) -> list[Any]:
        provider: Any = self.w3.provider
        results: list[Any] = []
        for first in range(0, len(params), RPC_BATCH):
            calls = [(method, p) for p in params[first : first + RPC_BATCH]]
            response = provider.make_batch_request(calls)
            if not isinstance(response, list):  # the node refused the batch as a whole
                raise ExplorerError(f"{method} batch refused: {response.get('error', response)}")
            for answer in response:
                if "error" in answer or answer.get("result") is None:
                    raise ExplorerError(f"{method} failed: {answer.get('error', 'no result')}")
                results.append(answer["result"])
        return results

    def _get_logs(self, start: int, end: int, addresses: list[str]) -> list[Any]:
        if not self._batched():
            query = {"fromBlock": start, "toBlock": end, "address": addresses}
            return list(self.w3.eth.get_logs(query))
        query = {"fromBlock": hex(start), "toBlock": hex(end), "address": addresses}
        response = self.w3.provider.make_request("eth_getLogs", [query])
        if "error" in response:
            raise ExplorerError(f"eth_getLogs failed: {response['error']}")
        return list(response["result"])

    def _blocks(self, numbers: list[int]) -> list[Any]:
        if not self._batched():
            return [self.w3.eth.get_block(n) for n in numbers]
        return self._rpc_batch("eth_getBlockByNumber", [[hex(n), False] for n in numbers])

    def _receipts(self, hashes: list[str]) -> list[Any]:
        if not self._batched():
            return [self.w3.eth.get_transaction_receipt(h) for h in hashes]
        return self._rpc_batch("eth_getTransactionReceipt", [[h] for h in hashes])

    def _remember_head(self, head: int) -> None:
        """Store the head's header too, so that a reorg at the tip is noticed next time."""
        if self.store.block_hash(head) is None:
            header = _header(self.w3.eth.get_block(head))
            self.store.write_block(header, [], [], cursor=head)

    @staticmethod
    def _checksum(address: str) -> str:
        return _checksummed(address)


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def _hex(value: Any) -> str:
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


@lru_cache(maxsize=4096)
def _checksummed(address: str) -> str:
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


def _log(raw: Any) -> dict[str, Any]:
    """A log as the event registry decodes it, from raw JSON-RPC (hex) or web3 (typed)."""
    return {
        "address": str(raw["address"]),
        "topics": [_bytes(t) for t in raw["topics"]],
        "data": _bytes(raw["data"]),
        "logIndex": _int(raw["logIndex"]),
        "blockNumber": _int(raw["blockNumber"]),
        "transactionHash": _hex(raw["transactionHash"]),
    }


def _header(block: Any) -> dict[str, Any]:
    return {
        "number": _int(block["number"]),
        "hash": _hex(block["hash"]),
        "parent_hash": _hex(block["parentHash"]),
        "timestamp": _int(block["timestamp"]),
    }


def _transaction(tx_hash: str, number: int, receipt: Any) -> dict[str, Any]:
    recipient = receipt.get("to") or None  # a deployment: null (eth-tester: empty)
    return {
        "hash": tx_hash,
        "block_number": number,
        "sender": _checksummed(str(receipt["from"])),
        "recipient": None if recipient is None else _checksummed(str(recipient)),
        "status": _int(receipt["status"]),
        "gas_used": _int(receipt["gasUsed"]),
    }


class ExplorerError(GovchainError):
    """The explorer cannot run as asked (another chain's database, nothing deployed, ...)."""


def _plain_args(event: Event) -> dict[str, Any]:
    return dict(event.args)


ROLES_SOURCE = "common/Roles.sol"  # under contracts/: every govchain role, keccak256 of its name


def _words(session: Session) -> Words:
    """Amounts in the suite token's units; suite contracts and roles by their names."""
    names = {}
    symbol, decimals = "PUB", 2
    roles = {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"}
    source = session.project.contracts_dir / ROLES_SOURCE
    if source.is_file():
        roles = role_names(source.read_text())
    try:
        record = session.record()
        names = {e.address.lower(): n for n, e in record.contracts.items() if e.address}
        if "PaymentToken" in record.contracts:
            token = session.contract("PaymentToken")
            symbol = str(token.functions.symbol().call())
            decimals = int(token.functions.decimals().call())
    except Exception:  # noqa: BLE001 - a custom suite without the token still gets plain numbers
        pass
    return Words(symbol, decimals, names, roles)
