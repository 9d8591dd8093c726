"""``govchain ballot …``: run secret-ballot elections from the command line.

The voter roll is a Merkle tree of addresses built from a CSV (``build-roll``): the authority
records its root, and each voter proves membership with their proof file. A vote is sealed with
a fresh salt kept in a receipt file, which is the only way to reveal it: a ballot never revealed
is never counted. Option labels are recorded as their keccak-256; ``results`` and ``check``
show them when given the labels (``--option``) or the election document. Deadlines are durations
from the chain's current time ("7d", "1d12h"), Unix timestamps, or ISO 8601 times with a UTC
offset.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from itertools import zip_longest
from pathlib import Path
from typing import Any, TypeVar

import click

from govchain.cli_options import (
    ADDRESS,
    DOCUMENT,
    WHEN,
    Signer,
    When,
    announce,
    chain_now,
    document_hash,
    handle_errors,
    moment,
    signed,
)
from govchain.clients.ballot import (
    ROLL_ENCODING,
    BallotClient,
    BallotInputError,
    ElectionRecord,
    ElectionResult,
    Recount,
    SignedCommit,
    VoteReceipt,
    VoterRoll,
    label_hash,
)
from govchain.clients.base import topic
from govchain.errors import ContractError, GovchainError, TransactionFailed
from govchain.events import Event
from govchain.merkle import MerkleTreeError, verify_proof
from govchain.private_file import write_once

F = TypeVar("F", bound=Callable[..., Any])

ROLES = ("ELECTION_AUTHORITY_ROLE", "GOVERNANCE_ROLE", "DEFAULT_ADMIN_ROLE")
MAX_OPTIONS = 64  # Ballot.MAX_OPTIONS
MAX_TIME = 2**48 - 1  # the contract stores its windows in uint48
ELECTION = click.IntRange(1)
QUORUM = click.IntRange(0, 2**32 - 1)  # uint32
CHOICE = click.IntRange(0, MAX_OPTIONS - 1)
INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
NEW_FILE = click.Path(dir_okay=False, path_type=Path)
ROLL = click.Path(exists=True, path_type=Path)
SIGNED_KIND = "govchain-ballot-signed-commit"
_LIST_MARKER = re.compile(r"^(?:[-*+•]|\(?[0-9A-Za-z]{1,3}[.):])\s+")


# -- connection and output helpers --------------------------------------------------------------


def _ballot(signer: Signer) -> AbstractContextManager[BallotClient]:
    return signer.client(BallotClient)


def _created_events(client: BallotClient, election_id: int | None = None) -> list[Event]:
    """``ElectionCreated`` events (of one election, or all): titles and option label hashes."""
    topics: list[str | list[str] | None] = [client.session.events.topic("ElectionCreated")]
    if election_id is not None:
        topics.append(topic(election_id))
    return list(client._events(topics))


def _created(client: BallotClient, election_id: int) -> Event:
    found = _created_events(client, election_id)
    if not found:
        raise GovchainError(f"no ElectionCreated event found for election {election_id}")
    return found[0]


def _label_hashes(created: Event) -> list[bytes]:
    return [bytes(h) for h in created["optionLabels"]]


def _phase(record: ElectionRecord, now: int) -> str:
    if record.finalized:
        return "Final"
    if now < record.commit_start:
        return "Scheduled"
    if now <= record.commit_end:
        return "Voting"
    if now <= record.reveal_end:
        return "Revealing"
    return "Closed"  # the reveal window is over; anyone may finalise


def _document_labels(path: Path) -> list[str]:
    """Every text in an election document that may be an option's label.

    Labels are matched by hash, so guessing generously is safe: each line (also without a list
    marker such as ``-``, ``1.`` or ``a)``, and after a ``:``), and every string of a JSON file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found: list[str] = []
    with suppress(ValueError):  # not JSON: lines only
        found.extend(_strings(json.loads(text)))
    for line in text.splitlines():
        line = line.strip()
        unmarked = _LIST_MARKER.sub("", line, count=1).strip()
        for candidate in (line, unmarked, line.rpartition(":")[2].strip()):
            candidate = candidate.strip().strip("\"'").strip()
            if candidate:
                found.append(candidate)
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _option_labels(
    record: ElectionRecord, created: Event, given: Sequence[str], document: Path | None
) -> list[str | None]:
    """Each option's label, where one of ``given`` or of the document hashes to it."""
    candidates = list(given)
    if document is not None:
        if document_hash(document) != record.document_hash:
            click.secho(
                f"warning: {document} is not election {record.id}'s document (its hash "
                "differs); labels are still matched by their recorded hashes",
                fg="yellow",
                err=True,
            )
        candidates.extend(_document_labels(document))
    by_hash: dict[bytes, str] = {}
    for candidate in candidates:
        by_hash.setdefault(label_hash(candidate), candidate)
    return [by_hash.get(h) for h in _label_hashes(created)]


def _option_name(index: int, labels: Sequence[str | None]) -> str:
    label = labels[index] if index < len(labels) else None
    return f"option {index}" if label is None else f"option {index} ({label})"


def _one_of(first: object, second: object, names: str) -> None:
    if (first is None) == (second is None):
        raise click.UsageError(f"give exactly one of {names}")


def _choose(record: ElectionRecord, created: Event, choice: int | None, option: str | None) -> int:
    if option is not None:
        try:
            return _label_hashes(created).index(label_hash(option))
        except ValueError:
            raise click.BadParameter(
                f"election {record.id} has no option labelled {option!r} (labels are matched "
                "exactly, as written in the election document; or give --choice N)",
                param_hint="--option",
            ) from None
    assert choice is not None
    if choice >= record.option_count:
        raise click.BadParameter(
            f"election {record.id} has options 0 to {record.option_count - 1}: a ballot for "
            f"{choice} could never be counted",
            param_hint="--choice",
        )
    return choice


def _read_proof(path: Path, voter: str) -> list[str]:
    """A proof file of ``build-roll`` (``{"root", "voter", "proof"}``) or a bare list of nodes."""
    try:
        data = json.loads(path.read_text())
        nodes = data["proof"] if isinstance(data, dict) else data
        owner = data.get("voter") if isinstance(data, dict) else None
        if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
            raise TypeError("the proof is not a list of hex strings")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BallotInputError(f"{path}: not a voter's proof file ({exc})") from None
    if owner is not None and str(owner).lower() != voter.lower():
        raise BallotInputError(
            f"{path} is {owner}'s proof but you sign as {voter}: "
            "sign as that voter (--account / --dev-account)"
        )
    return list(nodes)


def _proof(record: ElectionRecord, voter: str, roll: Path | None, proof: Path | None) -> list[str]:
    """``voter``'s proof from a roll or a proof file, checked against the election's root."""
    root = "0x" + record.roll_root.hex()
    if roll is not None:
        loaded = VoterRoll.load(roll)
        if loaded.root.lower() != root:
            raise BallotInputError(
                f"{roll}: this roll (root {loaded.root}) is not election {record.id}'s "
                f"(root {root}): was the roll replaced?"
            )
        if voter not in loaded:
            raise BallotInputError(f"{roll}: {voter} is not on this roll")
        return loaded.proof(voter)
    assert proof is not None
    nodes = _read_proof(proof, voter)
    try:
        valid = verify_proof(root, ROLL_ENCODING, (voter,), nodes)
    except MerkleTreeError as exc:
        raise BallotInputError(f"{proof}: {exc}") from None
    if not valid:
        raise BallotInputError(
            f"{proof} does not place {voter} on election {record.id}'s roll (root {root}): "
            "is it the proof of this election's current roll?"
        )
    return nodes


def _default_receipt(client: BallotClient, election_id: int) -> Path:
    network = re.sub(r"[^A-Za-z0-9._-]+", "_", client.session.network)
    directory = client.session.project.state_dir / "ballots" / network
    return directory / f"election-{election_id}-{client.sender.address}.json"


def _refuse_existing(path: Path) -> None:
    """Checked before anything is saved or sent; :meth:`VoteReceipt.save` checks again."""
    if path.exists():
        raise BallotInputError(
            f"{path} already exists: it may hold the only copy of another ballot's salt; "
            "choose another file with --receipt"
        )


def _holds(path: Path, sealed: VoteReceipt) -> bool:
    """Does ``path`` hold exactly ``sealed`` (the receipt this command wrote)?"""
    try:
        return path.exists() and VoteReceipt.load(path) == sealed
    except BallotInputError:
        return False


def _warn_keep(path: Path) -> None:
    for line in (
        f"KEEP THIS FILE SAFE: {path}",
        "It holds your ballot's secret salt and is the ONLY way to reveal your vote.",
        "If it is lost, your vote can NEVER be revealed and will NEVER be counted.",
        f"After voting closes, reveal it: govchain ballot reveal --receipt {path}",
        "Back it up now; do not show it to anyone before the reveal (it discloses your choice).",
    ):
        click.secho(f"!!! {line}", fg="red", bold=True, err=True)


def _times(now: int, **whens: When) -> dict[str, int]:
    resolved = {}
    for name, when in whens.items():
        value = when.resolve(now)
        if not 0 < value <= MAX_TIME:
            option = "--" + name.replace("_", "-")
            raise click.BadParameter(
                f"{value} is not a time the contract can record", param_hint=option
            )
        resolved[name] = value
    return resolved


def _choice_options(func: F) -> F:
    func = click.option(
        "--option",
        default=None,
        metavar="LABEL",
        help="Vote for the option with this label (exactly as in the election document).",
    )(func)
    return click.option(
        "--choice", type=CHOICE, default=None, metavar="N", help="Vote for option N (from 0)."
    )(func)


def _proof_options(func: F) -> F:
    func = click.option(
        "--proof",
        type=INPUT_FILE,
        default=None,
        help="Your proof file, as published (proofs/<address>.json).",
    )(func)
    return click.option(
        "--roll", type=ROLL, default=None, help="The published roll (directory or its tree.json)."
    )(func)


def _label_options(func: F) -> F:
    func = click.option(
        "--document",
        type=DOCUMENT,
        default=None,
        help="The election document: option labels are looked up in it.",
    )(func)
    return click.option(
        "--option",
        "options",
        multiple=True,
        metavar="LABEL",
        help="A possible option label (repeat); shown where it matches a recorded label.",
    )(func)


@click.group()
def ballot() -> None:
    """Secret-ballot elections: voter rolls, sealed votes, reveals, results, recounts."""


# -- the roll and elections (ELECTION AUTHORITY) ------------------------------------------------


def _read_voters(path: Path) -> tuple[list[str], str | None]:
    """The first column of each line, and the header line skipped (if any).

    As :meth:`VoterRoll.from_csv`, but read as UTF-8 with or without a byte-order mark, which
    spreadsheets write: from_csv would take a first line starting with one for a header and
    silently leave that voter off the roll.
    """
    addresses: list[str] = []
    header = None
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not row[0].strip():
                continue
            if number == 1 and not row[0].strip().lower().startswith("0x"):
                header = ",".join(row)
                continue
            addresses.append(row[0])
    return addresses, header


@ballot.command("build-roll")
@click.argument("voters", type=INPUT_FILE)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@handle_errors
def build_roll(voters: Path, out: Path) -> None:
    """Build a voter roll from VOTERS.csv (offline).

    VOTERS.csv has one address per line (first column); a header line is allowed. Writes
    OUT/tree.json (OpenZeppelin StandardMerkleTree format) and OUT/proofs/<address>.json, one proof
    per voter, to publish.
    """
    tree_file = out / "tree.json"
    if tree_file.exists():
        raise BallotInputError(
            f"{tree_file} already exists: a published roll must not change under its voters; "
            "choose another --out"
        )
    try:
        addresses, header = _read_voters(voters)
        roll = VoterRoll.from_addresses(addresses)
    except BallotInputError as exc:
        raise BallotInputError(f"{voters}: {exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BallotInputError(f"{voters}: not a UTF-8 CSV of addresses ({exc})") from None
    roll.write(out)
    plural = "voter" if len(roll) == 1 else "voters"
    click.echo(f"{len(roll)} {plural}, root {roll.root} → {out}/")
    if header is not None:
        click.echo(f"  first line {header!r} read as a header, not a voter")
    click.echo(f"  publish {out / 'proofs'}/<address>.json: each voter's proof of membership")


@ballot.command()
@signed
@click.option("--title", required=True)
@click.option(
    "--document",
    type=DOCUMENT,
    required=True,
    help="The election document (question, option labels); its keccak256 is recorded.",
)
@click.option("--roll", type=ROLL, required=True, help="The roll written by build-roll.")
@click.option(
    "--option",
    "options",
    multiple=True,
    required=True,
    metavar="LABEL",
    help=f"An option's label, in order (2 to {MAX_OPTIONS}); the first is option 0.",
)
@click.option("--commit-start", type=WHEN, required=True, help="Voting opens: e.g. 1d, ISO 8601.")
@click.option("--commit-end", type=WHEN, required=True, help="Voting closes: e.g. 8d.")
@click.option("--reveal-end", type=WHEN, required=True, help="Reveals close: e.g. 11d.")
@click.option(
    "--quorum",
    type=QUORUM,
    default=0,
    show_default=True,
    help="Revealed ballots needed for the result to count.",
)
@handle_errors
def create(
    signer: Signer,
    title: str,
    document: Path,
    roll: Path,
    options: tuple[str, ...],
    commit_start: When,
    commit_end: When,
    reveal_end: When,
    quorum: int,
) -> None:
    """Create an election (ELECTION AUTHORITY).

    Prints the new election's id. Option N is the N-th --option; the labels are recorded as
    their keccak-256 and should appear, exactly, in the election document.
    """
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise click.BadParameter(
            f"an election needs 2 to {MAX_OPTIONS} options, got {len(options)}",
            param_hint="--option",
        )
    if any(not label.strip() for label in options):
        raise click.BadParameter("an option's label must not be empty", param_hint="--option")
    repeated = sorted({label for label in options if options.count(label) > 1})
    if repeated:
        raise click.BadParameter(f"{repeated[0]!r} is given twice", param_hint="--option")
    voter_roll = VoterRoll.load(roll)
    findable = set(_document_labels(document))
    for label in options:
        if label not in findable:
            click.secho(
                f"warning: {label!r} is not found in {document}: voters and counters will not "
                "find this label in the election document",
                fg="yellow",
                err=True,
            )
    if quorum > len(voter_roll):
        click.secho(
            f"warning: a quorum of {quorum} is more than the {len(voter_roll)} voters on the roll",
            fg="yellow",
            err=True,
        )
    with _ballot(signer) as client:
        now = chain_now(client)
        times = _times(now, commit_start=commit_start, commit_end=commit_end, reveal_end=reveal_end)
        receipt = client.create_election(
            title=title,
            document_hash=document_hash(document),
            roll=voter_roll,
            options=options,
            quorum=quorum,
            **times,
        )
        created = receipt.event("ElectionCreated")
        announce(
            receipt,
            f"election {created['electionId']} created: {title}",
            f"  voters   {created['voterCount']} on the roll (root {voter_roll.root})",
            "  options  " + ", ".join(f"{i} {label}" for i, label in enumerate(options)),
            f"  voting   from {moment(created['commitStart'], now)}",
            f"           until {moment(created['commitEnd'], now)}",
            f"  reveals  until {moment(created['revealEnd'], now)}",
            f"  quorum   {quorum} revealed ballot(s)",
        )


@ballot.command("replace-roll")
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@click.option("--roll", type=ROLL, required=True, help="The new roll written by build-roll.")
@handle_errors
def replace_roll(signer: Signer, election_id: int, roll: Path) -> None:
    """Replace the roll before voting opens (AUTHORITY).

    Only the election's own authority may, and only before the commit window opens.
    """
    voter_roll = VoterRoll.load(roll)
    with _ballot(signer) as client:
        announce(
            client.replace_roll(election_id, voter_roll),
            f"election {election_id}: roll replaced, {len(voter_roll)} voters, "
            f"root {voter_roll.root}",
        )


# -- voting (VOTERS, RELAYERS) ------------------------------------------------------------------


def _receipt_option(func: F) -> F:
    return click.option(
        "--receipt",
        type=NEW_FILE,
        default=None,
        help="Where to keep your vote receipt (never overwritten). "
        "Default: .govchain/ballots/<network>/election-<id>-<address>.json",
    )(func)


def _one_choice_one_proof(
    choice: int | None, option: str | None, roll: Path | None, proof: Path | None
) -> None:
    _one_of(choice, option, "--choice N, --option LABEL")
    _one_of(roll, proof, "--roll DIR, --proof FILE")


def _ballot_to_seal(
    client: BallotClient,
    election_id: int,
    choice: int | None,
    option: str | None,
    roll: Path | None,
    proof: Path | None,
    receipt: Path | None,
) -> tuple[ElectionRecord, int, list[str], Path]:
    """The election, the chosen option, the signer's proof and where to keep the receipt.

    All checked before anything is saved or sent (the receipt file must not exist yet).
    """
    record = client.election(election_id)
    chosen = _choose(record, _created(client, election_id), choice, option)
    nodes = _proof(record, client.sender.address, roll, proof)
    path = receipt if receipt is not None else _default_receipt(client, election_id)
    _refuse_existing(path)
    return record, chosen, nodes, path


@ballot.command()
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@_choice_options
@_proof_options
@_receipt_option
@handle_errors
def vote(
    signer: Signer,
    election_id: int,
    choice: int | None,
    option: str | None,
    roll: Path | None,
    proof: Path | None,
    receipt: Path | None,
) -> None:
    """Seal and commit your vote (VOTER).

    The vote is sealed with a fresh salt, kept in a receipt file, then committed. The receipt is the
    only way to reveal the vote: if it is lost, the vote is never counted. Voting again during the
    window replaces your ballot (the last one counts).
    """
    _one_choice_one_proof(choice, option, roll, proof)
    with _ballot(signer) as client:
        _, chosen, nodes, path = _ballot_to_seal(
            client, election_id, choice, option, roll, proof, receipt
        )
        sealed = VoteReceipt.new(election_id, client.sender.address, chosen)
        label = f"option {chosen}" + (f" ({option})" if option else "")
        try:
            tx = client.commit(sealed, nodes, keep=path)
            lines = [
                f"sealed ballot for {label} committed on election {election_id}; "
                f"receipt kept in {path}"
            ]
            if tx.event("VoteCommitted")["replaced"]:
                lines.append(
                    "  it replaces your earlier ballot: only this receipt can reveal your vote now"
                )
            announce(tx, *lines)
        except TransactionFailed:
            # Reverted: the commitment is not on chain, so the salt protects nothing.
            if _holds(path, sealed):
                path.unlink()
                click.echo(f"the ballot was not committed; removed {path}", err=True)
            raise
        finally:
            if _holds(path, sealed):
                _warn_keep(path)


@ballot.command("sign-vote")
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@_choice_options
@_proof_options
@_receipt_option
@click.option(
    "--out",
    type=NEW_FILE,
    required=True,
    help="The signed ballot to give a relayer (sealed: it holds no secret).",
)
@click.option(
    "--deadline", type=WHEN, default=None, help="Relay by then (default: when voting closes)."
)
@handle_errors
def sign_vote(
    signer: Signer,
    election_id: int,
    choice: int | None,
    option: str | None,
    roll: Path | None,
    proof: Path | None,
    receipt: Path | None,
    out: Path,
    deadline: When | None,
) -> None:
    """Seal and sign your vote for a relayer (VOTER).

    You need no ether: a relayer submits the signed ballot and pays the gas. As with `vote`, the
    receipt is kept first and is the only way to reveal the vote. Give the --out file to a relayer,
    who runs `govchain ballot relay FILE`.
    """
    _one_choice_one_proof(choice, option, roll, proof)
    if out.exists():
        raise BallotInputError(f"{out} already exists: choose another --out")
    with _ballot(signer) as client:
        record, chosen, nodes, path = _ballot_to_seal(
            client, election_id, choice, option, roll, proof, receipt
        )
        now = chain_now(client)
        until = (
            record.commit_end if deadline is None else _times(now, deadline=deadline)["deadline"]
        )
        sealed = VoteReceipt.new(election_id, client.sender.address, chosen)
        sealed.save(path)
        try:
            commit = client.sign_commit(client.sender.account, sealed, deadline=until)
            write_once(out, _signed_json(client, commit, nodes))
            replaces = "replacing your current ballot" if any(commit.previous) else "a first ballot"
            click.echo(
                f"sealed ballot on election {election_id} signed ({replaces}, "
                f"relay by {moment(until, now)}) → {out}; receipt kept in {path}"
            )
            click.echo(f"  give {out} to a relayer: govchain ballot relay {out} (no secret in it)")
        except BaseException:
            # No signed ballot was written, so none can be relayed: the salt protects nothing.
            if not out.exists() and _holds(path, sealed):
                path.unlink()
                click.echo(f"the ballot was not signed; removed {path}", err=True)
            raise
        finally:
            if _holds(path, sealed):
                _warn_keep(path)


def _signed_json(client: BallotClient, commit: SignedCommit, proof: list[str]) -> dict[str, Any]:
    return {
        "kind": SIGNED_KIND,
        "chainId": client.session.chain.chain_id,
        "ballot": client.address,
        "electionId": commit.election_id,
        "voter": commit.voter,
        "commitment": "0x" + commit.commitment.hex(),
        "previous": "0x" + commit.previous.hex(),
        "deadline": commit.deadline,
        "signature": "0x" + commit.signature.hex(),
        "proof": proof,
    }


def _load_signed(path: Path) -> tuple[SignedCommit, list[str], dict[str, Any]]:
    from eth_utils import to_checksum_address

    try:
        data = json.loads(path.read_text())
        if data.get("kind") != SIGNED_KIND:
            raise ValueError(f"kind is not {SIGNED_KIND!r}")
        commit = SignedCommit(
            int(data["electionId"]),
            to_checksum_address(data["voter"]),
            bytes.fromhex(str(data["commitment"]).removeprefix("0x")),
            bytes.fromhex(str(data["previous"]).removeprefix("0x")),
            int(data["deadline"]),
            bytes.fromhex(str(data["signature"]).removeprefix("0x")),
        )
        proof = [str(node) for node in data["proof"]]
        if len(commit.commitment) != 32 or len(commit.previous) != 32:
            raise ValueError("the commitment and previous commitment must be 32 bytes")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BallotInputError(f"{path}: not a signed ballot of `sign-vote` ({exc})") from None
    return commit, proof, data


@ballot.command()
@signed
@click.argument("signed_file", type=INPUT_FILE, metavar="SIGNED_FILE")
@handle_errors
def relay(signer: Signer, signed_file: Path) -> None:
    """Submit a ballot signed with sign-vote (RELAYER).

    The relayer (whoever signs this command) pays the gas; the voter pays nothing.
    """
    commit, proof, data = _load_signed(signed_file)
    with _ballot(signer) as client:
        chain_id = client.session.chain.chain_id
        if (
            data.get("chainId") != chain_id
            or str(data.get("ballot")).lower() != client.address.lower()
        ):
            raise BallotInputError(
                f"{signed_file} is for the Ballot at {data.get('ballot')} on chain "
                f"{data.get('chainId')}; this network's is {client.address} on chain {chain_id}"
            )
        tx = client.commit_by_sig(commit, proof)
        replaced = tx.event("VoteCommitted")["replaced"]
        announce(
            tx,
            f"{commit.voter}'s sealed ballot committed on election {commit.election_id}"
            + (", replacing their earlier ballot" if replaced else "")
            + f"; gas paid by {client.sender.address}",
        )


@ballot.command()
@signed
@click.option("--receipt", type=INPUT_FILE, required=True, help="The vote receipt kept by `vote`.")
@handle_errors
def reveal(signer: Signer, receipt: Path) -> None:
    """Reveal a sealed ballot so that it is counted.

    Between the end of voting and the end of the reveal window. Anyone holding the receipt may
    send it: the commitment binds the voter.
    """
    sealed = VoteReceipt.load(receipt)
    with _ballot(signer) as client:
        try:
            tx = client.reveal(sealed)
        except ContractError as exc:
            if exc.error_name == "BallotCommitmentMismatch":
                click.secho(
                    f"{receipt} does not hold {sealed.voter}'s last ballot: after voting again, "
                    "reveal the receipt of the last vote (only the last one counts)",
                    fg="yellow",
                    err=True,
                )
            raise
        revealed = tx.event("VoteRevealed")
        announce(
            tx,
            f"{sealed.voter}'s ballot on election {sealed.election_id} revealed and counted "
            f"for option {revealed['choice']}",
        )


@ballot.command()
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@click.option("--voter", type=ADDRESS, default=None, help="The voter (default: you).")
@_label_options
@handle_errors
def check(
    signer: Signer,
    election_id: int,
    voter: str | None,
    options: tuple[str, ...],
    document: Path | None,
) -> None:
    """Was a voter's ballot counted, and for what?

    Read from the reveal events. Labels are shown with --option or --document.
    """
    with _ballot(signer) as client:
        record = client.election(election_id)
        who = voter or client.sender.address
        counted = client.counted_choice(election_id, who)
        if counted is not None:
            labels = _option_labels(record, _created(client, election_id), options, document)
            click.echo(f"{who}: your vote was counted for {_option_name(counted, labels)}")
            return
        commitment = bytes(client._call(client.contract.functions.commitmentOf(election_id, who)))
        phase = _phase(record, chain_now(client))
        if not any(commitment):
            why = "no ballot was cast"
        elif phase in ("Scheduled", "Voting"):
            why = "a sealed ballot is committed; reveal it after voting closes"
        elif phase == "Revealing":
            why = "a sealed ballot is committed but not revealed yet: reveal it by " + moment(
                record.reveal_end, chain_now(client)
            )
        else:
            why = "a sealed ballot was committed but never revealed"
        click.echo(f"{who}: not counted ({why})")


# -- results (ANYONE) ---------------------------------------------------------------------------


@ballot.command()
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@handle_errors
def finalize(signer: Signer, election_id: int) -> None:
    """Make the result final (anyone, after reveals)."""
    with _ballot(signer) as client:
        tx = client.finalize(election_id)
        final = tx.event("ElectionFinalized")
        quorum = "met" if final["quorumMet"] else "NOT met: the result does not count"
        announce(
            tx,
            f"election {election_id} finalised: {final['revealed']} ballot(s) counted of "
            f"{final['turnout']} cast, {final['unrevealed']} never revealed; quorum {quorum}",
            "  " + ", ".join(f"option {i}: {n}" for i, n in enumerate(final["tallies"])),
        )


@ballot.command()
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@_label_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def results(
    signer: Signer, election_id: int, options: tuple[str, ...], document: Path | None, as_json: bool
) -> None:
    """Tallies, turnout and quorum of an election.

    The tallies are running until the election is finalised. Option labels are shown where --option
    or the election document (--document) gives one matching a recorded label hash; otherwise
    options are shown by number.
    """
    with _ballot(signer) as client:
        record = client.election(election_id)
        result = client.result(election_id)
        created = _created(client, election_id)
        labels = _option_labels(record, created, options, document)
        now = chain_now(client)
    phase = _phase(record, now)
    if as_json:
        click.echo(json.dumps(_results_json(record, result, created, labels, phase), indent=2))
        return
    click.echo(f"election {election_id}: {created['title']}")
    rows: list[tuple[str, str]] = [
        ("phase", phase),
        ("authority", record.authority),
        ("voters", f"{record.voter_count} on the roll (root 0x{record.roll_root.hex()})"),
        ("voting", f"from {moment(record.commit_start, now)}"),
        ("", f"until {moment(record.commit_end, now)}"),
        ("reveals", f"until {moment(record.reveal_end, now)}"),
        ("document", "0x" + record.document_hash.hex()),
    ]
    for name, value in rows:
        click.echo(f"  {name:<10} {value}")
    state = "final" if result.finalized else "running, not final"
    click.echo(f"tallies ({state}):")
    names = [_option_name(i, labels) for i in range(len(result.tallies))]
    width = max(map(len, names), default=0)
    for name, votes in zip(names, result.tallies, strict=True):
        click.echo(f"  {name:<{width}}  {votes:>8}")
    click.echo(
        f"turnout {result.turnout} of {record.voter_count}: {result.revealed} revealed, "
        f"{result.unrevealed} not revealed"
    )
    met = "met" if result.quorum_met else "NOT met"
    click.echo(f"quorum  {record.quorum} revealed ballot(s): {met}")


def _results_json(
    record: ElectionRecord,
    result: ElectionResult,
    created: Event,
    labels: list[str | None],
    phase: str,
) -> dict[str, Any]:
    hashes = _label_hashes(created)
    return {
        "id": record.id,
        "title": created["title"],
        "phase": phase,
        "authority": record.authority,
        "document_hash": "0x" + record.document_hash.hex(),
        "roll_root": "0x" + record.roll_root.hex(),
        "voter_count": record.voter_count,
        "commit_start": record.commit_start,
        "commit_end": record.commit_end,
        "reveal_end": record.reveal_end,
        "options": [
            {"index": i, "label": labels[i], "label_hash": "0x" + hashes[i].hex(), "votes": votes}
            for i, votes in enumerate(result.tallies)
        ],
        "turnout": result.turnout,
        "revealed": result.revealed,
        "unrevealed": result.unrevealed,
        "quorum": record.quorum,
        "quorum_met": result.quorum_met,
        "finalized": result.finalized,
    }


def _differences(recount: Recount) -> list[str]:
    stored = recount.stored
    found = [
        f"option {i}: the events count {ours}, the contract stores {theirs}"
        for i, (ours, theirs) in enumerate(zip_longest(recount.tallies, stored.tallies))
        if ours != theirs
    ]
    for name, ours, theirs in (
        ("turnout", recount.turnout, stored.turnout),
        ("revealed", recount.revealed, stored.revealed),
    ):
        if ours != theirs:
            found.append(f"{name}: the events count {ours}, the contract stores {theirs}")
    found.extend(f"{voter} was revealed more than once" for voter in recount.duplicate_voters)
    return found


@ballot.command()
@signed
@click.argument("election_id", type=ELECTION, metavar="ID")
@handle_errors
def recount(signer: Signer, election_id: int) -> None:
    """Recount from events: MATCH or MISMATCH.

    Rebuilds the tallies from the VoteCommitted and VoteRevealed events alone and compares
    them with the result the contract stores. Prints MATCH (exit code 0) or MISMATCH with the
    differences (exit code 1).
    """
    with _ballot(signer) as client:
        counted = client.recount(election_id)
    state = "final" if counted.stored.finalized else "running"
    click.echo(
        f"recount of election {election_id} from its VoteCommitted and VoteRevealed events, "
        f"against the contract's {state} result:"
    )
    click.echo(f"  {'':<10} {'EVENTS':>8} {'CONTRACT':>8}")
    lines = [
        (f"option {i}", ours, theirs)
        for i, (ours, theirs) in enumerate(zip_longest(counted.tallies, counted.stored.tallies))
    ]
    lines += [
        ("turnout", counted.turnout, counted.stored.turnout),
        ("revealed", counted.revealed, counted.stored.revealed),
    ]
    for name, ours, theirs in lines:
        mark = "  <- differs" if ours != theirs else ""
        click.echo(f"  {name:<10} {_count(ours):>8} {_count(theirs):>8}{mark}")
    differences = _differences(counted)
    if not differences:
        click.secho("MATCH", fg="green", bold=True)
        return
    click.secho("MISMATCH", fg="red", bold=True)
    for difference in differences:
        click.echo(f"  {difference}")
    sys.exit(1)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


@ballot.command("list")
@signed
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def list_elections(signer: Signer, as_json: bool) -> None:
    """Every election with its phase, ballots cast and revealed."""
    with _ballot(signer) as client:
        now = chain_now(client)
        rows = []
        for created in _created_events(client):
            election_id = int(created["electionId"])
            rows.append(
                (client.election(election_id), client.result(election_id), str(created["title"]))
            )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": record.id,
                        "title": title,
                        "phase": _phase(record, now),
                        "voter_count": record.voter_count,
                        "turnout": result.turnout,
                        "revealed": result.revealed,
                        "commit_start": record.commit_start,
                        "commit_end": record.commit_end,
                        "reveal_end": record.reveal_end,
                        "finalized": record.finalized,
                    }
                    for record, result, title in rows
                ]
            )
        )
        return
    if not rows:
        click.echo(f"no elections on {signer.network}")
        return
    click.echo(f"{'ID':>4}  {'PHASE':<10} {'CAST':>9} {'REVEALED':>9}  TITLE")
    for record, result, title in rows:
        cast = f"{result.turnout}/{record.voter_count}"
        click.echo(
            f"{record.id:>4}  {_phase(record, now):<10} {cast:>9} {result.revealed:>9}  {title}"
        )


@ballot.command()
@signed
@click.argument("role", type=click.Choice(ROLES, case_sensitive=False), metavar="ROLE")
@click.argument("address", type=ADDRESS)
@handle_errors
def grant(signer: Signer, role: str, address: str) -> None:
    """Grant ROLE on the ballot contract to ADDRESS (GOVERNANCE).

    ROLE: ELECTION_AUTHORITY_ROLE (granted by GOVERNANCE), or GOVERNANCE_ROLE,
    DEFAULT_ADMIN_ROLE (granted by DEFAULT_ADMIN).
    """
    with _ballot(signer) as client:
        announce(client.grant_role(role, address))
