"""Client of ``WelfareDisbursement``: build eligibility rounds off-chain, run them on-chain.

>>> plan = RoundPlan.from_csv("march.csv")                    # address,amount per line
>>> welfare = WelfareClient.connect(govchain.connect("local"))
>>> welfare.as_account(officer).propose_round(programme_id, plan, document_hash)

Leaves are ``(uint256 index, address beneficiary, uint256 amount)`` in an OpenZeppelin
StandardMerkleTree, so a round's tree file is the one ``@openzeppelin/merkle-tree`` reads.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govchain.clients.base import ContractClient, topic
from govchain.eip712 import typed_data
from govchain.errors import GovchainError
from govchain.merkle import MerkleTreeError, StandardMerkleTree, checksum_address
from govchain.sender import Receipt

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

LEAF_ENCODING = ("uint256", "address", "uint256")
ROUND_STATUS = ("None", "Proposed", "Published", "Vetoed", "ClawedBack")
ZERO_HASH = b"\x00" * 32
CLAIM_AUTHORIZATION_FIELDS = (  # IWelfareDisbursement.ClaimAuthorization, in order
    ("roundId", "uint256"),
    ("index", "uint256"),
    ("beneficiary", "address"),
    ("amount", "uint256"),
    ("agent", "address"),
    ("payee", "address"),
    ("deadline", "uint256"),
)


SETTLED_QUERY_BATCH = 500  # isClaimed reads per JSON-RPC batch


class RoundPlanError(GovchainError, ValueError):
    """A beneficiary list or round file is malformed; the message names the line or entry."""


@dataclass(frozen=True)
class Entitlement:
    """One leaf of a round: ``beneficiary`` is owed ``amount`` (token units) under ``index``."""

    index: int
    beneficiary: str
    amount: int

    def as_leaf(self) -> tuple[int, str, int]:
        return (self.index, self.beneficiary, self.amount)


@dataclass(frozen=True)
class RoundPlan:
    """A round before it goes on-chain: the entitlements and their Merkle tree."""

    tree: StandardMerkleTree

    @classmethod
    def from_entitlements(cls, rows: Iterable[tuple[str, int]]) -> RoundPlan:
        """Index the ``(address, amount)`` rows 0, 1, 2… in the order given."""
        leaves: list[tuple[int, str, int]] = []
        seen: dict[str, int] = {}
        for index, (address, amount) in enumerate(rows):
            try:
                checksummed = checksum_address(address)
            except MerkleTreeError as exc:
                raise RoundPlanError(
                    f"entry {index}: {address!r} is not an address ({exc})"
                ) from None
            if checksummed in seen:
                raise RoundPlanError(
                    f"entry {index}: {checksummed} is already entry {seen[checksummed]}; "
                    "one entitlement per beneficiary and round"
                )
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                raise RoundPlanError(f"entry {index}: amount {amount!r} must be a positive integer")
            if amount >= 2**128:
                raise RoundPlanError(f"entry {index}: amount {amount} does not fit in uint128")
            seen[checksummed] = index
            leaves.append((index, checksummed, amount))
        if not leaves:
            raise RoundPlanError("a round needs at least one beneficiary")
        # Leaves stay in index order (OpenZeppelin's `sortLeaves: false`): a batch of consecutive
        # indexes is then a compact subtree, so its multiproof is short and its claims share
        # bitmap words.
        return cls(StandardMerkleTree.of(leaves, LEAF_ENCODING, sort_leaves=False))

    @classmethod
    def from_csv(cls, path: str | Path, *, decimals: int = 0) -> RoundPlan:
        """Read ``address,amount`` lines (a header line is allowed).

        With ``decimals`` > 0, amounts are written in whole units ("12.50") and scaled.
        """
        rows = []
        with open(path, newline="", encoding="utf-8-sig") as handle:  # spreadsheets add a BOM
            for line_number, record in enumerate(csv.reader(handle), start=1):
                if not record or not "".join(record).strip():
                    continue
                if line_number == 1 and not record[0].strip().lower().startswith("0x"):
                    continue  # header
                if len(record) != 2:
                    raise RoundPlanError(f"{path}:{line_number}: expected `address,amount`")
                rows.append(
                    (record[0].strip(), _parse_amount(record[1], decimals, path, line_number))
                )
        return cls.from_entitlements(rows)

    @classmethod
    def load(cls, path: str | Path) -> RoundPlan:
        """A plan from a tree file written by :meth:`write` (or ``@openzeppelin/merkle-tree``)."""
        path = Path(path)
        if path.is_dir():
            path = path / "tree.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise RoundPlanError(f"{path}: cannot read round tree: {exc}") from exc
        tree = StandardMerkleTree.load(data)
        if tuple(tree.leaf_encoding) != LEAF_ENCODING:
            raise RoundPlanError(
                f"{path}: leaf encoding {tree.leaf_encoding} is not {LEAF_ENCODING}"
            )
        return cls(tree)

    @property
    def root(self) -> str:
        return self.tree.root

    @property
    def entitlements(self) -> list[Entitlement]:
        return [_entitlement(value) for _, value in self.tree.entries()]

    @property
    def total(self) -> int:
        return sum(e.amount for e in self.entitlements)

    def __len__(self) -> int:
        return len(self.tree)

    def entitlement(self, index: int) -> Entitlement:
        return _entitlement(self.tree.at(index))

    def proof(self, index: int) -> list[str]:
        return self.tree.get_proof(index)

    def write(self, directory: str | Path) -> Path:
        """Write ``tree.json`` (OpenZeppelin format), ``round.json`` and a proof per beneficiary."""
        directory = Path(directory)
        proofs = directory / "proofs"
        proofs.mkdir(parents=True, exist_ok=True)
        (directory / "tree.json").write_text(json.dumps(self.tree.dump()))
        summary = {"root": self.root, "total": str(self.total), "beneficiaries": len(self)}
        (directory / "round.json").write_text(json.dumps(summary, indent=2) + "\n")
        for entitlement in self.entitlements:
            claim = {
                "root": self.root,
                "index": entitlement.index,
                "beneficiary": entitlement.beneficiary,
                "amount": str(entitlement.amount),
                "proof": self.proof(entitlement.index),
            }
            (proofs / f"{entitlement.beneficiary}.json").write_text(json.dumps(claim))
        return directory


def _entitlement(value: Sequence[Any]) -> Entitlement:
    index, beneficiary, amount = value
    return Entitlement(int(index), str(beneficiary), int(amount))


def _parse_amount(text: str, decimals: int, path: str | Path, line: int) -> int:
    try:
        value = Decimal(text.strip()) * (Decimal(10) ** decimals)
    except InvalidOperation:
        raise RoundPlanError(f"{path}:{line}: amount {text.strip()!r} is not a number") from None
    if value != value.to_integral_value():
        raise RoundPlanError(
            f"{path}:{line}: amount {text.strip()} has more than {decimals} decimals"
        )
    return int(value)


# -- on-chain records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    id: int
    name: str
    token: str
    funding: str
    manager: str
    officer: str
    claim_delay: int
    document_hash: bytes


@dataclass(frozen=True)
class Round:
    id: int
    programme_id: int
    merkle_root: bytes
    token: str
    status: str
    total: int
    beneficiary_count: int
    claimable_at: int
    end: int
    remaining: int
    revoked: int
    clawed_back: int
    document_hash: bytes


@dataclass(frozen=True)
class Reconciliation:
    """A round's accounts rebuilt from chain events.

    funded = claimed + revoked + clawed back + outstanding, exactly.
    """

    round_id: int
    programme_id: int
    beneficiaries: int
    funded: int
    claimed: int
    revoked: int
    clawed_back: int
    outstanding: int
    contract_remaining: int
    claimed_indexes: list[int]
    revoked_indexes: list[int]
    unclaimed_indexes: list[int]

    @property
    def balanced(self) -> bool:
        """Do the events account for every unit, and agree with what the contract still holds?"""
        settled = self.claimed + self.revoked + self.clawed_back
        return settled <= self.funded and self.outstanding == self.contract_remaining


@dataclass(frozen=True)
class BatchPayResult:
    """What :meth:`WelfareClient.pay_all` did: receipts per batch and who was paid."""

    receipts: list[Receipt]
    paid_indexes: list[int]
    already_settled: list[int]


@dataclass(frozen=True)
class ClaimAuthorization:
    """A beneficiary's signed permission for ``agent`` to claim and pay ``payee``."""

    round_id: int
    index: int
    beneficiary: str
    amount: int
    agent: str
    payee: str
    deadline: int
    signature: bytes

    def as_struct(self) -> tuple[int, int, str, int, str, str, int]:
        return (
            self.round_id,
            self.index,
            self.beneficiary,
            self.amount,
            self.agent,
            self.payee,
            self.deadline,
        )


# -- the client ---------------------------------------------------------------------------------


class WelfareClient(ContractClient):
    """Programmes, rounds, claims, batch payments, revocations and reconciliation."""

    contract_name = "WelfareDisbursement"

    # governance

    def create_programme(
        self,
        *,
        name: str,
        token: str,
        funding: str,
        manager: str,
        officer: str,
        claim_delay: int = 0,
        document_hash: bytes = ZERO_HASH,
    ) -> Receipt:
        """Create a programme (GOVERNANCE); ``receipt.event("ProgrammeCreated")["programmeId"]``."""
        config = (token, claim_delay, funding, manager, officer, document_hash, name)
        return self._transact(self.contract.functions.createProgramme(config))

    # rounds

    def propose_round(
        self, programme_id: int, plan: RoundPlan, document_hash: bytes = ZERO_HASH
    ) -> Receipt:
        """Propose ``plan`` as the next round (ELIGIBILITY OFFICER of the programme)."""
        return self._transact(
            self.contract.functions.proposeRound(
                programme_id, bytes.fromhex(plan.root[2:]), plan.total, len(plan), document_hash
            )
        )

    def publish_round(self, round_id: int, start: int, end: int) -> Receipt:
        """Publish and fund a proposed round (PROGRAMME MANAGER; pulls the total from funding)."""
        return self._transact(self.contract.functions.publishRound(round_id, start, end))

    def set_programme_officials(self, programme_id: int, manager: str, officer: str) -> Receipt:
        """Replace a programme's manager and eligibility officer (GOVERNANCE; they must differ)."""
        return self._transact(
            self.contract.functions.setProgrammeOfficials(programme_id, manager, officer)
        )

    def pause(self) -> Receipt:
        """Stop claims, batch payments, proposals and publications (PAUSER)."""
        return self._transact(self.contract.functions.pause())

    def unpause(self) -> Receipt:
        return self._transact(self.contract.functions.unpause())

    def veto_round(self, round_id: int, reason_code: int) -> Receipt:
        """Veto a round before it becomes claimable (AUDITOR)."""
        return self._transact(self.contract.functions.vetoRound(round_id, reason_code))

    def clawback(self, round_id: int) -> Receipt:
        """Return what an ended round did not pay to the programme's funding account."""
        return self._transact(self.contract.functions.clawback(round_id))

    # payments

    def claim(self, round_id: int, plan: RoundPlan, index: int) -> Receipt:
        """Pay entitlement ``index`` of the round to its beneficiary (anyone may send this)."""
        e = plan.entitlement(index)
        return self._transact(
            self.contract.functions.claim(
                round_id, e.index, e.beneficiary, e.amount, plan.proof(index)
            )
        )

    def authorize_claim(
        self,
        beneficiary: LocalAccount,
        round_id: int,
        entitlement: Entitlement,
        *,
        agent: str,
        payee: str | None = None,
        deadline: int,
    ) -> ClaimAuthorization:
        """Sign, as ``beneficiary``, an EIP-712 authorisation for ``agent`` to claim."""
        from eth_account.messages import encode_typed_data

        if beneficiary.address != entitlement.beneficiary:
            raise RoundPlanError(
                f"{beneficiary.address} cannot authorise entitlement {entitlement.index}, "
                f"which belongs to {entitlement.beneficiary}"
            )
        payee = payee or entitlement.beneficiary
        message = {
            "roundId": round_id,
            "index": entitlement.index,
            "beneficiary": entitlement.beneficiary,
            "amount": entitlement.amount,
            "agent": agent,
            "payee": payee,
            "deadline": deadline,
        }
        typed = typed_data(self.contract, "ClaimAuthorization", CLAIM_AUTHORIZATION_FIELDS, message)
        signed = beneficiary.sign_message(encode_typed_data(full_message=typed))
        return ClaimAuthorization(
            round_id,
            entitlement.index,
            entitlement.beneficiary,
            entitlement.amount,
            agent,
            payee,
            deadline,
            bytes(signed.signature),
        )

    def claim_with_authorization(
        self, authorization: ClaimAuthorization, plan: RoundPlan
    ) -> Receipt:
        """Claim as the authorised agent (the client's account must be the agent)."""
        return self._transact(
            self.contract.functions.claimWithAuthorization(
                authorization.as_struct(), plan.proof(authorization.index), authorization.signature
            )
        )

    def batch_pay(self, round_id: int, plan: RoundPlan, indexes: Sequence[int]) -> Receipt:
        """Pay ``indexes`` in one transaction, proven by one multiproof (PAYER)."""
        multiproof = plan.tree.get_multi_proof(list(indexes))
        entries = [_entitlement(value).as_leaf() for value in multiproof.leaves]
        return self._transact(
            self.contract.functions.batchPay(
                round_id, entries, multiproof.proof, multiproof.proof_flags
            )
        )

    def pay_all(
        self,
        round_id: int,
        plan: RoundPlan,
        *,
        indexes: Sequence[int] | None = None,
        batch_size: int = 200,
    ) -> BatchPayResult:
        """Pay every (or the given) unsettled entitlement in batches; safe to rerun after a crash.

        What is already settled on-chain is left out before each batch is built, and the
        contract skips anything settled meanwhile, so nobody is paid twice.
        """
        limit = int(self._call(self.contract.functions.MAX_BATCH()))
        if not 0 < batch_size <= limit:
            raise RoundPlanError(f"batch size {batch_size} must be between 1 and {limit}")
        wanted = list(range(len(plan))) if indexes is None else list(indexes)
        settled = self._settled(round_id, wanted)
        done = set(settled)
        todo = [i for i in wanted if i not in done]
        receipts = []
        for start in range(0, len(todo), batch_size):
            receipts.append(self.batch_pay(round_id, plan, todo[start : start + batch_size]))
        paid = sorted(int(e["index"]) for r in receipts for e in r.events_named("Claimed"))
        return BatchPayResult(receipts, paid, settled)

    def _settled(self, round_id: int, indexes: Sequence[int]) -> list[int]:
        """Which of ``indexes`` are settled, asked in JSON-RPC batches rather than one by one
        (a resumed pay-out of 100,000 entitlements must not wait on 100,000 round trips)."""
        w3 = self.session.chain.w3
        if not hasattr(w3.provider, "make_batch_request"):  # eth-tester: no batches
            return [i for i in indexes if self.is_claimed(round_id, i)]
        settled: list[int] = []
        for start in range(0, len(indexes), SETTLED_QUERY_BATCH):
            chunk = indexes[start : start + SETTLED_QUERY_BATCH]
            with w3.batch_requests() as batch:
                for index in chunk:
                    batch.add(self.contract.functions.isClaimed(round_id, index))
                answers = batch.execute()
            settled += [i for i, claimed in zip(chunk, answers, strict=True) if claimed]
        return settled

    def revoke(self, round_id: int, plan: RoundPlan, index: int, reason_code: int) -> Receipt:
        """Revoke an unclaimed entitlement (ELIGIBILITY OFFICER); its amount returns to funding."""
        e = plan.entitlement(index)
        return self._transact(
            self.contract.functions.revoke(
                round_id, e.index, e.beneficiary, e.amount, plan.proof(index), reason_code
            )
        )

    # views

    def is_claimed(self, round_id: int, index: int) -> bool:
        return bool(self._call(self.contract.functions.isClaimed(round_id, index)))

    def programme(self, programme_id: int) -> Programme:
        p = self._view_struct("programme", programme_id)
        return Programme(
            id=programme_id,
            name=p["name"],
            token=p["token"],
            funding=p["funding"],
            manager=p["manager"],
            officer=p["officer"],
            claim_delay=int(p["claimDelay"]),
            document_hash=bytes(p["documentHash"]),
        )

    def round(self, round_id: int) -> Round:
        r = self._view_struct("round", round_id)
        return Round(
            id=round_id,
            programme_id=int(r["programmeId"]),
            merkle_root=bytes(r["merkleRoot"]),
            token=r["token"],
            status=ROUND_STATUS[r["status"]],
            total=int(r["total"]),
            beneficiary_count=int(r["beneficiaryCount"]),
            claimable_at=int(r["claimableAt"]),
            end=int(r["end"]),
            remaining=int(r["remaining"]),
            revoked=int(r["revoked"]),
            clawed_back=int(r["clawedBack"]),
            document_hash=bytes(r["documentHash"]),
        )

    def reconcile(self, round_id: int) -> Reconciliation:
        """Rebuild a round's accounts from its events alone (no local notes)."""
        record = self.round(round_id)
        programme_id = record.programme_id
        funded = claimed = revoked = clawed_back = 0
        beneficiaries = 0
        claimed_indexes: list[int] = []
        revoked_indexes: list[int] = []
        for event in self._events([None, topic(programme_id), topic(round_id)]):
            if event.name == "RoundProposed":
                beneficiaries = int(event["beneficiaryCount"])
            elif event.name == "RoundPublished":
                funded = int(event["total"])
            elif event.name == "Claimed":
                claimed += int(event["amount"])
                claimed_indexes.append(int(event["index"]))
            elif event.name == "RoundVetoed":
                clawed_back += int(event["returned"])
            elif event.name == "RoundClawedBack":
                clawed_back += int(event["amount"])
            elif event.name == "Revoked":
                revoked += int(event["amount"])
                revoked_indexes.append(int(event["index"]))
        settled = set(claimed_indexes) | set(revoked_indexes)
        outstanding = funded - claimed - revoked - clawed_back
        unclaimed = (
            [] if outstanding == 0 else [i for i in range(beneficiaries) if i not in settled]
        )
        return Reconciliation(
            round_id,
            programme_id,
            beneficiaries,
            funded,
            claimed,
            revoked,
            clawed_back,
            outstanding,
            record.remaining,
            sorted(claimed_indexes),
            sorted(revoked_indexes),
            unclaimed,
        )
