"""Check a record's indexed history against the contract's own state, read live from the chain.

The explorer never asks to be believed: for each record it reads what the contract says now
(owner of a title, a round's remaining funds, an election's stored tally…) and compares it with
what the indexed events imply. A mismatch is shown as such.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from govchain.explorer.store import EventRow
from govchain.session import Session


@dataclass(frozen=True)
class Check:
    """One fact: what the events say, what the contract says, and whether they agree."""

    label: str
    from_events: str
    from_contract: str

    @property
    def ok(self) -> bool:
        return self.from_events == self.from_contract


@dataclass(frozen=True)
class Proof:
    block: int
    facts: list[tuple[str, str]]  # live state, in plain words
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "facts": dict(self.facts),
            "checks": [
                {"label": c.label, "events": c.from_events, "contract": c.from_contract, "ok": c.ok}
                for c in self.checks
            ],
            "ok": self.ok,
        }


Prover = Callable[[Session, str, Sequence[EventRow]], tuple[list[tuple[str, str]], list[Check]]]


def prove(session: Session, kind: str, record: str, history: Sequence[EventRow]) -> Proof | None:
    """Live state and checks for one record, or None for kinds without a contract view."""
    prover = PROVERS.get(kind)
    if prover is None:
        return None
    block = int(session.chain.w3.eth.block_number)
    facts, checks = prover(session, record, history)
    return Proof(block, facts, checks)


def _last(history: Sequence[EventRow], *names: str) -> EventRow | None:
    found = [row for row in history if row.name in names]
    return found[-1] if found else None


def _parcel(session: Session, record: str, history: Sequence[EventRow]) -> Any:
    from govchain.clients.land import LandClient

    title = LandClient.connect(session).title(record)
    owner_event = _last(
        history, "ParcelRegistered", "SaleCompleted", "ForcedTransfer", "ParcelRetired"
    )
    if owner_event is None or owner_event.name == "ParcelRetired":
        owner_from_events = "none (retired)" if owner_event else "unknown"
    else:
        key = {"ParcelRegistered": "owner", "SaleCompleted": "buyer", "ForcedTransfer": "to"}
        owner_from_events = str(owner_event.args[key[owner_event.name]])
    recorded = sum(1 for r in history if r.name == "LienRecorded")
    released = sum(1 for r in history if r.name == "LienReleased")
    frozen = sum(
        1 if r.name == "TitleFrozen" else -1
        for r in history
        if r.name in ("TitleFrozen", "TitleUnfrozen")
    )
    facts = [
        ("status", title.status),
        ("owner", title.owner or "none (retired)"),
        ("area", f"{title.area:,} m²"),
        ("frozen", "yes" if title.frozen else "no"),
        ("active liens", str(len(title.active_liens))),
        ("came from", ", ".join(title.parents) or "first registration"),
        ("split into", ", ".join(title.children) or "-"),
    ]
    checks = [
        Check("owner", owner_from_events, title.owner or "none (retired)"),
        Check("active liens", str(recorded - released), str(len(title.active_liens))),
        Check("frozen", "yes" if frozen > 0 else "no", "yes" if title.frozen else "no"),
    ]
    return facts, checks


def _tender(session: Session, record: str, history: Sequence[EventRow]) -> Any:
    from govchain.clients.procurement import ProcurementClient

    client: ProcurementClient = ProcurementClient.connect(session)
    tender = client.tender(int(record), document_hash=b"")
    awarded = _last(history, "TenderAwarded", "ReawardOpened")
    winner_events = (
        str(awarded.args["winner"]) if awarded and awarded.name == "TenderAwarded" else "none"
    )
    bids = sum(1 for r in history if r.name == "BidCommitted" and not r.args.get("replaced"))
    revealed = sum(1 for r in history if r.name == "BidRevealed")
    facts = [
        ("phase", tender.phase),
        ("bids", f"{tender.bid_count} ({tender.revealed_count} revealed)"),
        ("winner", tender.winner or "none"),
    ]
    checks = [
        Check("winner", winner_events, tender.winner or "none"),
        Check("bids", str(bids), str(tender.bid_count)),
        Check("revealed bids", str(revealed), str(tender.revealed_count)),
    ]
    return facts, checks


def _round(session: Session, record: str, history: Sequence[EventRow]) -> Any:
    from govchain.clients.welfare import WelfareClient

    reconciliation = WelfareClient.connect(session).reconcile(int(record))
    facts = [
        ("beneficiaries", f"{reconciliation.beneficiaries:,}"),
        ("funded", str(reconciliation.funded)),
        ("claimed", str(reconciliation.claimed)),
        ("revoked", str(reconciliation.revoked)),
        ("clawed back", str(reconciliation.clawed_back)),
        ("still held by the contract", str(reconciliation.contract_remaining)),
    ]
    checks = [
        Check(
            "outstanding funds",
            str(reconciliation.outstanding),
            str(reconciliation.contract_remaining),
        )
    ]
    return facts, checks


def _declaration(session: Session, record: str, history: Sequence[EventRow]) -> Any:
    from govchain.clients.customs import CustomsClient

    d = CustomsClient.connect(session).declaration(int(record))
    assessed: int | None = None
    for row in history:
        if row.name == "DeclarationAssessed":
            assessed = int(row.args["duty"]) + int(row.args["vat"])
        elif row.name == "AssessmentOverridden" or (
            row.name == "AppealDecided" and row.args["upheld"]
        ):
            assessed = int(row.args["newDuty"]) + int(row.args["newVat"])
    released = _last(history, "GoodsReleased", "GoodsSeized", "DeclarationHeld")
    facts = [
        ("status", d.status),
        ("duty", str(d.duty)),
        ("VAT", str(d.vat)),
        ("paid", "yes" if d.paid else "no"),
        ("appeal", d.appeal),
    ]
    checks = [
        Check("assessed duty + VAT", str(assessed), str(d.duty + d.vat)),
        Check("paid", "yes" if _last(history, "DutyPaid") else "no", "yes" if d.paid else "no"),
        Check(
            "released",
            "yes" if released is not None and released.name == "GoodsReleased" else "no",
            "yes" if d.status == "Released" else "no",
        ),
    ]
    return facts, checks


def _election(session: Session, record: str, history: Sequence[EventRow]) -> Any:
    from govchain.clients.ballot import BallotClient

    recount = BallotClient.connect(session).recount(int(record))
    tallies = [0] * len(recount.stored.tallies)
    for row in history:
        if row.name == "VoteRevealed":
            tallies[int(row.args["choice"])] += 1
    stored = recount.stored
    facts = [
        ("tallies", ", ".join(f"option {i}: {t}" for i, t in enumerate(stored.tallies))),
        ("turnout", str(stored.turnout)),
        ("never revealed", str(stored.unrevealed)),
        ("final", "yes" if stored.finalized else "not yet"),
    ]
    checks = [
        Check("tally recounted from the indexed reveals", str(tallies), str(stored.tallies)),
        Check("tally recounted from the chain's logs", str(recount.tallies), str(stored.tallies)),
    ]
    return facts, checks


PROVERS: dict[str, Prover] = {
    "parcel": _parcel,
    "tender": _tender,
    "round": _round,
    "declaration": _declaration,
    "election": _election,
}
