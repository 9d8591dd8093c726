"""A citizen's question answered yes or no, with the evidence read from the chain.

What a citizen brings to the verify page:

- a transaction hash: is it on the chain, in which block, with how many confirmations, and did
  it succeed?
- a welfare proof file (``proofs/<address>.json`` written by :meth:`RoundPlan.write`: root,
  index, beneficiary, amount, proof): is the proof valid against a round's root on the chain,
  and is the entitlement paid?
- a vote receipt (:meth:`VoteReceipt.save`: electionId, voter, choice, salt, commitment): was
  this very ballot committed, and counted, for which option? The salt is never shown back;
  a ballot not yet opened keeps its choice hidden too.
- a land sale: the transaction hash the land CLI prints after ``govchain land accept`` and the
  parcel number, typed in or as a small JSON file ``{"parcel": "0042-17", "tx": "0x…"}``: did
  that transaction sell that parcel, to whom, and who owns it now?

Each answer is read live from the node (receipts, logs and the contracts' views), never from the
explorer's index alone: the index only supplies links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from govchain.clients.land import ParcelNumberError, parcel_id, parcel_number
from govchain.explorer.describe import Words
from govchain.explorer.txview import TxView, read_transaction

if TYPE_CHECKING:
    from govchain.explorer.app import Explorer

MAX_UPLOAD = 64 * 1024  # a proof of a 2**64-leaf tree is ~4 KB; a vote receipt ~300 bytes
MAX_DEPTH = 8  # nesting levels read: the files here nest two
MAX_PROOF = 256  # siblings: no tree is deeper than its 256-bit leaf hashes allow
TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
BYTES32 = TX_HASH
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
WELFARE_FIELDS = ("root", "index", "beneficiary", "amount", "proof")
VOTE_FIELDS = ("electionId", "voter", "choice", "salt", "commitment")
SALE_FIELDS = ("parcel", "tx")


class VerifyInputError(Exception):
    """What the citizen sent cannot be checked: the page says why, with a 4xx status."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail


# -- what can be checked ------------------------------------------------------------------------


@dataclass(frozen=True)
class TransactionClaim:
    tx: str


@dataclass(frozen=True)
class WelfareClaim:
    root: str
    index: int
    beneficiary: str
    amount: int
    proof: list[str]


@dataclass(frozen=True)
class VoteClaim:
    election_id: int
    voter: str
    choice: int
    salt: bytes = field(repr=False)  # never shown, never logged
    commitment: bytes


@dataclass(frozen=True)
class SaleClaim:
    parcel: str
    tx: str


Claim = TransactionClaim | WelfareClaim | VoteClaim | SaleClaim


@dataclass(frozen=True)
class Fact:
    """One piece of evidence: a label, plain words, a page that shows it, and whether it is a
    check that passed (True), failed (False) or a plain fact (None)."""

    label: str
    text: str
    href: str | None = None
    ok: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "href": self.href, "ok": self.ok}


@dataclass(frozen=True)
class Verdict:
    """The answer: yes or no, in one sentence, and the evidence behind it."""

    what: str  # "transaction", "welfare entitlement", "vote", "land sale"
    question: str
    ok: bool
    answer: str
    facts: list[Fact]
    head: int  # the chain head the evidence was read at

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "question": self.question,
            "answer": "yes" if self.ok else "no",
            "ok": self.ok,
            "summary": self.answer,
            "evidence": [f.as_dict() for f in self.facts],
            "checked_at_block": self.head,
        }


# -- reading what was sent ----------------------------------------------------------------------


def claim_from_fields(tx: str | None, parcel: str | None) -> Claim:
    """The form's typed fields: a transaction hash, with a parcel number for a land sale."""
    tx = (tx or "").strip()
    parcel = (parcel or "").strip()
    if not tx and not parcel:
        raise VerifyInputError(
            400,
            "Nothing to verify",
            "Paste a transaction hash (with a parcel number to check a land sale), or upload "
            "a welfare proof file, a vote receipt or a sale receipt.",
        )
    if not tx:
        raise VerifyInputError(
            400,
            "A transaction hash is needed",
            "To check a land sale, give the transaction hash the land CLI printed after the "
            "sale as well as the parcel number.",
        )
    tx_hash = _tx_hash(tx, "the transaction hash")
    if parcel:
        return SaleClaim(_parcel(parcel), tx_hash)
    return TransactionClaim(tx_hash)


def claim_from_file(data: bytes, name: str = "the file") -> Claim:
    """An uploaded file (or a JSON body): a welfare proof, a vote receipt or a sale receipt."""
    if len(data) > MAX_UPLOAD:
        raise VerifyInputError(
            413,
            "That file is too big",
            f"{_clip(name)} is {len(data):,} bytes; welfare proofs, vote receipts and sale "
            f"receipts are a few kilobytes, and at most {MAX_UPLOAD // 1024} KB is read.",
        )
    if not data.strip():
        raise VerifyInputError(400, "That file is empty", f"{_clip(name)} has nothing in it.")
    try:
        text = data.decode("utf-8-sig")
        if _depth(text) > MAX_DEPTH:
            raise VerifyInputError(
                422,
                "This file is not one the explorer can check",
                f"{_clip(name)} nests more than {MAX_DEPTH} levels deep; welfare proofs, vote "
                "receipts and sale receipts nest two at most.",
            )
        document = json.loads(text)
    except UnicodeDecodeError:
        raise VerifyInputError(
            400,
            "That file is not JSON",
            f"{_clip(name)} is not text at all (not UTF-8): welfare proofs, vote receipts and "
            "sale receipts are small JSON text files.",
        ) from None
    except (ValueError, RecursionError) as exc:
        where = f" ({exc})" if isinstance(exc, json.JSONDecodeError) else ""
        raise VerifyInputError(
            400,
            "That file is not JSON",
            f"{_clip(name)} could not be read as JSON{where}: welfare proofs, vote receipts and "
            "sale receipts are small JSON text files.",
        ) from None
    return claim_from_document(document)


def _depth(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text`` (strings skipped): checked before
    parsing, so that a pathological file gets the same answer whatever the parser's stack."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def claim_from_document(document: Any) -> Claim:
    """Tell the file's kind by its fields and check each one."""
    if isinstance(document, dict):
        keys = set(document)
        if keys >= set(WELFARE_FIELDS):
            return _welfare_claim(document)
        if keys >= set(VOTE_FIELDS):
            return _vote_claim(document)
        if keys >= set(SALE_FIELDS):
            return SaleClaim(
                _parcel(_text(document["parcel"], "parcel")),
                _tx_hash(_text(document["tx"], "tx"), "the sale receipt's tx"),
            )
        if "tx" in keys:
            return TransactionClaim(_tx_hash(_text(document["tx"], "tx"), "tx"))
    raise VerifyInputError(
        422,
        "This file is not one the explorer can check",
        "It should be a welfare proof file (root, index, beneficiary, amount, proof), a vote "
        "receipt (electionId, voter, choice, salt, commitment) or a sale receipt (parcel, tx).",
    )


def _welfare_claim(document: Mapping[str, Any]) -> WelfareClaim:
    proof = document["proof"]
    if not isinstance(proof, list) or len(proof) > MAX_PROOF:
        raise _shape("welfare proof", "proof", f"a list of at most {MAX_PROOF} 32-byte hashes")
    for element in proof:
        if not isinstance(element, str) or not BYTES32.match(element):
            raise _shape("welfare proof", "proof", "a list of 0x-prefixed 32-byte hashes")
    root = document["root"]
    if not isinstance(root, str) or not BYTES32.match(root):
        raise _shape("welfare proof", "root", "a 0x-prefixed 32-byte hash")
    return WelfareClaim(
        root=root.lower(),
        index=_uint(document["index"], "welfare proof", "index"),
        beneficiary=_address(document["beneficiary"], "welfare proof", "beneficiary"),
        amount=_uint(document["amount"], "welfare proof", "amount"),
        proof=[p.lower() for p in proof],
    )


def _vote_claim(document: Mapping[str, Any]) -> VoteClaim:
    from govchain.clients.ballot import ballot_commitment

    election_id = _uint(document["electionId"], "vote receipt", "electionId")
    voter = _address(document["voter"], "vote receipt", "voter")
    choice = _uint(document["choice"], "vote receipt", "choice")
    salt, commitment = document["salt"], document["commitment"]
    if not isinstance(salt, str) or not BYTES32.match(salt):
        raise _shape("vote receipt", "salt", "0x and 64 hexadecimal digits")
    if not isinstance(commitment, str) or not BYTES32.match(commitment):
        raise _shape("vote receipt", "commitment", "0x and 64 hexadecimal digits")
    salt_bytes, sealed = bytes.fromhex(salt[2:]), bytes.fromhex(commitment[2:])
    if ballot_commitment(election_id, voter, choice, salt_bytes) != sealed:
        raise VerifyInputError(
            422,
            "This vote receipt does not add up",
            "Its commitment is not the hash of its election, voter, choice and salt, so it is "
            "not the receipt the ballot client wrote: the file was changed or damaged.",
        )
    return VoteClaim(election_id, voter, choice, salt_bytes, sealed)


def _shape(kind: str, name: str, expected: str) -> VerifyInputError:
    return VerifyInputError(
        422, f"This {kind} is not well formed", f"Its field “{name}” must be {expected}."
    )


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _shape("receipt", name, "text")
    return value


def _uint(value: Any, kind: str, name: str) -> int:
    """A uint256 written as a JSON number or a decimal string (amounts are strings)."""
    if isinstance(value, bool):
        raise _shape(kind, name, "a whole number")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 78:
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < 2**256:
        raise _shape(kind, name, "a whole number from 0 to 2²⁵⁶−1")
    return value


def _address(value: Any, kind: str, name: str) -> str:
    from eth_utils import to_checksum_address

    if not isinstance(value, str) or not ADDRESS.match(value):
        raise _shape(kind, name, "an address: 0x and 40 hexadecimal digits")
    return str(to_checksum_address(value))


def _tx_hash(text: str, what: str) -> str:
    text = text.strip()
    if not TX_HASH.match(text):
        raise VerifyInputError(
            400,
            "That is not a transaction hash",
            f"“{_clip(text)}” ({what}) is not 0x followed by 64 hexadecimal digits.",
        )
    return text.lower()


def _parcel(text: str) -> str:
    try:
        return parcel_number(parcel_id(text.strip()))
    except ParcelNumberError as exc:
        raise VerifyInputError(400, "That is not a parcel number", str(exc)[:200]) from None


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# -- the checks ---------------------------------------------------------------------------------


def check(explorer: Explorer, claim: Claim) -> Verdict:
    """Answer ``claim`` from the chain as it is now."""
    if isinstance(claim, TransactionClaim):
        return check_transaction(explorer, claim.tx)
    if isinstance(claim, WelfareClaim):
        return check_welfare(explorer, claim)
    if isinstance(claim, VoteClaim):
        return check_vote(explorer, claim)
    return check_sale(explorer, claim)


def _read(explorer: Explorer, tx_hash: str) -> TxView | None:
    return read_transaction(
        explorer.session,
        tx_hash,
        words=explorer.words,
        calls=explorer.calls,
        contracts=explorer.contracts,
        indexed_rows=explorer.store.events(tx_hash=tx_hash),
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _inclusion(view: TxView) -> str:
    return (
        f"included in block {view.block_number} with {_plural(view.confirmations, 'confirmation')}"
    )


def _head(explorer: Explorer) -> int:
    return int(explorer.session.chain.w3.eth.block_number)


def _pending(explorer: Explorer, tx_hash: str) -> bool:
    from web3.exceptions import TransactionNotFound

    try:
        tx = explorer.session.chain.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return False
    return tx.get("blockNumber") is None


def _absent(explorer: Explorer, tx_hash: str, what: str, question: str) -> Verdict:
    if _pending(explorer, tx_hash):
        answer = "No: the node has this transaction but it is still pending, not in a block yet."
    else:
        answer = "No: this chain has no mined transaction with this hash."
    facts = [
        Fact(
            "On the chain",
            "not found — it may be on another network, still pending, or its block was undone "
            "by a chain reorganisation",
            ok=False,
        )
    ]
    return Verdict(what, question, False, answer, facts, _head(explorer))


def _tx_facts(view: TxView, explorer: Explorer) -> list[Fact]:
    directory = explorer.directory()
    canonical = _block_hash(explorer, view.block_number) == view.block_hash
    facts = [
        Fact(
            "Included in",
            f"block {view.block_number} (hash {view.block_hash[:10]}…)",
            f"/block/{view.block_number}",
            ok=canonical,
        ),
        Fact(
            "Confirmations",
            f"{view.confirmations:,}: "
            + (
                "its block is the newest one"
                if view.confirmations == 1
                else f"the chain has grown by {_plural(view.confirmations - 1, 'block')} on top"
            ),
        ),
        Fact(
            "Result",
            "succeeded"
            if view.status == 1
            else "failed" + (f": {view.failure}" if view.failure else ""),
            ok=view.status == 1,
        ),
        Fact(
            "Sent by", _named(view.sender, directory.label(view.sender)), f"/address/{view.sender}"
        ),
    ]
    if view.call is not None:
        on = f" on {view.call.contract}" if view.call.contract else ""
        facts.append(Fact("Called", f"{view.call.function}{on}", f"/tx/{view.hash}"))
    return facts


def _named(address: str, label: str) -> str:
    return f"{address} ({label})" if label else address


def _block_hash(explorer: Explorer, number: int) -> str:
    return "0x" + bytes(explorer.session.chain.w3.eth.get_block(number)["hash"]).hex()


def check_transaction(explorer: Explorer, tx_hash: str) -> Verdict:
    question = f"Is transaction {tx_hash} on the chain, and did it succeed?"
    view = _read(explorer, tx_hash)
    if view is None:
        return _absent(explorer, tx_hash, "transaction", question)
    facts = _tx_facts(view, explorer)
    for log in view.logs:
        href = None
        if log.kind == "role":
            href = f"/contract/{log.record}#roles"
        elif log.kind:
            href = f"/records/{log.kind}/{log.record}"
        facts.append(Fact("It recorded", log.sentence, href))
    facts.append(
        Fact(
            "In the explorer's index",
            "yes: its public records are on the record pages"
            if view.indexed
            else "not (yet) — the answer above comes from the node itself",
        )
    )
    if view.status == 1:
        answer = f"Yes: {_inclusion(view)}, and it succeeded."
    else:
        answer = (
            f"No: the transaction is {_inclusion(view)}, but it failed, so it changed nothing "
            "(only its fee was paid)."
        )
    head = view.block_number + view.confirmations - 1
    return Verdict("transaction", question, view.status == 1, answer, facts, head)


# -- welfare ------------------------------------------------------------------------------------


def check_welfare(explorer: Explorer, claim: WelfareClaim) -> Verdict:
    from govchain.clients.welfare import LEAF_ENCODING, WelfareClient
    from govchain.merkle import verify_proof

    words = explorer.words
    who = words.who(claim.beneficiary)
    question = (
        f"Is {words.amount(claim.amount)} for {claim.beneficiary} (entry {claim.index}) in a "
        "welfare round on the chain, and has it been paid?"
    )
    head = _head(explorer)
    valid = verify_proof(
        claim.root, LEAF_ENCODING, (claim.index, claim.beneficiary, claim.amount), claim.proof
    )
    facts = [
        Fact(
            "The proof",
            "leads from this entry to the file's root "
            f"{claim.root[:10]}…{claim.root[-4:]} ({_plural(len(claim.proof), 'step')})"
            if valid
            else "does not lead from this entry to the file's root: the file was changed or "
            "damaged",
            ok=valid,
        )
    ]
    if "WelfareDisbursement" not in explorer.contracts:
        answer = "No: there is no welfare contract on this network."
        return Verdict("welfare entitlement", question, False, answer, facts, head)
    proposed = [
        row
        for row in explorer.store.events(kind="round", names=["RoundProposed"])
        if str(row.args.get("merkleRoot", "")).lower() == claim.root
    ]
    if not valid:
        answer = "No: the proof in this file is not valid, so it proves no entitlement."
        return Verdict("welfare entitlement", question, False, answer, facts, head)
    if not proposed:
        facts.append(Fact("A round with this root", "none on this chain", ok=False))
        answer = "No: the proof is valid for its own root, but no welfare round has that root."
        return Verdict("welfare entitlement", question, False, answer, facts, head)
    row = proposed[-1]  # a re-proposed list (after a veto): the newest round counts
    round_id = int(row.record)
    client = WelfareClient.connect(explorer.session)
    record = client.round(round_id)
    on_chain = "0x" + record.merkle_root.hex()
    facts.append(
        Fact(
            f"Round {round_id}'s root",
            f"the contract holds {on_chain[:10]}…{on_chain[-4:]}: "
            + ("the same root" if on_chain == claim.root else "a different root"),
            f"/records/round/{round_id}",
            ok=on_chain == claim.root,
        )
    )
    facts.append(
        Fact(
            "Proposed",
            f"in block {row.block_number}, tx {row.tx_hash}",
            f"/tx/{row.tx_hash}",
        )
    )
    history = explorer.store.events(kind="round", record=str(round_id))
    published = next((r for r in history if r.name == "RoundPublished"), None)
    if published is not None:
        facts.append(
            Fact(
                "Published",
                f"in block {published.block_number}, tx {published.tx_hash}",
                f"/tx/{published.tx_hash}",
            )
        )
    facts.append(Fact("Round status", record.status))
    settled = client.is_claimed(round_id, claim.index)
    paid = _entry(history, "Claimed", claim.index)
    revoked = _entry(history, "Revoked", claim.index)
    if paid is not None:
        status = f"paid in tx {paid.tx_hash}"
        text = f"paid: {words.amount(paid.args['amount'])} to {who} in tx {paid.tx_hash}"
        facts.append(Fact("Entitlement", text, f"/tx/{paid.tx_hash}", ok=settled))
    elif revoked is not None:
        status = f"revoked in tx {revoked.tx_hash} (reason {revoked.args['reasonCode']})"
        facts.append(Fact("Entitlement", status, f"/tx/{revoked.tx_hash}", ok=settled))
    elif settled:
        status = "settled (paid or revoked), not yet in the explorer's index"
        facts.append(Fact("Entitlement", status, ok=True))
    else:
        status = "unpaid"
        if record.status == "Published":
            now = int(explorer.session.chain.w3.eth.get_block("latest")["timestamp"])
            if now > record.end:
                status += f" — the claim window closed on {_date(record.end)}"
            else:
                status += (
                    f" — it can be claimed from {_date(record.claimable_at)} "
                    f"until {_date(record.end)}"
                )
        elif record.status in ("Vetoed", "ClawedBack"):
            status += " and no longer payable: the round was " + (
                "vetoed" if record.status == "Vetoed" else "closed"
            )
        else:
            status += " — the round is not published (funded) yet"
        facts.append(Fact("Entitlement", status))
    round_ok = on_chain == claim.root
    where = f"published in tx {published.tx_hash}" if published else "not published yet"
    answer = (
        f"Yes: the proof is valid against round {round_id}'s root ({where}); "
        f"the entitlement of {words.amount(claim.amount)} for {who} is {status.split(' — ')[0]}."
        if round_ok
        else f"No: round {round_id} on the chain no longer holds this root."
    )
    return Verdict("welfare entitlement", question, round_ok, answer, facts, head)


def _entry(history: Sequence[Any], name: str, index: int) -> Any:
    return next((r for r in history if r.name == name and int(r.args["index"]) == index), None)


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- ballot -------------------------------------------------------------------------------------


def check_vote(explorer: Explorer, claim: VoteClaim) -> Verdict:
    from govchain.clients.ballot import BallotClient
    from govchain.clients.base import address_topic, topic

    question = (
        f"Was the ballot in this receipt, cast by {claim.voter} in election "
        f"{claim.election_id}, counted?"
    )
    head = _head(explorer)
    if "Ballot" not in explorer.contracts:
        answer = "No: there is no ballot contract on this network."
        return Verdict("vote", question, False, answer, [], head)
    client = BallotClient.connect(explorer.session)
    try:
        election = client.election(claim.election_id)
    except Exception:  # noqa: BLE001 - BallotUnknownElection, decoded by the client
        facts = [Fact("Election", f"no election {claim.election_id} on this chain", ok=False)]
        answer = f"No: there is no election {claim.election_id} on this chain."
        return Verdict("vote", question, False, answer, facts, head)
    events = explorer.session.events
    voter_topics = [topic(claim.election_id), address_topic(claim.voter)]
    commits = list(client._events([events.topic("VoteCommitted"), *voter_topics]))
    reveals = list(client._events([events.topic("VoteRevealed"), *voter_topics]))
    facts = [
        Fact(
            "Election",
            f"election {claim.election_id}: {election.committed:,} ballots cast, "
            + ("final" if election.finalized else "not final yet"),
            f"/records/election/{claim.election_id}",
        ),
        Fact("The receipt", "its commitment matches its contents (the salt is not shown)", ok=True),
    ]
    mine = [c for c in commits if bytes(c["commitment"]) == claim.commitment]
    if not mine:
        facts.append(
            Fact(
                "This ballot on the chain",
                "never committed"
                + (
                    f" ({_plural(len(commits), 'other ballot')} from this voter)" if commits else ""
                ),
                ok=False,
            )
        )
        answer = "No: this ballot was never cast on the chain, so it was not counted."
        return Verdict("vote", question, False, answer, facts, head)
    cast = mine[-1]
    facts.append(
        Fact(
            "Cast",
            f"in block {cast.block_number}, tx {cast.tx_hash}",
            f"/tx/{cast.tx_hash}",
            ok=True,
        )
    )
    last = commits[-1]
    if bytes(last["commitment"]) != claim.commitment:
        facts.append(
            Fact(
                "Replaced",
                f"by a later ballot from the same voter in tx {last.tx_hash}; only the last "
                "ballot counts",
                f"/tx/{last.tx_hash}",
                ok=False,
            )
        )
        answer = "No: this ballot was replaced by a later one from the same voter: not counted."
        return Verdict("vote", question, False, answer, facts, head)
    if reveals:
        opened = reveals[-1]
        counted = int(opened["choice"])
        agrees = counted == claim.choice
        facts.append(
            Fact(
                "Opened and counted",
                f"for option {counted} in block {opened.block_number}, tx {opened.tx_hash}",
                f"/tx/{opened.tx_hash}",
                ok=agrees,
            )
        )
        result = client.result(claim.election_id)
        if counted < len(result.tallies):
            facts.append(
                Fact(
                    f"Option {counted}'s tally",
                    f"{result.tallies[counted]:,} vote(s)"
                    + (" (final)" if result.finalized else " so far"),
                    f"/records/election/{claim.election_id}",
                )
            )
        answer = (
            f"Yes: the vote was counted for option {counted}."
            if agrees
            else f"No: the ballot was counted for option {counted}, not the receipt's choice."
        )
        return Verdict("vote", question, agrees, answer, facts, head)
    now = int(explorer.session.chain.w3.eth.get_block("latest")["timestamp"])
    if now > election.reveal_end:
        status = f"never opened: the reveal period ended on {_date(election.reveal_end)}"
        answer = "No: the ballot was cast but never opened, so it was not counted."
    else:
        opens = max(election.commit_end + 1, now)
        status = (
            f"sealed; it can be opened from {_date(opens)} until {_date(election.reveal_end)} "
            "(its choice stays secret until then)"
        )
        answer = "Not counted yet: the ballot is cast and sealed, and has not been opened."
    facts.append(Fact("Counted", status, ok=False))
    return Verdict("vote", question, False, answer, facts, head)


# -- land ---------------------------------------------------------------------------------------


def check_sale(explorer: Explorer, claim: SaleClaim) -> Verdict:
    from govchain.clients.land import LandClient

    question = f"Did transaction {claim.tx} sell parcel {claim.parcel}?"
    view = _read(explorer, claim.tx)
    if view is None:
        return _absent(explorer, claim.tx, "land sale", question)
    facts = _tx_facts(view, explorer)
    ident = parcel_id(claim.parcel)
    sales = [
        log
        for log in view.logs
        if log.event == "SaleCompleted"
        and log.contract == "LandRegistry"
        and int(log.args["parcelId"]) == ident
    ]
    head = view.block_number + view.confirmations - 1
    if not sales:
        did = "; ".join(log.sentence for log in view.logs if log.kind) or "no public record"
        facts.append(Fact("What it did", did, f"/tx/{claim.tx}", ok=False))
        answer = (
            f"No: transaction {claim.tx[:10]}… did not complete a sale of parcel {claim.parcel}"
            + (" (it failed)." if view.status != 1 else ".")
        )
        return Verdict("land sale", question, False, answer, facts, head)
    sale = sales[0]
    words: Words = explorer.words
    buyer, seller = str(sale.args["buyer"]), str(sale.args["seller"])
    facts.append(Fact("It recorded", sale.sentence, f"/records/parcel/{claim.parcel}", ok=True))
    try:
        owner = LandClient.connect(explorer.session).title(claim.parcel).owner
    except Exception:  # noqa: BLE001 - unknown to the registry now: said as such
        owner = None
    if owner is None:
        now = "no one: the title has since been retired (subdivided or merged)"
    elif owner.lower() == buyer.lower():
        now = f"{owner}, the buyer: the title has not changed hands since"
    else:
        now = f"{owner}: the title has changed hands since (see the chain of title)"
    facts.append(
        Fact(
            "Owner now",
            now,
            f"/records/parcel/{claim.parcel}#title",
            ok=owner is not None and owner.lower() == buyer.lower(),
        )
    )
    answer = (
        f"Yes: parcel {claim.parcel} was sold by {words.who(seller)} to {words.who(buyer)} "
        f"for {words.amount(sale.args['price'])} in tx {claim.tx[:10]}…, {_inclusion(view)}; "
        + (
            "the buyer still owns it."
            if owner is not None and owner.lower() == buyer.lower()
            else f"its owner now is {words.who(owner) if owner else 'no one (retired)'}."
        )
    )
    return Verdict("land sale", question, True, answer, facts, head)
