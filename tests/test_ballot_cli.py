"""`govchain ballot …` end to end on the test session's devnet."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_runner import GroupRunner
from govchain.chain import Chain
from govchain.cli import main
from govchain.cli_ballot import _document_labels
from govchain.clients.ballot import BallotClient, Recount
from govchain.project import Project

CLI = GroupRunner("ballot")
_invoke, _run, _refused, _usage_error = CLI.invoke, CLI.run, CLI.refused, CLI.usage_error

DAY = 86_400


def _tallies(results: str) -> dict[str, int]:
    """The option rows of `results`: name (with its label, if known) → votes."""
    rows = [line.strip().rsplit(None, 1) for line in results.splitlines()]
    return {row[0].strip(): int(row[1]) for row in rows if row and row[0].startswith("option ")}


def _travel(chain: Chain, seconds: int) -> None:
    """Move the devnet's clock forward (no waiting)."""
    chain.rpc("evm_increaseTime", seconds)
    chain.rpc("evm_mine")


def test_an_election_runs_from_the_command_line(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    accounts = [a.address for a in chain.accounts]
    authority, relayer = accounts[1], accounts[2]
    v3, v4, v5, v6, v7, v8 = accounts[3:9]
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    _run("grant", "election_authority_role", authority)  # role names are case-insensitive

    # The authority builds the roll from a CSV (header, any case), then a corrected one.
    first_csv = tmp_path / "voters.csv"
    first_csv.write_text("address\n" + "\n".join(a.lower() for a in (v3, v4, v5, v6, v7)) + "\n")
    built = _run("build-roll", first_csv, "--out", tmp_path / "roll-1")
    assert built.startswith("5 voters, root 0x")
    assert "first line 'address' read as a header, not a voter" in built
    assert json.loads((tmp_path / "roll-1" / "tree.json").read_text())["format"] == "standard-v1"
    refused = _refused("build-roll", first_csv, "--out", tmp_path / "roll-1")
    assert "tree.json already exists" in refused
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(f"{v3}\nnot-an-address\n")
    assert f"error: {bad_csv}: voter 2: 'not-an-address' is not an address" in _refused(
        "build-roll", bad_csv, "--out", tmp_path / "bad"
    )
    # As a spreadsheet saves it: with a byte-order mark, which must not hide the first voter.
    roll_csv = tmp_path / "voters-corrected.csv"
    roll_csv.write_text("\n".join((v3, v4, v5, v6, v7, v8)) + "\n", encoding="utf-8-sig")
    roll = tmp_path / "roll"
    assert _run("build-roll", roll_csv, "--out", roll).startswith("6 voters, root 0x")
    proof_v4 = roll / "proofs" / f"{v4}.json"
    assert json.loads(proof_v4.read_text())["voter"] == v4

    document = tmp_path / "referendum.md"
    document.write_text(
        "# Referendum on the new library\n\nShould the city build it?\n\n"
        "1. Yes\n2. No\n3. Abstain\n"
    )
    options = ("--option", "Yes", "--option", "No", "--option", "Abstain")
    windows = ("--commit-start", "1d", "--commit-end", "8d", "--reveal-end", "11d")
    title = ("--title", "Referendum on the new library", "--document", document)
    one_option = _usage_error(
        "create", "--dev-account", "1", *title, "--roll", roll, "--option", "Yes", *windows
    )
    assert "an election needs 2 to 64 options, got 1" in one_option
    not_authority = _refused(
        "create", *title, "--roll", roll, *options, *windows, "--dev-account", "3"
    )
    assert "error: Ballot: AccessControlUnauthorizedAccount(" in not_authority
    created = _run(
        "create",
        "--dev-account",
        "1",
        *title,
        "--roll",
        tmp_path / "roll-1",
        *options,
        *windows,
        "--quorum",
        "3",
    )
    assert created.startswith("election 1 created: Referendum on the new library\n")
    assert "options  0 Yes, 1 No, 2 Abstain" in created
    assert "(in 1d)" in created and "(in 8d)" in created and "(in 11d)" in created
    replaced = _run("replace-roll", "1", "--roll", roll, "--dev-account", "1")
    assert replaced.startswith("election 1: roll replaced, 6 voters, root 0x")

    # Too early: the contract refuses by name, and the receipt it would have needed is removed.
    early = tmp_path / "early.json"
    too_early = _refused(
        "vote", "1", "--choice", "0", "--roll", roll, "--receipt", early, "--dev-account", "3"
    )
    assert "error: Ballot: BallotOutsideWindow(electionId=1, " in too_early
    assert f"the ballot was not committed; removed {early}" in too_early
    assert not early.exists()
    # The old roll is not the election's any more: refused before anything is kept or sent.
    stale = _refused(
        "vote", "1", "--choice", "0", "--roll", tmp_path / "roll-1", "--dev-account", "3"
    )
    assert "is not election 1's (root 0x" in stale and "was the roll replaced?" in stale

    _travel(chain, DAY + 60)
    voted = _run("vote", "1", "--choice", "0", "--roll", roll, "--dev-account", "3")
    v3_receipt = devnet_project.state_dir / "ballots" / "local" / f"election-1-{v3}.json"
    assert f"sealed ballot for option 0 committed on election 1; receipt kept in {v3_receipt}" in (
        voted
    )
    assert "the ONLY way to reveal your vote" in voted
    assert "your vote can NEVER be revealed and will NEVER be counted" in voted
    assert stat.S_IMODE(v3_receipt.stat().st_mode) == 0o600
    v4_first = tmp_path / "v4-first.json"
    _run(
        "vote",
        "1",
        "--option",
        "No",
        "--proof",
        proof_v4,
        "--receipt",
        v4_first,
        "--dev-account",
        "4",
    )
    assert json.loads(v4_first.read_text())["choice"] == 1
    _run("vote", "1", "--option", "Abstain", "--roll", roll / "tree.json", "--dev-account", "5")
    _run("vote", "1", "--choice", "0", "--roll", roll, "--dev-account", "6")  # never revealed

    # Voting again: the receipt file of the first vote is never overwritten.
    before = v4_first.read_bytes()
    overwrite = _refused(
        "vote", "1", "--choice", "0", "--roll", roll, "--receipt", v4_first, "--dev-account", "4"
    )
    assert f"{v4_first} already exists" in overwrite and "--receipt" in overwrite
    assert v4_first.read_bytes() == before
    v4_last = tmp_path / "v4-last.json"
    revote = _run(
        "vote", "1", "--option", "Yes", "--roll", roll, "--receipt", v4_last, "--dev-account", "4"
    )
    assert "it replaces your earlier ballot: only this receipt can reveal your vote now" in revote

    # Bad ballots are refused before anything is kept or sent.
    assert "has options 0 to 2" in _usage_error(
        "vote", "1", "--choice", "3", "--roll", roll, "--receipt", tmp_path / "x", "-n", "local"
    )
    assert "no option labelled 'yes'" in _usage_error(
        "vote", "1", "--option", "yes", "--roll", roll, "--receipt", tmp_path / "x"
    )
    assert "exactly one of --roll DIR, --proof FILE" in _usage_error(
        "vote", "1", "--choice", "0", "--receipt", tmp_path / "x"
    )
    assert f"is {v4}'s proof but you sign as {v3}" in _refused(
        "vote",
        "1",
        "--choice",
        "0",
        "--proof",
        proof_v4,
        "--receipt",
        tmp_path / "x",
        "--dev-account",
        "3",
    )
    assert f"{accounts[9]} is not on this roll" in _refused(
        "vote",
        "1",
        "--choice",
        "0",
        "--roll",
        roll,
        "--receipt",
        tmp_path / "x",
        "--dev-account",
        "9",
    )
    assert not (tmp_path / "x").exists()

    # Voter 7 votes without ether: signs, and the relayer (account 2) submits and pays the gas.
    signed = tmp_path / "v7-signed.json"
    v7_receipt = tmp_path / "v7.json"
    v7_balance = chain.w3.eth.get_balance(v7)
    relayer_balance = chain.w3.eth.get_balance(relayer)
    out = _run(
        "sign-vote",
        "1",
        "--option",
        "No",
        "--proof",
        roll / "proofs" / f"{v7}.json",
        "--receipt",
        v7_receipt,
        "--out",
        signed,
        "--dev-account",
        "7",
    )
    assert "sealed ballot on election 1 signed (a first ballot, relay by " in out
    assert "the ONLY way to reveal your vote" in out
    data = json.loads(signed.read_text())
    assert "salt" not in data  # nothing secret for the relayer
    assert data["previous"] == "0x" + "00" * 32 and "nonce" not in data
    relayed = _run("relay", signed, "--dev-account", "2")
    assert f"{v7}'s sealed ballot committed on election 1; gas paid by {relayer}" in relayed
    assert chain.w3.eth.get_balance(v7) == v7_balance
    assert chain.w3.eth.get_balance(relayer) < relayer_balance
    # The signature is good once: it names the ballot it replaces, and that one is gone.
    stale_signature = f"error: Ballot: BallotStaleSignature(electionId=1, voter='{v7}')"
    assert stale_signature in _refused("relay", signed, "--dev-account", "2")

    # Voter 7 signs two more ballots over the relayed one; once one of them is relayed, the
    # other (withheld, say by a coercer) no longer applies.
    first_commitment = json.loads(v7_receipt.read_text())["commitment"]
    signatures: dict[str, Path] = {}
    for name, option in (("withheld", "Yes"), ("second", "No")):
        signatures[name] = tmp_path / f"v7-{name}-signed.json"
        out = _run(
            "sign-vote",
            "1",
            "--option",
            option,
            "--proof",
            roll / "proofs" / f"{v7}.json",
            "--receipt",
            tmp_path / f"v7-{name}.json",
            "--out",
            signatures[name],
            "--dev-account",
            "7",
        )
        assert "signed (replacing your current ballot, relay by " in out
        assert json.loads(signatures[name].read_text())["previous"] == first_commitment
    relayed = _run("relay", signatures["second"], "--dev-account", "2")
    assert f"committed on election 1, replacing their earlier ballot; gas paid by {relayer}" in (
        relayed
    )
    assert stale_signature in _refused("relay", signatures["withheld"], "--dev-account", "9")
    assert chain.w3.eth.get_balance(v7) == v7_balance
    v7_receipt = tmp_path / "v7-second.json"  # the ballot that counts

    # Too late: voting has closed.
    _travel(chain, 7 * DAY)
    late = _refused("vote", "1", "--choice", "2", "--roll", roll, "--dev-account", "8")
    assert "error: Ballot: BallotOutsideWindow(electionId=1, " in late

    # Reveals: anyone may send a voter's receipt. The first receipt of voter 4 is void.
    void = _refused("reveal", "--receipt", v4_first, "--dev-account", "4")
    assert "BallotCommitmentMismatch(electionId=1, " in void
    assert "only the last one counts" in void
    revealed = _run("reveal", "--receipt", v3_receipt, "--dev-account", "3")
    assert f"{v3}'s ballot on election 1 revealed and counted for option 0" in revealed
    _run("reveal", "--receipt", v4_last, "--dev-account", "2")
    _run("reveal", "--receipt", v7_receipt, "--dev-account", "7")
    v5_receipt = devnet_project.state_dir / "ballots" / "local" / f"election-1-{v5}.json"
    _run("reveal", "--receipt", v5_receipt)

    running = _run("results", "1")
    assert "tallies (running, not final):" in running
    assert _tallies(running) == {"option 0": 2, "option 1": 1, "option 2": 1}  # no labels given
    assert "phase      Revealing" in running
    assert "BallotRevealNotOver(electionId=1, " in _refused("finalize", "1")

    _travel(chain, 3 * DAY)
    final = _run("finalize", "1", "--dev-account", "9")
    assert final.startswith(
        "election 1 finalised: 4 ballot(s) counted of 5 cast, 1 never revealed; quorum met\n"
    )
    assert "option 0: 2, option 1: 1, option 2: 1" in final

    text = _run("results", "1", "--document", document)
    assert "phase      Final" in text and "tallies (final):" in text
    assert _tallies(text) == {"option 0 (Yes)": 2, "option 1 (No)": 1, "option 2 (Abstain)": 1}
    assert "turnout 5 of 6: 4 revealed, 1 not revealed" in text
    assert "quorum  3 revealed ballot(s): met" in text
    data = json.loads(_run("results", "1", "--json", *options))
    assert [(o["label"], o["votes"]) for o in data["options"]] == [
        ("Yes", 2),
        ("No", 1),
        ("Abstain", 1),
    ]
    assert (data["turnout"], data["revealed"], data["unrevealed"]) == (5, 4, 1)
    assert data["finalized"] is True and data["quorum_met"] is True

    assert _run("check", "1", "--voter", v4, "--document", document) == (
        f"{v4}: your vote was counted for option 0 (Yes)\n"
    )
    assert _run("check", "1", "--voter", v7.lower()) == (
        f"{v7}: your vote was counted for option 1\n"
    )
    assert _run("check", "1", "--voter", v6) == (
        f"{v6}: not counted (a sealed ballot was committed but never revealed)\n"
    )
    assert _run("check", "1", "--dev-account", "8") == f"{v8}: not counted (no ballot was cast)\n"

    recount = _run("recount", "1")
    assert recount.endswith("MATCH\n")
    assert "  option 0          2        2\n" in recount
    assert "  turnout           5        5\n" in recount

    listing = _run("list").splitlines()
    assert listing[1].split()[:4] == ["1", "Final", "5/6", "4"]
    assert listing[1].endswith("  Referendum on the new library")

    # A view that reverts is decoded too.
    assert _refused("results", "9").startswith("error: Ballot: BallotUnknownElection(electionId=9)")


def test_recount_reports_a_mismatch_with_exit_code_1(
    devnet_project: Project, chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored result that the events do not support is a MISMATCH, listed and exit code 1."""
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    _run("grant", "ELECTION_AUTHORITY_ROLE", chain.accounts[0].address)
    voters = tmp_path / "voters.csv"
    voters.write_text(chain.accounts[3].address + "\n")
    _run("build-roll", voters, "--out", tmp_path / "roll")
    document = tmp_path / "question.json"
    document.write_text(json.dumps({"question": "Extend the park?", "options": ["Yes", "No"]}))
    _run(
        "create",
        "--title",
        "Park",
        "--document",
        document,
        "--roll",
        tmp_path / "roll",
        "--option",
        "Yes",
        "--option",
        "No",
        "--commit-start",
        "1h",
        "--commit-end",
        "2h",
        "--reveal-end",
        "3h",
    )
    honest = BallotClient.recount

    def tampered(self: BallotClient, election_id: int) -> Recount:
        counted = honest(self, election_id)
        stored = replace(counted.stored, tallies=[1, 0], revealed=1)
        return replace(counted, stored=stored)

    monkeypatch.setattr(BallotClient, "recount", tampered)
    result = _invoke("recount", "1")
    assert result.exit_code == 1, result.output
    assert "MISMATCH\n" in result.output
    assert "  option 0: the events count 0, the contract stores 1\n" in result.output
    assert "  revealed: the events count 0, the contract stores 1\n" in result.output
    assert "  option 0          0        1  <- differs\n" in result.output


def test_option_labels_are_found_in_election_documents(tmp_path: Path) -> None:
    markdown = tmp_path / "doc.md"
    markdown.write_text("Question?\n- Yes, build it\n(b) No\nOption 3: Abstain\n")
    found = _document_labels(markdown)
    assert {"Yes, build it", "No", "Abstain"} <= set(found)
    as_json = tmp_path / "doc.json"
    as_json.write_text(json.dumps({"options": [{"label": "Oui"}, {"label": "Non"}]}))
    assert {"Oui", "Non"} <= set(_document_labels(as_json))
    binary = tmp_path / "doc.pdf"
    binary.write_bytes(b"%PDF-1.7\xff\xfe")
    assert _document_labels(binary) == []
