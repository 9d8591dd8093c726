"""Follow the chain from the suite's deployment and keep the explorer database in step with it.

Each :meth:`Indexer.sync` first checks that the last block it indexed is still on the chain
(same hash); if not, it walks back to the fork point, forgets everything after it, and indexes
the new branch. So an orphaned record never stays in the database, and every record's
confirmations are counted from the current head.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govchain.events import Event
from govchain.explorer.describe import DEFAULT_ADMIN_ROLE, Words, describe, role_names
from govchain.explorer.store import EventRow, Store, iter_chunks, jsonable
from govchain.session import Session

LOG_CHUNK = 2_000  # blocks per eth_getLogs request


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
        logs = self.w3.eth.get_logs(
            {
                "fromBlock": start,
                "toBlock": end,
                "address": [self._checksum(a) for a in self.addresses],
            }
        )
        by_block: dict[int, list[Any]] = {}
        for log in logs:
            by_block.setdefault(int(log["blockNumber"]), []).append(log)
        total = 0
        for number in sorted(by_block):
            total += self._index_block(number, by_block[number])
        self.store.set_cursor(end)
        return total

    def _index_block(self, number: int, logs: list[Any]) -> int:
        block = self.w3.eth.get_block(number)
        rows: list[EventRow] = []
        tx_hashes: dict[str, None] = {}
        for log in logs:
            event = self.session.events.decode(log)
            if event is None:
                continue
            described = describe(event, self.words)
            if described is None:
                continue
            tx_hash = "0x" + bytes(log["transactionHash"]).hex()
            tx_hashes.setdefault(tx_hash, None)
            rows.append(
                EventRow(
                    block_number=number,
                    tx_hash=tx_hash,
                    log_index=int(log["logIndex"]),
                    contract=self.addresses.get(str(log["address"]).lower(), ""),
                    address=str(log["address"]),
                    name=event.name,
                    kind=described.kind,
                    record=described.record,
                    sentence=described.sentence,
                    args=jsonable(_plain_args(event)),
                )
            )
        txs = [self._transaction(h, number) for h in tx_hashes]
        header = {
            "number": number,
            "hash": "0x" + bytes(block["hash"]).hex(),
            "parent_hash": "0x" + bytes(block["parentHash"]).hex(),
            "timestamp": int(block["timestamp"]),
        }
        self.store.write_block(header, txs, rows, cursor=number)
        return len(rows)

    def _remember_head(self, head: int) -> None:
        """Store the head's header too, so that a reorg at the tip is noticed next time."""
        if self.store.block_hash(head) is None:
            block = self.w3.eth.get_block(head)
            header = {
                "number": head,
                "hash": "0x" + bytes(block["hash"]).hex(),
                "parent_hash": "0x" + bytes(block["parentHash"]).hex(),
                "timestamp": int(block["timestamp"]),
            }
            self.store.write_block(header, [], [], cursor=head)

    def _transaction(self, tx_hash: str, number: int) -> dict[str, Any]:
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        return {
            "hash": tx_hash,
            "block_number": number,
            "sender": str(receipt["from"]),
            "recipient": None if receipt["to"] is None else str(receipt["to"]),
            "status": int(receipt["status"]),
            "gas_used": int(receipt["gasUsed"]),
        }

    @staticmethod
    def _checksum(address: str) -> str:
        from eth_utils import to_checksum_address

        return to_checksum_address(address)


class ExplorerError(Exception):
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
