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
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govchain.clients.land import parcel_id
from govchain.compiler import load_artifact
from govchain.deploy import DeploymentRecord
from govchain.explorer.calls import CallDecoder
from govchain.explorer.describe import Words
from govchain.explorer.evidence import (
    MAX_UPLOAD,
    Claim,
    VerifyInputError,
    claim_from_fields,
    claim_from_file,
)
from govchain.explorer.evidence import check as check_claim
from govchain.explorer.indexer import Indexer
from govchain.explorer.people import (
    TITLE_EVENTS,
    Directory,
    RoleHolding,
    Title,
    chain_of_title,
    current_roles,
    title_owners,
)
from govchain.explorer.proofs import prove
from govchain.explorer.store import EventRow, Store
from govchain.explorer.txview import read_transaction
from govchain.explorer.verification import Verification, natspec, verify_contract
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
PAGE_SIZE = 100  # records per page of a list (the CSV has them all)
MAX_QUERY = 4_096  # bytes after "?": no page needs more; a longer one is refused (414)
MAX_PATH = 32_768  # a path longer than this is refused before routing (414)
MAX_REQUEST_HEAD = 256 * 1024  # uvicorn (h11) reads a request line this long, so the app answers
MAX_FORM = MAX_UPLOAD + 16 * 1024  # the verify form: one file of MAX_UPLOAD and its headers
BLOCK_NUMBER = re.compile(r"^[0-9]{1,20}$")
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
        self.calls = CallDecoder(session.project)

    @property
    def words(self) -> Words:
        return self.indexer.words

    def deployment(self) -> DeploymentRecord:
        """The deployment record as it is on disk, not re-checked against the chain: the
        contract page must show a contract whose code changed, not refuse to load."""
        record = DeploymentRecord.load(self.session.project, self.session.network)
        return record if record is not None else self.session.record()

    def roles(self) -> list[RoleHolding]:
        """Roles held now in the suite's contracts, from the indexed grants and revocations."""
        return current_roles(self.store.events(kind="role"), self.words)

    def directory(self) -> Directory:
        return Directory(self.contracts, self.roles())

    def titles(self) -> dict[str, Title]:
        """Every live parcel's owner, from the indexed chain of title."""
        return title_owners(self.store.events(kind="parcel", names=TITLE_EVENTS))

    def verify(self, name: str) -> Verification:
        record = self.deployment()
        return verify_contract(
            self.session.project, self.session.chain, name, record.contracts[name]
        )

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
        fmt = request.path_params.get("fmt")
        if kind not in explorer.kinds or fmt not in (None, "csv"):
            return missing(request, f"record kind “{_clip(kind)}”")
        if fmt == "csv":
            everything = explorer.store.latest_per_record(kind)
            return _csv(
                ["id", "latest", "block", "tx"],
                [[i, r.sentence, r.block_number, r.tx_hash] for i, r in everything],
            )
        total = explorer.store.count_records(kind)
        pages = max(1, -(-total // PAGE_SIZE))
        given = request.query_params.get("page", "1")
        if not given.isdigit() or not 1 <= int(given) <= pages:
            return problem(
                request,
                400 if not given.isdigit() else 404,
                "No such page of the list",
                f"“{_clip(given)}” is not a page of this list: it has {pages:,} page(s) of "
                f"{PAGE_SIZE} records.",
            )
        number = int(given)
        listed = explorer.store.latest_per_record(
            kind, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        if _wants_json(request):
            head = explorer.head()
            return JSONResponse(
                {
                    "kind": kind,
                    "total": total,
                    "page": number,
                    "pages": pages,
                    "page_size": PAGE_SIZE,
                    "records": [{"id": i, "latest": r.as_dict(head)} for i, r in listed],
                }
            )
        return page(
            request,
            "records.html",
            kind=kind,
            title=explorer.kinds[kind][0],
            listed=listed,
            total=total,
            number=number,
            pages=pages,
            first=(number - 1) * PAGE_SIZE + 1,
        )

    async def record(request: Request) -> Response:
        kind, ident = request.path_params["kind"], request.path_params["ident"]
        fmt = None
        if ident.endswith(".csv"):
            ident, fmt = ident[: -len(".csv")], "csv"
        history = explorer.store.events(kind=kind, record=ident) if len(ident) <= 80 else []
        if kind not in explorer.kinds or not history:
            return missing(request, f"{_clip(kind)} {_clip(ident)}")
        if fmt == "csv":
            return _csv(
                ["block", "tx", "log_index", "event", "sentence"],
                [[r.block_number, r.tx_hash, r.log_index, r.name, r.sentence] for r in history],
            )
        proof = prove(explorer.session, kind, ident, history)
        title_chain = chain_of_title(history) if kind == "parcel" else None
        if _wants_json(request):
            data: dict[str, Any] = {
                "kind": kind,
                "id": ident,
                "history": rows_json(history),
                "proof": proof.as_dict() if proof else None,
            }
            if title_chain is not None:
                data["chain_of_title"] = [step.as_dict() for step in title_chain]
            return JSONResponse(data)
        return page(
            request,
            "record.html",
            kind=kind,
            ident=ident,
            title=explorer.kinds[kind][0],
            history=history,
            proof=proof,
            title_chain=title_chain,
        )

    def missing(request: Request, what: str) -> Response:
        return problem(
            request,
            404,
            f"No {what} here",
            "It is not on this chain, or the explorer has not indexed it yet (indexed to block "
            f"{explorer.indexer.cursor()}).",
        )

    def problem(request: Request, status: int, title: str, detail: str) -> Response:
        """A clear 4xx answer: an HTML page, or ``{"error": …}`` under ``/api``."""
        if _wants_json(request):
            return JSONResponse({"error": title, "detail": detail, "status": status}, status)
        return page(request, "error.html", status=status, title=title, detail=detail)

    async def transaction(request: Request) -> Response:
        given = request.path_params["tx"]
        if not TX_HASH.match(given):
            return problem(
                request,
                400,
                "That is not a transaction hash",
                f"“{_clip(given)}” is not 0x followed by 64 hexadecimal digits.",
            )
        tx_hash = given.lower()
        rows = explorer.store.events(tx_hash=tx_hash)
        view = read_transaction(
            explorer.session,
            tx_hash,
            words=explorer.words,
            calls=explorer.calls,
            contracts=explorer.contracts,
            indexed_rows=rows,
        )
        if view is None:
            return problem(
                request,
                404,
                "No such transaction on this chain",
                f"The node knows no mined transaction {tx_hash} (it may be pending, on another "
                "network, or undone by a reorganisation).",
            )
        directory = explorer.directory()
        if _wants_json(request):
            return JSONResponse(
                {
                    "transaction": {
                        "hash": view.hash,
                        "block_number": view.block_number,
                        "block_hash": view.block_hash,
                        "timestamp": view.timestamp,
                        "sender": view.sender,
                        "recipient": view.recipient,
                        "created": view.created,
                        "status": view.status,
                        "value": str(view.value),
                        "nonce": view.nonce,
                        "gas_used": view.gas_used,
                        "gas_limit": view.gas_limit,
                        "gas_price": str(view.gas_price),
                        "fee": str(view.fee),
                        "input": view.input,
                    },
                    "confirmations": view.confirmations,
                    "from": directory.describe(view.sender),
                    "to": directory.describe(view.recipient or view.created),
                    "call": view.call.as_dict() if view.call else None,
                    "failure": view.failure,
                    "failure_notice": view.failure_notice,
                    "logs": [log.as_dict() for log in view.logs],
                    "indexed": view.indexed,
                    "events": rows_json(rows),
                }
            )
        return page(request, "tx.html", tx=view, directory=directory)

    async def address(request: Request) -> Response:
        given = request.path_params["address"]
        checksummed = _checksummed(given)
        if checksummed is None:
            return problem(
                request,
                400,
                "That is not an address",
                f"“{_clip(given)}” is not 0x followed by 40 hexadecimal digits with a valid "
                "checksum (mixed case must match EIP-55; all lower or all upper case is fine).",
            )
        addr = checksummed
        rows = explorer.store.events(actor=addr, newest_first=True, limit=500)
        holdings = explorer.roles()
        directory = Directory(explorer.contracts, holdings)
        contract = directory.contract(addr)
        roles = [h for h in holdings if h.account.lower() == addr.lower()]
        titles, balance = _titles_of(explorer, addr)
        sent = explorer.store.transactions_from(addr)
        if _wants_json(request):
            return JSONResponse(
                {
                    "address": addr,
                    "contract": contract,
                    "label": directory.label(addr),
                    "roles": [h.as_dict() for h in roles],
                    "titles": [t.as_dict() for t in titles],
                    "titles_held_per_registry": balance,
                    "transactions": sent,
                    "events": rows_json(rows),
                }
            )
        return page(
            request,
            "address.html",
            address=addr,
            contract=contract,
            label=directory.label(addr),
            roles=roles,
            titles=titles,
            balance=balance,
            sent=sent,
            rows=rows,
        )

    async def contract_page(request: Request) -> Response:
        name = request.path_params["name"]
        record = explorer.deployment()
        if name not in record.contracts:
            known = ", ".join(sorted(record.contracts))
            return problem(
                request,
                404,
                "No such govchain contract",
                f"“{_clip(name)}” is not in the {explorer.session.network} deployment record. "
                f"Its contracts are: {known}.",
            )
        verification = explorer.verify(name)
        try:
            doc = natspec(load_artifact(explorer.session.project, record.contracts[name].contract))
        except Exception:  # noqa: BLE001 - no local build: the badge already says so
            doc = None
        holdings = explorer.roles()
        holders = [h for h in holdings if h.contract == name]
        if _wants_json(request):
            return JSONResponse(
                {
                    "verification": verification.as_dict(),
                    "roles": [h.as_dict() for h in holders],
                    "natspec": doc.as_dict() if doc else None,
                }
            )
        return page(
            request,
            "contract.html",
            v=verification,
            doc=doc,
            holders=holders,
            directory=Directory(explorer.contracts, holdings),
        )

    async def block(request: Request) -> Response:
        given = request.path_params["number"]
        if not BLOCK_NUMBER.match(given):
            return problem(
                request,
                400,
                "That is not a block number",
                f"“{_clip(given)}” is not a whole number of at most 20 digits.",
            )
        number = int(given)
        if number > explorer.head():
            return missing(request, f"block {number}")
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

    async def verify_contracts(request: Request) -> Response:
        record = explorer.deployment()
        results = []
        for name, entry in record.contracts.items():
            v = explorer.verify(name)
            results.append(
                {
                    "name": name,
                    "address": entry.address,
                    "tx": entry.tx_hash,
                    "block": entry.block_number,
                    "source_hash": entry.source_hash,
                    "status": v.status,
                    "code_matches_build": None if v.status == "no build" else v.exact_match,
                }
            )
        if _wants_json(request):
            return JSONResponse(results)
        return page(request, "contracts.html", results=results)

    async def verify(request: Request) -> Response:
        """The citizen's check: a transaction hash, or a proof / receipt file, answered yes or
        no with the evidence. GET with ``?tx=`` (and ``&parcel=``) gives a link to share."""
        try:
            claim = await _claim(request)
        except VerifyInputError as exc:
            return problem(request, exc.status, exc.title, exc.detail)
        if claim is None:
            if _wants_json(request):
                return problem(
                    request,
                    400,
                    "Nothing to verify",
                    "GET /api/verify?tx=0x… (and &parcel=NUMBER for a land sale), or POST a "
                    "welfare proof, vote receipt or sale receipt as JSON or as the form field "
                    "“file”.",
                )
            return page(request, "verify.html", max_upload=MAX_UPLOAD)
        verdict = check_claim(explorer, claim)
        if _wants_json(request):
            return JSONResponse(verdict.as_dict())
        return page(request, "verdict.html", verdict=verdict)

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
        Route("/verify", verify, methods=["GET", "POST"]),
        Route("/api/verify", verify, methods=["GET", "POST"]),
        Route("/verify/contracts", verify_contracts),
        Route("/api/verify/contracts", verify_contracts),
        Route("/records/{kind}.{fmt:str}", records),
        Route("/records/{kind}", records),
        Route("/api/records/{kind}", records),
        Route("/records/{kind}/{ident:path}", record),
        Route("/api/records/{kind}/{ident:path}", record),
        Route("/tx/{tx}", transaction),
        Route("/api/tx/{tx}", transaction),
        Route("/address/{address}", address),
        Route("/api/address/{address}", address),
        Route("/contract/{name}", contract_page),
        Route("/api/contract/{name}", contract_page),
        Route("/block/{number}", block),
        Route("/api/block/{number}", block),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return problem(request, 405, "Not allowed", "Pages here are read with GET only.")
        return problem(
            request,
            status,
            "No such page",
            "Nothing lives at this path. Search from the box above, or start from the home page.",
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never a stack trace: the citizen gets a plain page, the operator the server's log.
        title, detail = "Something went wrong", "The explorer could not answer; try again shortly."
        if _wants_json(request):
            return JSONResponse({"error": title, "detail": detail, "status": 500}, 500)
        html = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{detail}</p>"
        return HTMLResponse(html, 500)

    async def too_long(request: Request) -> Response:
        size = len(request.scope.get("query_string", b""))
        where = f"the part after “?” is {size:,} bytes" if size > MAX_QUERY else "the path is"
        return problem(
            request,
            414,
            "That address is too long",
            f"The explorer reads at most {MAX_QUERY:,} bytes after “?” and {MAX_PATH:,} in the "
            f"path; {where} longer. Search with a shorter text.",
        )

    handlers = {404: not_found, 405: not_found, 500: server_error}
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers=handlers,
        middleware=[Middleware(_Limits, reject=too_long)],
    )


class _Limits:
    """Refuse absurdly long request targets before any page reads them (414, a clear page)."""

    def __init__(self, app: ASGIApp, reject: Callable[[Request], Any]) -> None:
        self.app = app
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            len(scope.get("query_string", b"")) > MAX_QUERY or len(scope["path"]) > MAX_PATH
        ):
            response = await self.reject(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _claim(request: Request) -> Claim | None:
    """What the citizen asked to verify: None for the empty form."""
    if request.method == "GET":
        tx, parcel = request.query_params.get("tx"), request.query_params.get("parcel")
        return None if tx is None and parcel is None else claim_from_fields(tx, parcel)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded"):
        raise VerifyInputError(
            415,
            "Send a form or a JSON file",
            "The verify page reads a form (with an optional file) or, under /api/verify, a JSON "
            f"body; this request is “{_clip(kind or 'without a content type')}”.",
        )
    body = await _capped_body(request, MAX_FORM)
    if kind == "application/json":
        return claim_from_file(body, "the request body")

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    except HTTPException as exc:
        raise VerifyInputError(400, "That form could not be read", str(exc.detail)) from None
    try:
        upload = form.get("file")
        if isinstance(upload, UploadFile) and (upload.filename or upload.size):
            data = await upload.read(MAX_UPLOAD + 1)
            return claim_from_file(data, upload.filename or "the file")
        typed_tx, typed_parcel = form.get("tx"), form.get("parcel")
        return claim_from_fields(
            typed_tx if isinstance(typed_tx, str) else None,
            typed_parcel if isinstance(typed_parcel, str) else None,
        )
    finally:
        await form.close()


async def _capped_body(request: Request, limit: int) -> bytes:
    too_big = VerifyInputError(
        413,
        "That upload is too big",
        f"The verify page reads at most {MAX_UPLOAD // 1024} KB: welfare proofs, vote receipts "
        "and sale receipts are a few kilobytes.",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    return bytes(body)


def _follow(sync: Callable[[], None], stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        # A node hiccup must not kill the explorer: the next tick retries from the cursor.
        with contextlib.suppress(Exception):
            sync()
        stop.wait(every)


def _clip(text: str, limit: int = 80) -> str:
    """Echo a user's input back, but never a megabyte of it."""
    return text if len(text) <= limit else text[:limit] + "…"


def _checksummed(text: str) -> str | None:
    """The EIP-55 form of an address, or None if ``text`` is not one (or a mistyped one)."""
    from eth_utils import to_checksum_address

    if not ADDRESS.match(text):
        return None
    checksummed = to_checksum_address(text)
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and text != checksummed:
        return None  # mixed case that fails its own checksum: a typo
    return checksummed


def _titles_of(explorer: Explorer, address: str) -> tuple[list[Title], dict[str, Any] | None]:
    """Titles ``address`` owns by the indexed chain of title, each checked live with ownerOf;
    with the registry's own count (``balanceOf``) to show nothing is missing."""
    if "LandRegistry" not in explorer.contracts:
        return [], None
    registry = explorer.session.contract("LandRegistry", explorer.contracts["LandRegistry"])
    owned = [t for t in explorer.titles().values() if t.owner.lower() == address.lower()]
    checked = []
    for title in owned:
        try:
            owner_now = str(registry.functions.ownerOf(parcel_id(title.parcel)).call())
        except Exception:  # noqa: BLE001 - burnt or unknown: the registry has no owner for it
            owner_now = "none"
        checked.append(replace(title, owner_now=owner_now))
    held = int(registry.functions.balanceOf(address).call())
    balance = {"registry": held, "chain_of_title": len(owned), "agree": held == len(owned)}
    return checked, balance


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
