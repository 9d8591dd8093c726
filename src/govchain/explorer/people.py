"""Who is who on the chain: suite contracts by name, role holders, and title owners.

Roles are replayed from the indexed ``RoleGranted``/``RoleRevoked`` events (AccessControl
emits each only when the role really changes hands, so the replay is exact); titles from the
indexed chain of title (registration, sale, court-ordered transfer, retirement), then checked
live against the registry's own ``ownerOf``/``balanceOf``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govchain.explorer.describe import Words, role_hex
from govchain.explorer.store import EventRow

OWNER_ARG = {"ParcelRegistered": "owner", "SaleCompleted": "buyer", "ForcedTransfer": "to"}
TITLE_EVENTS = (*OWNER_ARG, "ParcelRetired")
HOW = {
    "ParcelRegistered": "registered",
    "SaleCompleted": "bought",
    "ForcedTransfer": "by court order",
}


@dataclass(frozen=True)
class RoleHolding:
    """One role one account holds now in one suite contract, and the grant that gave it."""

    contract: str
    contract_address: str
    role: str
    role_id: str
    account: str
    granted_block: int
    granted_tx: str
    granted_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "contract_address": self.contract_address,
            "role": self.role,
            "role_id": self.role_id,
            "account": self.account,
            "granted_in_block": self.granted_block,
            "granted_in_tx": self.granted_tx,
            "granted_by": self.granted_by,
        }


def current_roles(rows: Sequence[EventRow], words: Words) -> list[RoleHolding]:
    """The roles held now, replaying grants and revocations oldest first."""
    held: dict[tuple[str, str, str], RoleHolding] = {}
    for row in rows:
        role_id = role_hex(row.args["role"])
        account = str(row.args["account"])
        key = (row.address.lower(), role_id, account.lower())
        if row.name == "RoleGranted":
            held[key] = RoleHolding(
                contract=row.contract or row.record,
                contract_address=row.address,
                role=words.role(role_id),
                role_id=role_id,
                account=account,
                granted_block=row.block_number,
                granted_tx=row.tx_hash,
                granted_by=str(row.args["sender"]),
            )
        elif row.name == "RoleRevoked":
            held.pop(key, None)
    return sorted(held.values(), key=lambda h: (h.contract, h.role, h.account.lower()))


@dataclass(frozen=True)
class Title:
    """A live land title and the step that gave it to its current owner."""

    parcel: str
    owner: str
    how: str
    since_block: int
    since_tx: str
    owner_now: str | None = None  # read live from the registry, when checked

    @property
    def confirmed(self) -> bool | None:
        if self.owner_now is None:
            return None
        return self.owner_now.lower() == self.owner.lower()

    def as_dict(self) -> dict[str, Any]:
        return {
            "parcel": self.parcel,
            "owner": self.owner,
            "how": self.how,
            "since_block": self.since_block,
            "since_tx": self.since_tx,
            "owner_now": self.owner_now,
            "confirmed": self.confirmed,
        }


def title_owners(rows: Sequence[EventRow]) -> dict[str, Title]:
    """Every live parcel's owner from the chain of title (``rows``: title events, oldest first)."""
    owners: dict[str, Title] = {}
    for row in rows:
        if row.name in OWNER_ARG:
            owners[row.record] = Title(
                parcel=row.record,
                owner=str(row.args[OWNER_ARG[row.name]]),
                how=HOW[row.name],
                since_block=row.block_number,
                since_tx=row.tx_hash,
            )
        elif row.name == "ParcelRetired":
            owners.pop(row.record, None)
    return owners


@dataclass(frozen=True)
class TitleStep:
    """One link of a parcel's chain of title: who held it from when, or where it came from or
    went (subdivision and merge)."""

    event: str
    how: str  # "registered to", "sold to", "passed by court order to", "created from", …
    owner: str | None  # who holds the title from this step on
    previous: str | None  # who held it before (seller, or the court order's "from")
    parcels: list[str]  # parents (created from) or children (retired into)
    sentence: str
    block: int
    tx: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "how": self.how,
            "owner": self.owner,
            "previous": self.previous,
            "parcels": self.parcels,
            "sentence": self.sentence,
            "block": self.block,
            "tx": self.tx,
        }


def chain_of_title(history: Sequence[EventRow]) -> list[TitleStep]:
    """A parcel's chain of title from its own history (oldest first): each owner in turn, and
    the parcels it came from or was split or merged into."""
    from govchain.clients.land import parcel_number

    steps = []
    for row in history:
        owner = previous = None
        parcels: list[str] = []
        if row.name == "ParcelRegistered":
            how, owner = "registered to", str(row.args["owner"])
        elif row.name == "SaleCompleted":
            how, owner, previous = "sold to", str(row.args["buyer"]), str(row.args["seller"])
        elif row.name == "ForcedTransfer":
            how, owner = "passed by court order to", str(row.args["to"])
            previous = str(row.args["from"])
        elif row.name == "ParcelDerived":
            how, parcels = "created from", [parcel_number(int(p)) for p in row.args["parents"]]
        elif row.name == "ParcelRetired":
            how, parcels = "retired into", [parcel_number(int(c)) for c in row.args["children"]]
        else:
            continue
        steps.append(
            TitleStep(
                row.name, how, owner, previous, parcels, row.sentence, row.block_number, row.tx_hash
            )
        )
    return steps


class Directory:
    """Names for addresses: suite contracts from the deployment record, role holders."""

    def __init__(self, contracts: Mapping[str, str], holdings: Sequence[RoleHolding]) -> None:
        self.contracts = {address.lower(): name for name, address in contracts.items()}
        self.roles: dict[str, list[RoleHolding]] = {}
        for holding in holdings:
            self.roles.setdefault(holding.account.lower(), []).append(holding)

    def contract(self, address: str | None) -> str | None:
        return None if not address else self.contracts.get(address.lower())

    def label(self, address: str | None) -> str:
        """``LandRegistry (govchain contract)``, ``REGISTRAR_ROLE in LandRegistry``, or ``""``."""
        if not address:
            return ""
        name = self.contract(address)
        if name:
            return f"{name} (govchain contract)"
        held = self.roles.get(address.lower(), [])
        if not held:
            return ""
        by_role: dict[str, list[str]] = {}
        for holding in held:
            by_role.setdefault(holding.role, []).append(holding.contract)
        parts = []
        for role, where in by_role.items():
            place = ", ".join(where) if len(where) <= 3 else f"{len(where)} contracts"
            parts.append(f"{role} in {place}")
        return "holds " + "; ".join(parts)

    def describe(self, address: str | None) -> dict[str, Any]:
        """An address with what the explorer knows of it, for JSON."""
        return {
            "address": address,
            "contract": self.contract(address),
            "roles": [
                {"contract": h.contract, "role": h.role}
                for h in self.roles.get((address or "").lower(), [])
            ],
            "label": self.label(address),
        }
