"""The explorer's database: blocks, transactions and govchain events, in any SQLAlchemy database.

SQLite (a file under ``.govchain/``) by default; a ``postgresql://`` URL when one machine is not
enough. Everything the indexer writes for a block can be deleted from that block on, which is
how a chain reorganisation is undone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

meta = Table("meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))
blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True),
    Column("hash", String(66), nullable=False, unique=True),
    Column("parent_hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)
transactions = Table(
    "transactions",
    metadata,
    Column("hash", String(66), primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("sender", String(42), nullable=False, index=True),
    Column("recipient", String(42), index=True),
    Column("status", Integer, nullable=False),
    Column("gas_used", BigInteger, nullable=False),
)
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("tx_hash", String(66), nullable=False, index=True),
    Column("log_index", Integer, nullable=False),
    Column("contract", String(64), nullable=False),
    Column("address", String(42), nullable=False),
    Column("name", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("record", String(80), nullable=False),
    Column("sentence", Text, nullable=False),
    Column("args", Text, nullable=False),
    Column("actors", Text, nullable=False),  # addresses among the args, for address pages
    Index("ix_events_kind_record", "kind", "record"),
)


@dataclass(frozen=True)
class EventRow:
    block_number: int
    tx_hash: str
    log_index: int
    contract: str
    address: str
    name: str
    kind: str
    record: str
    sentence: str
    args: dict[str, Any]
    timestamp: int | None = None

    def as_dict(self, head: int | None = None) -> dict[str, Any]:
        data = {
            "block": self.block_number,
            "tx": self.tx_hash,
            "log_index": self.log_index,
            "contract": self.contract,
            "event": self.name,
            "record": {"kind": self.kind, "id": self.record},
            "sentence": self.sentence,
            "args": self.args,
            "timestamp": self.timestamp,
        }
        if head is not None:
            data["confirmations"] = head - self.block_number + 1
        return data


def jsonable(value: Any) -> Any:
    """Event arguments as JSON: bytes as 0x-hex, big integers as strings beyond 2**53."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _actors(value: Any) -> set[str]:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return {value.lower()}
    if isinstance(value, (list, tuple)):
        return set().union(*(_actors(v) for v in value)) if value else set()
    return set()


class Store:
    """Reads and writes of the explorer database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        metadata.create_all(self.engine)
        for table in metadata.tables.values():  # indexes added since a database was created
            for index in table.indexes:
                index.create(self.engine, checkfirst=True)

    def get(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == key)).first()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(meta).where(meta.c.key == key))
            conn.execute(insert(meta).values(key=key, value=value))

    def block_hash(self, number: int) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(blocks.c.hash).where(blocks.c.number == number)).first()
        return None if row is None else str(row[0])

    def latest_stored_block(self, at_most: int) -> int | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(func.max(blocks.c.number)).where(blocks.c.number <= at_most)
            ).first()
        return None if row is None or row[0] is None else int(row[0])

    def write_block(
        self,
        block: dict[str, Any],
        txs: Sequence[dict[str, Any]],
        rows: Sequence[EventRow],
        cursor: int,
    ) -> None:
        """One block's header, transactions and events, and the new cursor, atomically."""
        self.write_blocks([block], txs, rows, cursor)

    def write_blocks(
        self,
        headers: Sequence[dict[str, Any]],
        txs: Sequence[dict[str, Any]],
        rows: Sequence[EventRow],
        cursor: int,
    ) -> None:
        """Blocks' headers, transactions and events, and the new cursor, in one database
        transaction (bulk inserts: one statement per table, not one per row)."""
        with self.engine.begin() as conn:
            numbers = [h["number"] for h in headers]
            hashes = [t["hash"] for t in txs]
            for part in _parts(numbers):
                conn.execute(delete(blocks).where(blocks.c.number.in_(part)))
            for part in _parts(hashes):
                conn.execute(delete(transactions).where(transactions.c.hash.in_(part)))
            if headers:
                conn.execute(insert(blocks), list(headers))
            if txs:
                conn.execute(insert(transactions), list(txs))
            if rows:
                conn.execute(
                    insert(events),
                    [
                        {
                            "block_number": r.block_number,
                            "tx_hash": r.tx_hash,
                            "log_index": r.log_index,
                            "contract": r.contract,
                            "address": r.address,
                            "name": r.name,
                            "kind": r.kind,
                            "record": r.record,
                            "sentence": r.sentence,
                            "args": json.dumps(r.args),
                            "actors": " ".join(sorted(_actors(list(r.args.values())))),
                        }
                        for r in rows
                    ],
                )
            _put(conn, "indexed_block", str(cursor))

    def set_cursor(self, cursor: int) -> None:
        with self.engine.begin() as conn:
            _put(conn, "indexed_block", str(cursor))

    def rewind(self, fork_point: int) -> int:
        """Forget everything after block ``fork_point``; the number of events dropped."""
        with self.engine.begin() as conn:
            dropped = conn.execute(
                delete(events).where(events.c.block_number > fork_point)
            ).rowcount
            conn.execute(delete(transactions).where(transactions.c.block_number > fork_point))
            conn.execute(delete(blocks).where(blocks.c.number > fork_point))
            _put(conn, "indexed_block", str(fork_point))
        return int(dropped or 0)

    # queries

    def events(
        self,
        *,
        kind: str | None = None,
        record: str | None = None,
        tx_hash: str | None = None,
        block: int | None = None,
        actor: str | None = None,
        names: Sequence[str] | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[EventRow]:
        query = select(events, blocks.c.timestamp).join(
            blocks, blocks.c.number == events.c.block_number, isouter=True
        )
        if kind is not None:
            query = query.where(events.c.kind == kind)
        if record is not None:
            query = query.where(events.c.record == record)
        if tx_hash is not None:
            query = query.where(events.c.tx_hash == tx_hash.lower())
        if block is not None:
            query = query.where(events.c.block_number == block)
        if names is not None:
            query = query.where(events.c.name.in_(list(names)))
        if actor is not None:
            query = query.where(
                or_(events.c.actors.contains(actor.lower()), events.c.address == actor)
            )
        order = (events.c.block_number, events.c.log_index)
        query = query.order_by(*(c.desc() for c in order) if newest_first else order)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def records(self, kind: str) -> list[str]:
        """Ids of the records of ``kind``, in order of first appearance."""
        query = (
            select(events.c.record, func.min(events.c.id).label("first"))
            .where(events.c.kind == kind)
            .group_by(events.c.record)
            .order_by("first")
        )
        with self.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(query)]

    def count_records(self, kind: str) -> int:
        query = select(func.count(func.distinct(events.c.record))).where(events.c.kind == kind)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def latest_per_record(
        self, kind: str, *, offset: int = 0, limit: int | None = None
    ) -> list[tuple[str, EventRow]]:
        """Records of ``kind`` in order of first appearance, each with its latest event.

        Two queries whatever the number of records: the ids (first and last event of each),
        then those latest events. Event ids grow in chain order, so the highest is the latest.
        """
        ids = (
            select(
                events.c.record,
                func.min(events.c.id).label("first"),
                func.max(events.c.id).label("last"),
            )
            .where(events.c.kind == kind)
            .group_by(events.c.record)
            .order_by("first")
            .offset(offset)
        )
        if limit is not None:
            ids = ids.limit(limit)
        with self.engine.connect() as conn:
            listed = [(str(r[0]), int(r[2])) for r in conn.execute(ids)]
            latest: dict[int, EventRow] = {}
            wanted = [last for _, last in listed]
            for start in range(0, len(wanted), 500):  # bound the IN list
                query = (
                    select(events, blocks.c.timestamp)
                    .join(blocks, blocks.c.number == events.c.block_number, isouter=True)
                    .where(events.c.id.in_(wanted[start : start + 500]))
                )
                latest.update((int(r._mapping["id"]), _row(r)) for r in conn.execute(query))
        return [(record, latest[last]) for record, last in listed]

    def transaction(self, tx_hash: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(transactions).where(transactions.c.hash == tx_hash.lower())
            ).first()
        return None if row is None else dict(row._mapping)

    def transactions_from(self, sender: str, limit: int = 100) -> list[dict[str, Any]]:
        """Indexed transactions sent by ``sender`` (any case), newest first."""
        query = (
            select(transactions)
            .where(func.lower(transactions.c.sender) == sender.lower())
            .order_by(transactions.c.block_number.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "blocks": int(conn.execute(select(func.count()).select_from(blocks)).scalar_one()),
                "transactions": int(
                    conn.execute(select(func.count()).select_from(transactions)).scalar_one()
                ),
                "events": int(conn.execute(select(func.count()).select_from(events)).scalar_one()),
            }


def _parts(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """``values`` in slices small enough for any database's IN list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _put(conn: Any, key: str, value: str) -> None:
    conn.execute(delete(meta).where(meta.c.key == key))
    conn.execute(insert(meta).values(key=key, value=value))


def _row(r: Any) -> EventRow:
    m = r._mapping
    return EventRow(
        block_number=int(m["block_number"]),
        tx_hash=str(m["tx_hash"]),
        log_index=int(m["log_index"]),
        contract=str(m["contract"]),
        address=str(m["address"]),
        name=str(m["name"]),
        kind=str(m["kind"]),
        record=str(m["record"]),
        sentence=str(m["sentence"]),
        args=json.loads(m["args"]),
        timestamp=None if m["timestamp"] is None else int(m["timestamp"]),
    )


def iter_chunks(start: int, end: int, size: int) -> Iterable[tuple[int, int]]:
    while start <= end:
        stop = min(start + size - 1, end)
        yield start, stop
        start = stop + 1
