# ruff: noqa: E501 - a sentence per event reads best unbroken
"""Each govchain event in plain words, and the public record it belongs to.

A citizen reads "Tender 7 awarded to 0xab12…cd34 at 41,200.00 PUB", not a log. Every event
maps to a record (``("tender", "7")``, ``("parcel", "0042-17")``…) so the explorer can show a
record's whole history, and to one sentence built only from the event's own arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govchain.clients.land import parcel_number
from govchain.events import Event

ZERO = "0x" + "00" * 20
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32  # AccessControl's admin of admins is 0x00, not a hash
ROLE_EVENTS = ("RoleGranted", "RoleRevoked")


@dataclass(frozen=True)
class Described:
    kind: str
    record: str
    sentence: str


@dataclass
class Words:
    """How amounts and addresses are written: token symbol and decimals, known names."""

    symbol: str = "PUB"
    decimals: int = 2
    names: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(
        default_factory=lambda: {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"}
    )

    def amount(self, value: Any) -> str:
        units = Decimal(int(value)).scaleb(-self.decimals)
        return f"{units:,.{self.decimals}f} {self.symbol}"

    def who(self, address: Any) -> str:
        text = str(address)
        name = self.names.get(text.lower())
        short = f"{text[:6]}…{text[-4:]}"
        return f"{name} ({short})" if name else short

    def role(self, role: Any) -> str:
        """A role id (bytes32) by its name when known, else its short hex."""
        text = role_hex(role)
        return self.roles.get(text) or f"role {text[:10]}…"


def role_hex(role: Any) -> str:
    """A bytes32 role id as lower-case 0x-hex (bytes, or already hex as stored in JSON)."""
    if isinstance(role, bytes):
        return "0x" + role.hex()
    return str(role).lower()


def role_names(solidity: str) -> dict[str, str]:
    """Role ids by name from a Solidity source declaring ``NAME = keccak256("NAME")`` constants.

    ``contracts/common/Roles.sol`` declares every govchain role this way; AccessControl's
    ``DEFAULT_ADMIN_ROLE`` (0x00) is always known.
    """
    from eth_utils import keccak

    names = {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"}
    for name in re.findall(r'keccak256\(\s*"([A-Za-z0-9_]+)"\s*\)', solidity):
        names["0x" + keccak(text=name).hex()] = name
    return names


Describer = Callable[[Mapping[str, Any], Words], Described]


def _rule(kind: str, key: str, text: Callable[[Mapping[str, Any], Words], str]) -> Describer:
    return lambda a, w: Described(kind, _record_id(kind, a[key]), text(a, w))


def _record_id(kind: str, value: Any) -> str:
    if kind == "parcel":
        return parcel_number(int(value))
    if isinstance(value, int):
        return str(value)
    return str(value)


def _parcels(values: Any) -> str:
    return ", ".join(parcel_number(int(v)) for v in values)


RULES: dict[str, Describer] = {
    # -- welfare ---------------------------------------------------------------------------
    "ProgrammeCreated": _rule(
        "programme",
        "programmeId",
        lambda a, w: (
            f"Programme {a['programmeId']} “{a['name']}” created, funded by {w.who(a['funding'])}"
        ),
    ),
    "ProgrammeOfficialsChanged": _rule(
        "programme",
        "programmeId",
        lambda a, w: (
            f"Programme {a['programmeId']} officials changed: manager {w.who(a['manager'])}, "
            f"eligibility officer {w.who(a['officer'])}"
        ),
    ),
    "RoundProposed": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"Round {a['roundId']} proposed: {a['beneficiaryCount']:,} beneficiaries, "
            f"{w.amount(a['total'])} in total"
        ),
    ),
    "RoundPublished": _rule(
        "round",
        "roundId",
        lambda a, w: f"Round {a['roundId']} published and funded with {w.amount(a['total'])}",
    ),
    "RoundVetoed": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"Round {a['roundId']} vetoed by auditor {w.who(a['auditor'])} "
            f"(reason {a['reasonCode']}); {w.amount(a['returned'])} returned"
        ),
    ),
    "Claimed": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"{w.who(a['beneficiary'])} received {w.amount(a['amount'])} "
            f"from round {a['roundId']} (entry {a['index']})"
        ),
    ),
    "AgentClaimed": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"Agent {w.who(a['agent'])} claimed entry {a['index']} of round {a['roundId']} "
            f"for payee {w.who(a['payee'])}"
        ),
    ),
    "BatchPaid": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"{w.who(a['payer'])} paid {a['paid']:,} beneficiaries of round {a['roundId']} "
            f"{w.amount(a['amount'])} in one batch ({a['skipped']} already paid)"
        ),
    ),
    "Revoked": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"Entry {a['index']} of round {a['roundId']} revoked (reason {a['reasonCode']}); "
            f"{w.amount(a['amount'])} returned"
        ),
    ),
    "RoundClawedBack": _rule(
        "round",
        "roundId",
        lambda a, w: (
            f"Round {a['roundId']} closed: {w.amount(a['amount'])} unclaimed returned to the programme"
        ),
    ),
    # -- procurement -----------------------------------------------------------------------
    "TenderCreated": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Tender {a['tenderId']} “{a['title']}” opened by {w.who(a['officer'])}: "
            f"ceiling {w.amount(a['ceiling'])}, bond {w.amount(a['bond'])}"
        ),
    ),
    "TenderAmended": _rule(
        "tender", "tenderId", lambda a, w: f"Tender {a['tenderId']} amended before any bid"
    ),
    "TenderCancelled": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Tender {a['tenderId']} cancelled (reason {a['reasonCode']})"
            + ("; every bond refundable" if a["allBondsRefunded"] else "")
        ),
    ),
    "BidCommitted": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"{w.who(a['bidder'])} {'replaced its' if a['replaced'] else 'submitted a'} "
            f"sealed bid on tender {a['tenderId']}"
        ),
    ),
    "BidRevealed": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"{w.who(a['bidder'])} revealed {w.amount(a['price'])} on tender {a['tenderId']}"
            + ("" if a["compliant"] else " (not compliant)")
        ),
    ),
    "TenderAwarded": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Tender {a['tenderId']} awarded to {w.who(a['winner'])} at {w.amount(a['price'])}"
        ),
    ),
    "TenderNotAwarded": _rule(
        "tender", "tenderId", lambda a, w: f"Tender {a['tenderId']} closed without a compliant bid"
    ),
    "BondReturned": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Bond of {w.amount(a['amount'])} returned to {w.who(a['bidder'])} (tender {a['tenderId']})"
        ),
    ),
    "BondsForfeited": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"{a['bids']} unrevealed bond(s), {w.amount(a['amount'])}, forfeited to the buyer "
            f"(tender {a['tenderId']})"
        ),
    ),
    "ChallengeLodged": _rule(
        "tender",
        "tenderId",
        lambda a, w: f"{w.who(a['challenger'])} challenged the award of tender {a['tenderId']}",
    ),
    "ChallengeResolved": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Challenge {a['challengeId']} on tender {a['tenderId']} decided: "
            f"{('dismissed', 're-award', 'tender cancelled')[int(a['resolution'])]}"
        ),
    ),
    "ReawardOpened": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Award of tender {a['tenderId']} set aside; {w.who(a['disqualified'])} disqualified"
        ),
    ),
    "BidNominated": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Bid of {w.who(a['bidder'])} at {w.amount(a['price'])} nominated for re-award"
        ),
    ),
    "EscrowFunded": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Buyer escrowed {w.amount(a['amount'])} for tender {a['tenderId']} "
            f"in {len(a['milestones'])} milestone(s)"
        ),
    ),
    "MilestonePaid": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Milestone {a['milestone']} of tender {a['tenderId']} confirmed by "
            f"{w.who(a['inspector'])}: {w.amount(a['amount'])} paid to {w.who(a['supplier'])}"
        ),
    ),
    "ContractTerminated": _rule(
        "tender",
        "tenderId",
        lambda a, w: (
            f"Contract of tender {a['tenderId']} terminated; {w.amount(a['refunded'])} returned to the buyer"
        ),
    ),
    "ContractCompleted": _rule(
        "tender",
        "tenderId",
        lambda a, w: f"Contract of tender {a['tenderId']} completed: {w.amount(a['paid'])} paid",
    ),
    "SupplierStatusChanged": _rule(
        "supplier",
        "supplier",
        lambda a, w: (
            f"Supplier {w.who(a['supplier'])} is now "
            f"{('unregistered', 'approved', 'debarred')[int(a['status'])]}"
        ),
    ),
    # -- land --------------------------------------------------------------------------------
    "ParcelRegistered": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Parcel {parcel_number(int(a['parcelId']))} ({int(a['area']):,} m²) registered to "
            f"{w.who(a['owner'])}"
        ),
    ),
    "SaleOffered": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"{w.who(a['seller'])} offered parcel {parcel_number(int(a['parcelId']))} to "
            f"{w.who(a['buyer'])} for {w.amount(a['price'])}"
        ),
    ),
    "SaleWithdrawn": _rule(
        "parcel",
        "parcelId",
        lambda a, w: f"Offer of parcel {parcel_number(int(a['parcelId']))} withdrawn",
    ),
    "SaleApproved": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Registrar {w.who(a['registrar'])} approved the sale of parcel {parcel_number(int(a['parcelId']))}"
        ),
    ),
    "SaleCompleted": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Parcel {parcel_number(int(a['parcelId']))} sold by {w.who(a['seller'])} to "
            f"{w.who(a['buyer'])} for {w.amount(a['price'])} (transfer tax {w.amount(a['tax'])})"
        ),
    ),
    "LienRecorded": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Lien {a['lienId']} of {w.amount(a['amount'])} recorded on parcel "
            f"{parcel_number(int(a['parcelId']))} for {w.who(a['holder'])}"
        ),
    ),
    "LienReleased": _rule(
        "parcel",
        "parcelId",
        lambda a, w: f"Lien {a['lienId']} on parcel {parcel_number(int(a['parcelId']))} released",
    ),
    "TitleFrozen": _rule(
        "parcel",
        "parcelId",
        lambda a, w: f"A court froze parcel {parcel_number(int(a['parcelId']))}",
    ),
    "TitleUnfrozen": _rule(
        "parcel",
        "parcelId",
        lambda a, w: f"A court lifted the freeze on parcel {parcel_number(int(a['parcelId']))}",
    ),
    "ForcedTransfer": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"By court order, parcel {parcel_number(int(a['parcelId']))} passed from "
            f"{w.who(a['from'])} to {w.who(a['to'])}"
        ),
    ),
    "ParcelRetired": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Parcel {parcel_number(int(a['parcelId']))} retired into {_parcels(a['children'])}"
        ),
    ),
    "ParcelDerived": _rule(
        "parcel",
        "parcelId",
        lambda a, w: (
            f"Parcel {parcel_number(int(a['parcelId']))} created from {_parcels(a['parents'])}"
        ),
    ),
    # -- customs -----------------------------------------------------------------------------
    "TariffSet": _rule(
        "tariff",
        "hsCode",
        lambda a, w: f"Duty on HS {int(a['hsCode']):06d} set to {int(a['rateBps']) / 100:g} %",
    ),
    "PreferentialTariffSet": _rule(
        "tariff",
        "hsCode",
        lambda a, w: (
            f"Duty on HS {int(a['hsCode']):06d} from country {a['origin']} set to "
            f"{int(a['rateBps']) / 100:g} %"
        ),
    ),
    "TraderRegistered": _rule(
        "trader",
        "trader",
        lambda a, w: (
            f"Trader {w.who(a['trader'])} {'registered' if a['registered'] else 'deregistered'}"
        ),
    ),
    "DeclarationFiled": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Declaration {a['declarationId']} filed by {w.who(a['trader'])} "
            f"({len(a['lines'])} line(s))"
        ),
    ),
    "DeclarationAmended": _rule(
        "declaration", "declarationId", lambda a, w: f"Declaration {a['declarationId']} amended"
    ),
    "DeclarationAssessed": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Declaration {a['declarationId']} assessed: duty {w.amount(a['duty'])}, "
            f"VAT {w.amount(a['vat'])}"
        ),
    ),
    "AssessmentOverridden": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Officer changed the assessment of declaration {a['declarationId']} from "
            f"{w.amount(int(a['oldDuty']) + int(a['oldVat']))} to {w.amount(int(a['newDuty']) + int(a['newVat']))} "
            f"(reason {a['reasonCode']})"
        ),
    ),
    "DutyPaid": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"{w.amount(a['amount'])} paid on declaration {a['declarationId']} by {w.who(a['payer'])}"
        ),
    ),
    "DeclarationHeld": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Goods of declaration {a['declarationId']} held for inspection (reason {a['reasonCode']})"
        ),
    ),
    "GoodsReleased": _rule(
        "declaration",
        "declarationId",
        lambda a, w: f"Goods of declaration {a['declarationId']} released",
    ),
    "GoodsSeized": _rule(
        "declaration",
        "declarationId",
        lambda a, w: f"Goods of declaration {a['declarationId']} seized (reason {a['reasonCode']})",
    ),
    "AppealLodged": _rule(
        "declaration",
        "declarationId",
        lambda a, w: f"Assessment of declaration {a['declarationId']} appealed",
    ),
    "AppealDecided": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Appeal on declaration {a['declarationId']} "
            + (f"upheld: {w.amount(a['refund'])} refunded" if a["upheld"] else "dismissed")
        ),
    ),
    "EscrowOpened": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"{w.amount(a['amount'])} escrowed for exporter {w.who(a['exporter'])} "
            f"on declaration {a['declarationId']}"
        ),
    ),
    "EscrowSettled": _rule(
        "declaration",
        "declarationId",
        lambda a, w: (
            f"Escrow {a['escrowId']}: {w.amount(a['amount'])} "
            + (
                f"paid to exporter {w.who(a['to'])}"
                if a["released"]
                else f"returned to {w.who(a['to'])}"
            )
        ),
    ),
    # -- ballot ------------------------------------------------------------------------------
    "ElectionCreated": _rule(
        "election",
        "electionId",
        lambda a, w: (
            f"Election {a['electionId']} “{a['title']}” created: {int(a['voterCount']):,} voters, "
            f"{len(a['optionLabels'])} options"
        ),
    ),
    "RollReplaced": _rule(
        "election",
        "electionId",
        lambda a, w: (
            f"Voter roll of election {a['electionId']} replaced before voting ({int(a['voterCount']):,} voters)"
        ),
    ),
    "VoteCommitted": _rule(
        "election",
        "electionId",
        lambda a, w: (
            f"{w.who(a['voter'])} cast a sealed ballot in election {a['electionId']}"
            + (" (replacing an earlier one)" if a["replaced"] else "")
        ),
    ),
    "VoteRevealed": _rule(
        "election",
        "electionId",
        lambda a, w: f"Ballot of {w.who(a['voter'])} opened and counted for option {a['choice']}",
    ),
    "ElectionFinalized": _rule(
        "election",
        "electionId",
        lambda a, w: (
            f"Election {a['electionId']} final: {a['revealed']} ballots counted, "
            f"{a['unrevealed']} never opened" + ("" if a["quorumMet"] else "; quorum not met")
        ),
    ),
}


def _role(event: Event, words: Words) -> Described:
    """``RoleGranted``/``RoleRevoked``: the record is the contract whose power changed hands."""
    contract = words.names.get(event.address.lower()) or event.address
    granted = event.name == "RoleGranted"
    verb, preposition = ("granted to", "by") if granted else ("revoked from", "by")
    sentence = (
        f"{contract}: {words.role(event.args['role'])} {verb} {words.who(event.args['account'])} "
        f"{preposition} {words.who(event.args['sender'])}"
    )
    return Described("role", contract, sentence)


def describe(event: Event, words: Words) -> Described | None:
    """The record and sentence of a govchain event, or None for events the explorer skips."""
    if event.name in ROLE_EVENTS:
        return _role(event, words)
    rule = RULES.get(event.name)
    return None if rule is None else rule(event.args, words)
