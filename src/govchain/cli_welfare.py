"""``govchain welfare …``: run welfare programmes from the command line."""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path

import click

from govchain.cli_options import (
    Signer,
    announce,
    chain_now,
    document_hash,
    handle_errors,
    signed,
)
from govchain.clients.welfare import RoundPlan, WelfareClient

EXISTING = click.Path(exists=True, path_type=Path)  # a round directory, or a document to hash


def _welfare(signer: Signer) -> AbstractContextManager[WelfareClient]:
    return signer.client(WelfareClient)


@click.group()
def welfare() -> None:
    """Welfare disbursement: programmes, eligibility rounds, claims, batch pay, reports."""


@welfare.command("build-round")
@click.argument("beneficiaries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--decimals",
    type=int,
    default=0,
    show_default=True,
    help="Amounts in the CSV are whole units with this many decimals.",
)
@handle_errors
def build_round(beneficiaries: Path, out: Path, decimals: int) -> None:
    """Build a round from a CSV of `address,amount`: tree.json, round.json, one proof each."""
    started = time.perf_counter()
    plan = RoundPlan.from_csv(beneficiaries, decimals=decimals)
    plan.write(out)
    click.echo(
        f"{len(plan)} beneficiaries, total {plan.total}, root {plan.root} "
        f"({time.perf_counter() - started:.2f}s) → {out}/"
    )


@welfare.command("create-programme")
@signed
@click.option("--name", required=True)
@click.option("--funding", required=True, help="Account the rounds are paid from (must approve).")
@click.option("--manager", required=True, help="Programme manager (publishes and funds rounds).")
@click.option("--officer", required=True, help="Eligibility officer (proposes rounds).")
@click.option("--token", default=None, help="Payment token (default: the suite's PaymentToken).")
@click.option("--claim-delay", type=int, default=0, show_default=True, help="Veto window, seconds.")
@click.option(
    "--document",
    type=EXISTING,
    default=None,
    help="Programme rules; its keccak256 is recorded.",
)
@handle_errors
def create_programme(
    signer: Signer,
    name: str,
    funding: str,
    manager: str,
    officer: str,
    token: str | None,
    claim_delay: int,
    document: Path | None,
) -> None:
    """Create a programme (GOVERNANCE)."""
    with _welfare(signer) as client:
        token = token or client.session.record().address("PaymentToken")
        receipt = client.create_programme(
            name=name,
            token=token,
            funding=funding,
            manager=manager,
            officer=officer,
            claim_delay=claim_delay,
            document_hash=document_hash(document),
        )
        announce(receipt, f"programme {receipt.event('ProgrammeCreated')['programmeId']} created")


@welfare.command("propose-round")
@signed
@click.argument("programme_id", type=int)
@click.argument("round_dir", type=EXISTING)
@click.option(
    "--document",
    type=EXISTING,
    default=None,
    help="The eligibility decision; its keccak256 is recorded.",
)
@handle_errors
def propose_round(
    signer: Signer, programme_id: int, round_dir: Path, document: Path | None
) -> None:
    """Propose a built round for a programme (ELIGIBILITY OFFICER)."""
    with _welfare(signer) as client:
        receipt = client.propose_round(
            programme_id, RoundPlan.load(round_dir), document_hash(document)
        )
        announce(receipt, f"round {receipt.event('RoundProposed')['roundId']} proposed")


@welfare.command("publish-round")
@signed
@click.argument("round_id", type=int)
@click.option("--start", default="now", show_default=True, help="Unix time, or `now`.")
@click.option("--days", type=int, default=30, show_default=True, help="Claim window length.")
@handle_errors
def publish_round(signer: Signer, round_id: int, start: str, days: int) -> None:
    """Publish and fund a proposed round (PROGRAMME MANAGER)."""
    with _welfare(signer) as client:
        begin = chain_now(client) if start == "now" else int(start)
        announce(client.publish_round(round_id, begin, begin + days * 86_400))


@welfare.command()
@signed
@click.argument("round_id", type=int)
@click.argument("round_dir", type=EXISTING)
@click.option("--index", type=int, required=True)
@handle_errors
def claim(signer: Signer, round_id: int, round_dir: Path, index: int) -> None:
    """Pay one entitlement to its beneficiary (anyone may send this)."""
    with _welfare(signer) as client:
        announce(client.claim(round_id, RoundPlan.load(round_dir), index))


@welfare.command("batch-pay")
@signed
@click.argument("round_id", type=int)
@click.argument("round_dir", type=EXISTING)
@click.option("--batch-size", type=int, default=200, show_default=True)
@handle_errors
def batch_pay(signer: Signer, round_id: int, round_dir: Path, batch_size: int) -> None:
    """Pay every unsettled entitlement in batches (PAYER); safe to rerun after a crash."""
    with _welfare(signer) as client:
        result = client.pay_all(round_id, RoundPlan.load(round_dir), batch_size=batch_size)
        click.echo(
            f"paid {len(result.paid_indexes)} in {len(result.receipts)} transactions; "
            f"{len(result.already_settled)} were already settled"
        )


@welfare.command()
@signed
@click.argument("round_id", type=int)
@click.argument("round_dir", type=EXISTING)
@click.option("--index", type=int, required=True)
@click.option("--reason", type=int, required=True, help="Reason code (e.g. 1 = fraud).")
@handle_errors
def revoke(signer: Signer, round_id: int, round_dir: Path, index: int, reason: int) -> None:
    """Revoke an unclaimed entitlement (ELIGIBILITY OFFICER)."""
    with _welfare(signer) as client:
        announce(client.revoke(round_id, RoundPlan.load(round_dir), index, reason))


@welfare.command()
@signed
@click.argument("round_id", type=int)
@click.option("--reason", type=int, required=True)
@handle_errors
def veto(signer: Signer, round_id: int, reason: int) -> None:
    """Veto a round during its delay (AUDITOR)."""
    with _welfare(signer) as client:
        announce(client.veto_round(round_id, reason))


@welfare.command()
@signed
@click.argument("round_id", type=int)
@handle_errors
def clawback(signer: Signer, round_id: int) -> None:
    """Return an ended round's unclaimed funds to the programme's funding account."""
    with _welfare(signer) as client:
        announce(client.clawback(round_id))


@welfare.command()
@signed
@click.argument("round_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def report(signer: Signer, round_id: int, as_json: bool) -> None:
    """Reconcile a round from chain events: funded, claimed, revoked, outstanding."""
    with _welfare(signer) as client:
        result = client.reconcile(round_id)
    if as_json:
        click.echo(json.dumps({**asdict(result), "balanced": result.balanced}, indent=2))
        return
    click.echo(f"round {result.round_id} of programme {result.programme_id}")
    for label, value in [
        ("funded", result.funded),
        ("claimed", result.claimed),
        ("revoked", result.revoked),
        ("clawed back", result.clawed_back),
        ("outstanding", result.outstanding),
    ]:
        click.echo(f"  {label:<12} {value:>20,}")
    click.echo(f"  balanced     {'yes' if result.balanced else 'NO'}")
    unclaimed = result.unclaimed_indexes
    shown = ", ".join(map(str, unclaimed[:50])) + (" …" if len(unclaimed) > 50 else "")
    click.echo(f"  unclaimed    {len(unclaimed)} index(es){': ' + shown if unclaimed else ''}")


@welfare.command()
@signed
@click.argument("role")
@click.argument("address")
@handle_errors
def grant(signer: Signer, role: str, address: str) -> None:
    """Grant ROLE (e.g. PAYER_ROLE) on the welfare contract to ADDRESS (GOVERNANCE)."""
    with _welfare(signer) as client:
        announce(client.grant_role(role, address))
