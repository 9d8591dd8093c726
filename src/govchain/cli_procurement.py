"""``govchain procurement …``: run sealed-bid tenders from the command line.

Amounts (ceilings, bonds, prices, milestones) are written in token units with the token's
decimals ("41200.50" for a 2-decimal token) and scaled exactly; the token's ``decimals()`` is
read from the chain. Deadlines are durations from the chain's current time ("7d", "1d12h"),
Unix timestamps, or ISO 8601 times with a UTC offset.
"""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click

from govchain.cli_options import (
    ADDRESS,
    DOCUMENT,
    DURATION,
    WHEN,
    Signer,
    TokenUnits,
    When,
    announce,
    chain_now,
    document_hash,
    handle_errors,
    moment,
    signed,
    span,
)
from govchain.clients.procurement import ProcurementClient, SealedBid, SealedBidError, Tender
from govchain.errors import TransactionFailed

ROLES = (
    "PROCUREMENT_OFFICER_ROLE",
    "PROCUREMENT_REVIEWER_ROLE",
    "CONTRACT_INSPECTOR_ROLE",
    "SUPPLIER_REGISTRAR_ROLE",
    "PAUSER_ROLE",
    "GOVERNANCE_ROLE",
)
REASON = click.IntRange(0, 2**16 - 1)


# -- connection and output helpers --------------------------------------------------------------


def _procurement(signer: Signer) -> AbstractContextManager[ProcurementClient]:
    return signer.client(ProcurementClient)


def _units(client: ProcurementClient, tender_id: int) -> TokenUnits:
    """The tender's payment token, to read and write its amounts."""
    return TokenUnits.of(client, client.tender(tender_id).token)


def _default_bid_file(client: ProcurementClient, tender_id: int) -> Path:
    network = re.sub(r"[^A-Za-z0-9._-]+", "_", client.session.network)
    directory = client.session.project.state_dir / "bids" / network
    return directory / f"tender-{tender_id}-{client.sender.address}.json"


def _holds(path: Path, sealed: SealedBid) -> bool:
    """Does ``path`` hold exactly ``sealed`` (the file this command wrote)?"""
    try:
        return path.exists() and SealedBid.load(path) == sealed
    except SealedBidError:
        return False


def _warn_keep(path: Path, bond: str) -> None:
    for line in (
        f"KEEP THIS FILE SAFE: {path}",
        "It holds this bid's secret salt and is the ONLY way to reveal the bid.",
        f"If it is lost, the bid cannot be revealed and its bond of {bond} is FORFEITED.",
        "Back it up now; do not share it before the reveal (it discloses your price).",
    ):
        click.secho(f"!!! {line}", fg="red", bold=True, err=True)


@click.group()
def procurement() -> None:
    """Public procurement: tenders, sealed bids, awards, challenges, milestone escrow."""


# -- tenders (PROCUREMENT OFFICER) --------------------------------------------------------------


@procurement.command("create-tender")
@signed
@click.option("--title", required=True)
@click.option("--buyer", type=ADDRESS, required=True, help="Buyer (funds the escrow).")
@click.option("--token", type=ADDRESS, default=None, help="Payment token (default: PaymentToken).")
@click.option(
    "--document",
    type=DOCUMENT,
    required=True,
    help="The tender specification; its keccak256 is recorded.",
)
@click.option("--ceiling", required=True, metavar="AMOUNT", help="Highest compliant price.")
@click.option("--bond", default="0", show_default=True, metavar="AMOUNT", help="Bid bond.")
@click.option(
    "--bidding-deadline", type=WHEN, required=True, help="e.g. 14d, a Unix time, ISO 8601."
)
@click.option(
    "--reveal-deadline", type=WHEN, required=True, help="e.g. 17d (from now, like bidding)."
)
@click.option(
    "--standstill", type=DURATION, default="10d", show_default=True, help="Challenge period."
)
@click.option("--registered-only", is_flag=True, help="Only approved suppliers may bid.")
@handle_errors
def create_tender(
    signer: Signer,
    title: str,
    buyer: str,
    token: str | None,
    document: Path,
    ceiling: str,
    bond: str,
    bidding_deadline: When,
    reveal_deadline: When,
    standstill: int,
    registered_only: bool,
) -> None:
    """Open a tender (PROCUREMENT OFFICER)."""
    with _procurement(signer) as client:
        token = token or client.session.record().address("PaymentToken")
        units = TokenUnits.of(client, token)
        now = chain_now(client)
        receipt = client.create_tender(
            title=title,
            buyer=buyer,
            token=token,
            document_hash=document_hash(document),
            ceiling=units.parse(ceiling, "--ceiling"),
            bond=units.parse(bond, "--bond"),
            bidding_deadline=bidding_deadline.resolve(now),
            reveal_deadline=reveal_deadline.resolve(now),
            standstill=standstill,
            registered_only=registered_only,
        )
        created = receipt.event("TenderCreated")
        ceiling, bond = units.format(created["ceiling"]), units.format(created["bond"])
        announce(
            receipt,
            f"tender {created['tenderId']} created: {title}",
            f"  ceiling {ceiling}, bond {bond}",
            f"  bids until    {moment(created['biddingDeadline'], now)}",
            f"  reveals until {moment(created['revealDeadline'], now)}",
        )


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.option("--document", type=DOCUMENT, default=None, help="New specification (default: same).")
@click.option("--bidding-deadline", type=WHEN, default=None, help="Default: unchanged.")
@click.option("--reveal-deadline", type=WHEN, default=None, help="Default: unchanged.")
@handle_errors
def amend(
    signer: Signer,
    tender_id: int,
    document: Path | None,
    bidding_deadline: When | None,
    reveal_deadline: When | None,
) -> None:
    """Amend a tender's specification or deadlines before any bid (PROCUREMENT OFFICER)."""
    if document is None and bidding_deadline is None and reveal_deadline is None:
        raise click.UsageError("nothing to amend: give --document and/or a deadline")
    with _procurement(signer) as client:
        record = client.tender(tender_id)
        now = chain_now(client)
        bidding = bidding_deadline.resolve(now) if bidding_deadline else record.bidding_deadline
        reveal = reveal_deadline.resolve(now) if reveal_deadline else record.reveal_deadline
        spec = document_hash(document) if document is not None else record.document_hash
        announce(
            client.amend_tender(tender_id, spec, bidding, reveal),
            f"tender {tender_id} amended",
            f"  bids until    {moment(bidding, now)}",
            f"  reveals until {moment(reveal, now)}",
        )


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def cancel(signer: Signer, tender_id: int, reason: int) -> None:
    """Cancel an open tender (PROCUREMENT OFFICER); before the reveal deadline, all bonds return."""
    with _procurement(signer) as client:
        receipt = client.cancel_tender(tender_id, reason)
        refund = receipt.event("TenderCancelled")["allBondsRefunded"]
        announce(
            receipt,
            f"tender {tender_id} cancelled: "
            + ("every bond may be withdrawn" if refund else "unrevealed bonds stay forfeited"),
        )


# -- supplier registry (SUPPLIER REGISTRAR) -----------------------------------------------------


@procurement.group()
def supplier() -> None:
    """The supplier registry: approve, debar or reinstate (SUPPLIER REGISTRAR)."""


def _registry_command(name: str, status: str, summary: str) -> None:
    @supplier.command(name, help=summary)
    @signed
    @click.argument("address", type=ADDRESS)
    @click.option("--document", type=DOCUMENT, default=None, help="The decision; hashed.")
    @click.option("--reason", type=REASON, default=0, show_default=True, help="Reason code.")
    @handle_errors
    def command(signer: Signer, address: str, document: Path | None, reason: int) -> None:
        with _procurement(signer) as client:
            receipt = client.set_supplier_status(address, status, document_hash(document), reason)
            announce(receipt, f"{address}: {client.supplier_status(address)}")


_registry_command("approve", "Approved", "Register ADDRESS as an approved supplier.")
_registry_command("debar", "Debarred", "Debar ADDRESS: it may not bid on any tender.")
_registry_command(
    "reinstate",
    "None",
    "Lift ADDRESS's debarment or registration: it may bid on open tenders, "
    "not on registered-only ones (use `approve` for those).",
)


# -- bidding (SUPPLIERS) ------------------------------------------------------------------------


@procurement.command("seal-bid")
@signed
@click.argument("tender_id", type=int)
@click.option("--price", required=True, metavar="AMOUNT", help="Your price, in token units.")
@click.option("--offer", type=DOCUMENT, default=None, help="Your offer document; hashed.")
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to keep the sealed bid (never overwritten). "
    "Default: .govchain/bids/<network>/tender-<id>-<address>.json",
)
@handle_errors
def seal_bid(
    signer: Signer, tender_id: int, price: str, offer: Path | None, keep: Path | None
) -> None:
    """Seal a bid with a fresh salt, keep it in a file, post the bond and commit (SUPPLIER).

    The file is the only way to reveal the bid: losing it forfeits the bond.
    """
    with _procurement(signer) as client:
        record = client.tender(tender_id)
        units = TokenUnits.of(client, record.token)
        me = client.sender.address
        path = keep if keep is not None else _default_bid_file(client, tender_id)
        if path.exists():  # checked before anything is sent; SealedBid.save checks again
            raise SealedBidError(
                f"{path} already exists: it may hold the only copy of another bid's salt; "
                "choose another file with --keep"
            )
        amount = units.parse(price, "--price")
        if amount == 0 or amount > record.ceiling:
            click.secho(
                f"warning: {units.format(amount)} is not compliant (ceiling "
                f"{units.format(record.ceiling)}): revealed, it cannot win",
                fg="yellow",
                err=True,
            )
        sealed = SealedBid.new(tender_id, me, amount, None if offer is None else str(offer))
        replacing = client.bid(tender_id, me).status != "None"
        if not replacing:  # the bond is taken on the first commitment only
            approval = client.approve_bond(tender_id)
            if approval is not None:
                click.echo(f"bond of {units.format(record.bond)} approved")
        try:
            receipt = client.commit_bid(sealed, keep=path)
            committed = receipt.event("BidCommitted")
            announce(
                receipt,
                f"sealed bid committed on tender {tender_id} (seq {committed['seq']}"
                + (", replacing your earlier bid" if committed["replaced"] else "")
                + f"); kept in {path}",
            )
        except TransactionFailed:
            # Reverted: the commitment is not on chain, so the salt protects nothing.
            if _holds(path, sealed):
                path.unlink()
                click.echo(f"the bid was not committed; removed {path}", err=True)
            raise
        finally:
            if _holds(path, sealed):
                _warn_keep(path, units.format(record.bond))


procurement.add_command(seal_bid, "bid")


@procurement.command()
@signed
@click.option(
    "--bid-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The file `seal-bid` kept.",
)
@handle_errors
def reveal(signer: Signer, bid_file: Path) -> None:
    """Reveal a sealed bid between the bidding and reveal deadlines (SUPPLIER)."""
    sealed = SealedBid.load(bid_file)
    with _procurement(signer) as client:
        if sealed.bidder != client.sender.address:
            raise SealedBidError(
                f"{bid_file} is {sealed.bidder}'s bid but you sign as {client.sender.address}: "
                "sign as the bidder (--account / --dev-account)"
            )
        units = _units(client, sealed.tender_id)
        receipt = client.reveal_bid(sealed)
        revealed = receipt.event("BidRevealed")
        verdict = "compliant" if revealed["compliant"] else "NOT COMPLIANT (zero or over ceiling)"
        announce(
            receipt,
            f"bid on tender {sealed.tender_id} revealed: {units.format(revealed['price'])}, "
            f"{verdict}",
        )


@procurement.command("withdraw-bond")
@signed
@click.argument("tender_id", type=int)
@handle_errors
def withdraw_bond(signer: Signer, tender_id: int) -> None:
    """Take back your bond after the award (revealed bids) or a timely cancellation (SUPPLIER)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.withdraw_bond(tender_id)
        returned = receipt.event("BondReturned")
        announce(
            receipt, f"bond of {units.format(returned['amount'])} returned to {returned['bidder']}"
        )


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.option(
    "--document", type=DOCUMENT, required=True, help="The grounds of the challenge; hashed."
)
@handle_errors
def challenge(signer: Signer, tender_id: int, document: Path) -> None:
    """Challenge the award during its standstill (a BIDDER on the tender)."""
    with _procurement(signer) as client:
        receipt = client.challenge_award(tender_id, document_hash(document))
        announce(
            receipt,
            f"challenge {receipt.event('ChallengeLodged')['challengeId']} lodged "
            f"against the award of tender {tender_id}",
        )


# -- award and its aftermath (ANYONE, REVIEWER) -------------------------------------------------


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@handle_errors
def award(signer: Signer, tender_id: int) -> None:
    """Award the tender by rule after the reveal deadline (anyone may send this)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.award(tender_id)
        if receipt.events_named("TenderNotAwarded"):
            outcome = f"tender {tender_id}: no compliant bid was revealed, not awarded"
        else:
            awarded = receipt.event("TenderAwarded")
            outcome = (
                f"tender {tender_id} awarded to {awarded['winner']} at "
                f"{units.format(awarded['price'])}; standstill until "
                f"{moment(awarded['standstillEnds'], chain_now(client))}"
            )
        announce(receipt, outcome)


@procurement.command("pay-forfeits")
@signed
@click.argument("tender_id", type=int)
@handle_errors
def pay_forfeits(signer: Signer, tender_id: int) -> None:
    """Pay the bonds of bids never revealed to the buyer (anyone may send this)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.pay_forfeited_bonds(tender_id)
        forfeited = receipt.event("BondsForfeited")
        announce(
            receipt,
            f"{forfeited['bids']} unrevealed bond(s), {units.format(forfeited['amount'])}, "
            f"paid to the buyer {forfeited['buyer']}",
        )


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.argument("challenge_id", type=int)
@click.option("--dismiss", "resolution", flag_value="Dismiss", help="The award stands.")
@click.option("--reaward", "resolution", flag_value="Reaward", help="Disqualify the winner.")
@click.option("--cancel", "resolution", flag_value="Cancel", help="Cancel the tender.")
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def resolve(
    signer: Signer, tender_id: int, challenge_id: int, resolution: str | None, reason: int
) -> None:
    """Decide a challenge: --dismiss, --reaward or --cancel (PROCUREMENT REVIEWER)."""
    if resolution is None:
        raise click.UsageError("give one of --dismiss, --reaward, --cancel")
    with _procurement(signer) as client:
        receipt = client.resolve_challenge(tender_id, challenge_id, resolution, reason)
        lines = [f"challenge {challenge_id} on tender {tender_id}: {resolution}"]
        lines += [
            f"  {opened['disqualified']} disqualified; nominate revealed bids until "
            f"{moment(opened['windowEnd'], chain_now(client))}, then award"
            for opened in receipt.events_named("ReawardOpened")
        ]
        if receipt.events_named("TenderCancelled"):
            lines.append(f"  tender {tender_id} cancelled")
        announce(receipt, *lines)


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.argument("bidder", type=ADDRESS)
@handle_errors
def nominate(signer: Signer, tender_id: int, bidder: str) -> None:
    """Put a revealed bid forward for a re-award (anyone may send this)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.nominate_bid(tender_id, bidder)
        nominated = receipt.event("BidNominated")
        announce(receipt, f"nominated {bidder} at {units.format(nominated['price'])}")


# -- contract execution (BUYER, INSPECTOR) ------------------------------------------------------


@procurement.command("fund-escrow")
@signed
@click.argument("tender_id", type=int)
@click.option(
    "--milestone",
    "milestones",
    multiple=True,
    required=True,
    metavar="AMOUNT",
    help="One per milestone, in order; they must sum to the awarded price.",
)
@handle_errors
def fund_escrow(signer: Signer, tender_id: int, milestones: tuple[str, ...]) -> None:
    """Escrow the awarded price in milestone payments once the award is final (BUYER)."""
    with _procurement(signer) as client:
        record = client.tender(tender_id)
        units = TokenUnits.of(client, record.token)
        amounts = [units.parse(m, "--milestone") for m in milestones]
        if record.winning_price is not None and sum(amounts) != record.winning_price:
            raise click.BadParameter(
                f"the milestones sum to {units.format(sum(amounts))}; "
                f"the awarded price is {units.format(record.winning_price)}",
                param_hint="--milestone",
            )
        receipt = client.fund_escrow(tender_id, amounts)
        funded = receipt.event("EscrowFunded")
        announce(
            receipt,
            f"escrowed {units.format(funded['amount'])} for {funded['supplier']} "
            f"in {len(amounts)} milestone(s)",
        )


@procurement.command("confirm-milestone")
@signed
@click.argument("tender_id", type=int)
@click.argument("milestone", type=int)
@click.option("--report", type=DOCUMENT, required=True, help="The inspection report; hashed.")
@handle_errors
def confirm_milestone(signer: Signer, tender_id: int, milestone: int, report: Path) -> None:
    """Confirm delivery of MILESTONE (from 0) and pay it to the supplier (CONTRACT INSPECTOR)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.confirm_milestone(tender_id, milestone, document_hash(report))
        paid = receipt.event("MilestonePaid")
        lines = [
            f"milestone {milestone} of tender {tender_id} paid: "
            f"{units.format(paid['amount'])} to {paid['supplier']}"
        ]
        if receipt.events_named("ContractCompleted"):
            lines.append(f"  every milestone paid: tender {tender_id} completed")
        announce(receipt, *lines)


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.option("--reason", type=REASON, required=True, help="Reason code.")
@handle_errors
def terminate(signer: Signer, tender_id: int, reason: int) -> None:
    """Terminate the contract; the undisbursed escrow returns to the buyer (BUYER or OFFICER)."""
    with _procurement(signer) as client:
        units = _units(client, tender_id)
        receipt = client.terminate_contract(tender_id, reason)
        refunded = receipt.event("ContractTerminated")["refunded"]
        announce(
            receipt,
            f"tender {tender_id} terminated; {units.format(refunded)} refunded to the buyer",
        )


# -- views --------------------------------------------------------------------------------------


@procurement.command("list")
@signed
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def list_tenders(signer: Signer, as_json: bool) -> None:
    """Every tender with its status, phase and bids."""
    with _procurement(signer) as client:
        hashes = client.document_hashes()
        rows = [
            (client.tender(tender_id, document_hash=hashes[tender_id]), title)
            for tender_id, title, _ in client.tenders()
        ]
        if as_json:
            click.echo(json.dumps([{**_tender_json(t), "title": title} for t, title in rows]))
            return
        if not rows:
            click.echo(f"no tenders on {client.session.network}")
            return
        click.echo(f"{'ID':>4}  {'PHASE':<13} {'STATUS':<10} {'BIDS':>9}  TITLE")
        for t, title in rows:
            bids = f"{t.revealed_count}/{t.bid_count}"
            click.echo(f"{t.id:>4}  {t.phase:<13} {t.status:<10} {bids:>9}  {title}")


def _tender_json(t: Tender) -> dict[str, Any]:
    return {
        "id": t.id,
        "status": t.status,
        "phase": t.phase,
        "token": t.token,
        "buyer": t.buyer,
        "officer": t.officer,
        "document_hash": "0x" + t.document_hash.hex(),
        "ceiling": t.ceiling,
        "bond": t.bond,
        "bidding_deadline": t.bidding_deadline,
        "reveal_deadline": t.reveal_deadline,
        "standstill": t.standstill,
        "registered_only": t.registered_only,
        "bid_count": t.bid_count,
        "revealed_count": t.revealed_count,
        "open_challenges": t.open_challenges,
        "awarded_at": t.awarded_at,
        "winner": t.winner,
        "winning_price": t.winning_price,
    }


@procurement.command()
@signed
@click.argument("tender_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def report(signer: Signer, tender_id: int, as_json: bool) -> None:
    """A tender from its events: bids and prices, winner, challenges, payments, conservation."""
    with _procurement(signer) as client:
        record = client.tender(tender_id)
        result = client.report(tender_id)
        units = TokenUnits.of(client, record.token)
        now = chain_now(client)
    if as_json:
        click.echo(json.dumps({**result.as_dict(), "tender": _tender_json(record)}, indent=2))
        return
    click.echo(f"tender {tender_id}: {result.title}")
    rows: list[tuple[str, str]] = [
        ("phase", f"{result.phase} (status {record.status})"),
        ("buyer", record.buyer),
        ("officer", record.officer),
        ("token", f"{units.symbol} {record.token}"),
        ("ceiling", units.format(record.ceiling)),
        ("bond", units.format(record.bond)),
        ("bids until", moment(record.bidding_deadline, now)),
        ("reveals until", moment(record.reveal_deadline, now)),
        ("standstill", span(record.standstill)),
        ("spec", "0x" + record.document_hash.hex()),
    ]
    for label, value in rows:
        click.echo(f"  {label:<14} {value}")
    click.echo(f"bids: {len(result.bidders)} committed, {len(result.revealed)} revealed")
    for bid in sorted(result.revealed, key=lambda b: b.price):
        mark = "  <- winner" if bid.bidder == result.winner else ""
        verdict = "compliant" if bid.compliant else "NOT compliant"
        click.echo(f"  {bid.bidder}  {units.format(bid.price):>24}  {verdict}{mark}")
    if result.phase in ("Bidding", "Revealing"):
        sealed = "not revealed yet"
    elif result.phase == "Cancelled":
        sealed = "never revealed"
    else:
        sealed = "never revealed: bond forfeited"
    for bidder in result.unrevealed:
        click.echo(f"  {bidder}  {'sealed':>24}  {sealed}")
    if result.winner is not None:
        click.echo(f"winner: {result.winner} at {units.format(result.price)}")
    else:
        click.echo("winner: none")
    for entry in result.challenges:
        outcome = entry["resolution"] or "open"
        code = f" (reason {entry['reason_code']})" if "reason_code" in entry else ""
        click.echo(f"challenge {entry['id']} by {entry['challenger']}: {outcome}{code}")
    for paid in result.milestones_paid:
        click.echo(f"milestone {paid['milestone']} paid: {units.format(paid['amount'])}")
    click.echo("tokens:")
    for name, amount in [
        ("bonds posted", result.bonds_posted),
        ("bonds returned", result.bonds_returned),
        ("bonds forfeited", result.bonds_forfeited),
        ("escrow funded", result.escrow_funded),
        ("escrow paid", result.escrow_paid),
        ("escrow refunded", result.escrow_refunded),
        ("held", result.held),
    ]:
        click.echo(f"  {name:<16} {units.format(amount):>24}")
    balanced = "yes" if result.balanced else "NO: tokens unaccounted for"
    click.secho(f"  balanced         {balanced}", fg=None if result.balanced else "red")


procurement.add_command(report, "show")


@procurement.command()
@signed
@click.argument("role", type=click.Choice(ROLES, case_sensitive=False), metavar="ROLE")
@click.argument("address", type=ADDRESS)
@handle_errors
def grant(signer: Signer, role: str, address: str) -> None:
    """Grant ROLE on the procurement contract to ADDRESS (GOVERNANCE).

    ROLE: PROCUREMENT_OFFICER_ROLE, PROCUREMENT_REVIEWER_ROLE, CONTRACT_INSPECTOR_ROLE,
    SUPPLIER_REGISTRAR_ROLE, PAUSER_ROLE or GOVERNANCE_ROLE.
    """
    with _procurement(signer) as client:
        announce(client.grant_role(role, address))
