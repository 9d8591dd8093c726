"""Load a tariff schedule from a CSV file and print the rates the chain now holds.

    python scripts/customs_load_tariff.py scripts/examples/customs_tariff_2030.csv
    python scripts/customs_load_tariff.py tariff.csv --network sepolia --account tariff-office

Rows: hs_code,rate_bps,effective_from[,origin]. Rates are in basis points (1250 = 12.50 %);
effective_from is an ISO date (midnight UTC) or a Unix time, and must be in the future; a row
with an origin (ISO 3166-1 numeric) is a preferential rate for goods from there. The signing
account needs TARIFF_AUTHORITY_ROLE on Customs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import govchain
from govchain.clients.customs import CustomsClient, load_tariff_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_file", help="hs_code,rate_bps,effective_from[,origin] rows")
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", default=None, help="keystore name (non-devnet networks)")
    args = parser.parse_args(argv)
    try:
        # Each HS code's rates must reach the chain in the order they take effect.
        schedule = sorted(load_tariff_csv(args.csv_file), key=lambda line: line.effective_from)
        with govchain.connect(args.network, account=args.account) as session:
            customs = CustomsClient.connect(session)
            receipts = customs.load_schedule(schedule)
            print(
                f"{len(receipts)} tariff line(s) from {args.csv_file}, signed by "
                f"{customs.sender.address}; the chain now holds:"
            )
            for line in sorted(schedule, key=lambda t: (t.hs_code, t.origin or 0)):
                # Read back what the contract will apply from that day on.
                rate, preferential = customs.duty_rate(
                    line.hs_code, line.origin or 0, at=line.effective_from
                )
                when = f"{datetime.fromtimestamp(line.effective_from, UTC):%Y-%m-%d %H:%M} UTC"
                origin = f"origin {line.origin:03d}" if preferential else "all origins"
                print(f"  HS {line.hs_code:06d}  {origin:<12} {rate / 100:6.2f} %  from {when}")
    except (govchain.GovchainError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
