"""The citizen explorer's web app: server-rendered pages (no JavaScript needed), JSON and CSV.

Every page is also JSON under ``/api/…``; lists are also CSV (``….csv``) for auditors.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from govchain.deploy import code_matches_build
from govchain.explorer.indexer import Indexer
from govchain.explorer.proofs import prove
from govchain.explorer.store import EventRow, Store
from govchain.session import Session

TEMPLATES = Path(__file__).parent / "templates"
KINDS = {  # record kind -> (plural title, the contract that holds it)
    "programme": ("Welfare programmes", "WelfareDisbursement"),
    "round": ("Welfare payment rounds", "WelfareDisbursement"),
    "tender": ("Tenders", "Procurement"),
    "supplier": ("Suppliers", "Procurement"),
    "parcel": ("Land parcels", "LandRegistry"),
    "declaration": ("Customs declarations", "Customs"),
    "tariff": ("Tariff lines", "Customs"),
    "trader": ("Traders", "Customs"),
    "election": ("Elections", "Ballot"),
}
TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
NAMED = re.compile(
    r"^(tender|round|programme|declaration|election|parcel)\s*[#:-]?\s*(\S+)$", re.IGNORECASE
)


class Explorer:
    """What the pages read: the indexed database, the live chain, the deployment record."""

    def __init__(self, session: Session, store: Store, indexer: Indexer) -> None:
        self.session = session
        self.store = store
        self.indexer = indexer
        self.lock = threading.Lock()
        record = session.record()
        self.contracts = {name: entry.address for name, entry in record.contracts.items()}
        self.kinds = {k: v for k, v in KINDS.items() if v[1] in self.contracts}

    def sync(self) -> None:
        with self.lock:
            self.indexer.sync()

    def head(self) -> int:
        return int(self.session.chain.w3.eth.block_number)

    def confirmations(self, row: EventRow, head: int) -> int:
        return head - row.block_number + 1


def create_app(explorer: Explorer, *, sync_every: float | None = 2.0) -> Starlette:
    """The web app; with ``sync_every``, a background thread keeps the index at the head."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["short"] = lambda a: f"{str(a)[:6]}…{str(a)[-4:]}" if a else ""

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        head = explorer.head()
        html = env.get_template(template).render(
            request=request,
            network=explorer.session.network,
            kinds=explorer.kinds,
            head=head,
            indexed=explorer.indexer.cursor(),
            names={v.lower(): k for k, v in explorer.contracts.items()},
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def rows_json(rows: list[EventRow]) -> list[dict[str, Any]]:
        head = explorer.head()
        return [r.as_dict(head) for r in rows]

    async def home(request: Request) -> Response:
        activity = explorer.store.events(limit=25, newest_first=True)
        w3 = explorer.session.chain.w3
        head = explorer.head()
        blocks = [w3.eth.get_block(n) for n in range(head, max(-1, head - 8), -1)]
        latest = [
            {
                "number": int(b["number"]),
                "hash": "0x" + bytes(b["hash"]).hex(),
                "timestamp": int(b["timestamp"]),
                "txs": len(b["transactions"]),
            }
            for b in blocks
        ]
        if _wants_json(request):
            return JSONResponse(
                {
                    "activity": rows_json(activity),
                    "blocks": latest,
                    "counts": explorer.store.counts(),
                }
            )
        return page(request, "home.html", activity=activity, blocks=latest)

    async def search(request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()
        target = _resolve(explorer, query)
        if target is not None:
            return RedirectResponse(target, status_code=303)
        return page(request, "search.html", status=404, query=query)

    async def records(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in explorer.kinds:
            return page(request, "missing.html", status=404, what=f"record kind {kind!r}")
        ids = explorer.store.records(kind)
        latest = {
            i: explorer.store.events(kind=kind, record=i, limit=1, newest_first=True)[0]
            for i in ids
        }
        if request.path_params.get("fmt") == "csv":
            return _csv(
                ["id", "latest", "block", "tx"],
                [[i, latest[i].sentence, latest[i].block_number, latest[i].tx_hash] for i in ids],
            )
        if _wants_json(request):
            return JSONResponse(
                [{"id": i, "latest": latest[i].as_dict(explorer.head())} for i in ids]
            )
        return page(
            request,
            "records.html",
            kind=kind,
            title=explorer.kinds[kind][0],
            ids=ids,
            latest=latest,
        )

    async def record(request: Request) -> Response:
        kind, ident = request.path_params["kind"], request.path_params["ident"]
        fmt = None
        if ident.endswith(".csv"):
            ident, fmt = ident[: -len(".csv")], "csv"
        history = explorer.store.events(kind=kind, record=ident)
        if kind not in explorer.kinds or not history:
            return page(request, "missing.html", status=404, what=f"{kind} {ident}")
        if fmt == "csv":
            return _csv(
                ["block", "tx", "log_index", "event", "sentence"],
                [[r.block_number, r.tx_hash, r.log_index, r.name, r.sentence] for r in history],
            )
        proof = prove(explorer.session, kind, ident, history)
        if _wants_json(request):
            return JSONResponse(
                {
                    "kind": kind,
                    "id": ident,
                    "history": rows_json(history),
                    "proof": proof.as_dict() if proof else None,
                }
            )
        return page(
            request,
            "record.html",
            kind=kind,
            ident=ident,
            title=explorer.kinds[kind][0],
            history=history,
            proof=proof,
        )

    async def transaction(request: Request) -> Response:
        tx_hash = request.path_params["tx"].lower()
        tx = explorer.store.transaction(tx_hash)
        rows = explorer.store.events(tx_hash=tx_hash)
        if tx is None:
            return page(request, "missing.html", status=404, what=f"transaction {tx_hash}")
        if _wants_json(request):
            return JSONResponse(
                {
                    "transaction": tx,
                    "events": rows_json(rows),
                    "confirmations": explorer.head() - tx["block_number"] + 1,
                }
            )
        return page(request, "tx.html", tx=tx, rows=rows)

    async def address(request: Request) -> Response:
        addr = request.path_params["address"]
        rows = explorer.store.events(actor=addr, newest_first=True, limit=500)
        contract = next(
            (n for n, a in explorer.contracts.items() if a.lower() == addr.lower()), None
        )
        if _wants_json(request):
            return JSONResponse({"address": addr, "contract": contract, "events": rows_json(rows)})
        return page(request, "address.html", address=addr, contract=contract, rows=rows)

    async def block(request: Request) -> Response:
        number = int(request.path_params["number"])
        if number > explorer.head():
            return page(request, "missing.html", status=404, what=f"block {number}")
        header = explorer.session.chain.w3.eth.get_block(number)
        rows = explorer.store.events(block=number)
        info = {
            "number": number,
            "hash": "0x" + bytes(header["hash"]).hex(),
            "timestamp": int(header["timestamp"]),
            "txs": len(header["transactions"]),
        }
        if _wants_json(request):
            return JSONResponse({"block": info, "events": rows_json(rows)})
        return page(request, "block.html", block=info, rows=rows)

    async def verify(request: Request) -> Response:
        record = explorer.session.record()
        results = []
        for name, entry in record.contracts.items():
            matches = code_matches_build(explorer.session.project, explorer.session.chain, entry)
            results.append(
                {
                    "name": name,
                    "address": entry.address,
                    "tx": entry.tx_hash,
                    "block": entry.block_number,
                    "source_hash": entry.source_hash,
                    "code_matches_build": matches,
                }
            )
        if _wants_json(request):
            return JSONResponse(results)
        return page(request, "verify.html", results=results)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        worker = None
        if sync_every is not None:
            worker = threading.Thread(
                target=_follow, args=(explorer.sync, stop, sync_every), daemon=True
            )
            worker.start()
        yield
        stop.set()
        if worker is not None:
            worker.join(timeout=5)

    routes = [
        Route("/", home),
        Route("/api", home),
        Route("/search", search),
        Route("/verify", verify),
        Route("/api/verify", verify),
        Route("/records/{kind}.{fmt:str}", records),
        Route("/records/{kind}", records),
        Route("/api/records/{kind}", records),
        Route("/records/{kind}/{ident:path}", record),
        Route("/api/records/{kind}/{ident:path}", record),
        Route("/tx/{tx}", transaction),
        Route("/api/tx/{tx}", transaction),
        Route("/address/{address}", address),
        Route("/api/address/{address}", address),
        Route("/block/{number:int}", block),
        Route("/api/block/{number:int}", block),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _follow(sync: Callable[[], None], stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        # A node hiccup must not kill the explorer: the next tick retries from the cursor.
        with contextlib.suppress(Exception):
            sync()
        stop.wait(every)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _csv(header: list[str], rows: list[list[Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")


def _resolve(explorer: Explorer, query: str) -> str | None:
    """Where a search goes: a transaction, an address, a block, or a record by its id."""
    if TX_HASH.match(query):
        return f"/tx/{query.lower()}"
    if ADDRESS.match(query):
        return f"/address/{query}"
    if query.isdigit():
        return f"/block/{int(query)}"
    named = NAMED.match(query)
    if named:
        kind, ident = named.group(1).lower(), named.group(2).lstrip("#")
        ident = ident[2:] if kind == "tender" and ident.upper().startswith("T-") else ident
        if ident in explorer.store.records(kind):
            return f"/records/{kind}/{ident}"
    if query in explorer.store.records("parcel"):
        return f"/records/parcel/{query}"
    return None
