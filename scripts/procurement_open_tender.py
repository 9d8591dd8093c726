"""Open a procurement tender from its published notice (JSON), as a procurement officer.

    python scripts/procurement_open_tender.py scripts/examples/procurement_tender.json
    python scripts/procurement_open_tender.py notice.json --network sepolia --account officer

The notice gives the title, buyer, ceiling and bond (in PUB), the bidding and reveal deadlines
in days from now, the standstill in days and the milestone payment plan. Its keccak-256 is the
tender's document hash, so anyone holding the notice can check the terms published on chain,
milestones included; the buyer escrows those milestones once the award is final
(`govchain procurement fund-escrow`).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from eth_utils import keccak

import govchain
from govchain.cli_options import TokenUnits
from govchain.clients.procurement import ProcurementClient

DAY = 86_400


def units(amount: str, decimals: int) -> int:
    """``"286000.00"`` in token units, refusing what the token cannot represent exactly."""
    scaled = Decimal(amount).scaleb(decimals)
    if scaled < 0 or scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not an amount with at most {decimals} decimals")
    return int(scaled)


def open_tender(notice_file: Path, network: str, account: str | None) -> int:
    published = notice_file.read_bytes()
    notice = json.loads(published)
    if sum(m["percent"] for m in notice["milestones"]) != 100:
        raise ValueError(f"{notice_file}: the milestone percentages must add up to 100")
    with govchain.connect(network, account=account) as gc:
        procurement: ProcurementClient = ProcurementClient.connect(gc)
        token = TokenUnits.of(procurement, gc.record().address("PaymentToken"))
        now = int(gc.chain.w3.eth.get_block("latest")["timestamp"])
        bidding = now + notice["bidding_days"] * DAY
        receipt = procurement.create_tender(
            title=notice["title"],
            buyer=notice["buyer"],
            token=token.address,
            document_hash=keccak(published),
            ceiling=units(notice["ceiling"], token.decimals),
            bond=units(notice["bond"], token.decimals),
            bidding_deadline=bidding,
            reveal_deadline=bidding + notice["reveal_days"] * DAY,
            standstill=notice["standstill_days"] * DAY,
            registered_only=notice.get("registered_only", False),
        )
        created = receipt.event("TenderCreated")
        print(f"tender {created['tenderId']} opened: {notice['title']}")
        print(f"  ceiling {token.format(created['ceiling'])}, bond {token.format(created['bond'])}")
        print(f"  bids for {notice['bidding_days']} days, reveals {notice['reveal_days']} more")
        for m in notice["milestones"]:
            print(f"  milestone {m['percent']:>3}%  {m['work']}")
        print(f"  notice hash 0x{keccak(published).hex()}, tx {receipt.tx_hash}")
        return int(created["tenderId"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notice", type=Path, help="tender notice (JSON)")
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", default=None, help="keystore name (non-devnet networks)")
    options = parser.parse_args(argv)
    try:
        open_tender(options.notice, options.network, options.account)
    except KeyError as exc:
        print(f"error: the notice has no {exc} entry", file=sys.stderr)
        return 1
    except (govchain.GovchainError, ValueError, ArithmeticError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
