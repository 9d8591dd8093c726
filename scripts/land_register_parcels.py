"""Register first titles from a cadastral extract (CSV), as the land registrar.

    python scripts/land_register_parcels.py scripts/examples/land_district_0912/parcels.csv
    python scripts/land_register_parcels.py extract.csv --network sepolia --account registrar

Columns: number (cadastral parcel number), owner (address), area (m²), land_use (code),
geometry (the surveyed GeoJSON file) and document (the deed), files relative to the CSV. The
registry records the keccak-256 of both files, so whoever holds them can check the title. Every
row is checked before anything is sent; the signing account needs the REGISTRAR_ROLE.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from eth_utils import keccak, to_checksum_address

import govchain
from govchain.clients.land import LandClient, ParcelSpec, geometry_hash, parcel_id


def read_extract(path: Path) -> list[tuple[str, str, ParcelSpec, bytes]]:
    """``(number, owner, spec, deed hash)`` per row; a bad or repeated row is an error."""
    rows: list[tuple[str, str, ParcelSpec, bytes]] = []
    with path.open(newline="") as extract:
        for line, row in enumerate(csv.DictReader(extract), start=2):
            number = row["number"].strip()
            parcel_id(number)  # raises on a number the registry cannot hold
            if any(number == seen for seen, *_ in rows):
                raise ValueError(f"{path}:{line}: parcel {number} is listed twice")
            area = int(row["area"])
            if area <= 0:
                raise ValueError(f"{path}:{line}: parcel {number} has area {area}")
            geometry = geometry_hash((path.parent / row["geometry"]).read_bytes())
            spec = ParcelSpec(geometry, area, int(row["land_use"]))
            deed = keccak((path.parent / row["document"]).read_bytes())
            rows.append((number, to_checksum_address(row["owner"].strip()), spec, deed))
    return rows


def register_parcels(extract: Path, network: str, account: str | None) -> list[str]:
    rows = read_extract(extract)
    with govchain.connect(network, account=account) as gc:
        land: LandClient = LandClient.connect(gc)
        for number, owner, spec, deed in rows:
            receipt = land.register(number, owner, spec, deed)
            print(f"parcel {number:<12} {spec.area:>9,} m²  use {spec.land_use}  to {owner}")
            print(f"  deed 0x{deed.hex()}, tx {receipt.tx_hash}")
    print(f"{len(rows)} parcels registered, {sum(s.area for _, _, s, _ in rows):,} m² in all")
    return [number for number, *_ in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path, help="cadastral extract (CSV)")
    parser.add_argument("--network", default="local")
    parser.add_argument("--account", default=None, help="keystore name (non-devnet networks)")
    options = parser.parse_args(argv)
    try:
        register_parcels(options.extract, options.network, options.account)
    except KeyError as exc:
        print(f"error: the extract has no {exc} column", file=sys.stderr)
        return 1
    except (govchain.GovchainError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
