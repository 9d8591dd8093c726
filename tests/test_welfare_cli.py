"""`govchain welfare …` end to end on the test session's devnet."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from eth_account import Account

from govchain.chain import Chain
from govchain.cli import main
from govchain.project import Project
from govchain.session import Session, registries


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_agency_runs_a_round_from_the_command_line(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    manager, officer, payer = (chain.accounts[i].address for i in (1, 2, 4))
    _run("deploy")
    for role, who in [
        ("PROGRAMME_MANAGER_ROLE", manager),
        ("ELIGIBILITY_OFFICER_ROLE", officer),
        ("PAYER_ROLE", payer),
    ]:
        _run("welfare", "grant", role, who)
    # The treasury (account 0, the devnet token's minter) funds the programme.
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    token, welfare = session.contract("PaymentToken"), session.contract("WelfareDisbursement")
    treasury = chain.accounts[0].address
    session.sender.transact(token.functions.mint(treasury, 10**9))
    session.sender.transact(token.functions.approve(welfare.address, 10**9))

    people = [Account.create().address for _ in range(30)]
    csv = tmp_path / "march.csv"
    csv.write_text("address,amount\n" + "".join(f"{a},{i + 1}.50\n" for i, a in enumerate(people)))
    built = _run(
        "welfare", "build-round", str(csv), "--out", str(tmp_path / "round"), "--decimals", "2"
    )
    assert built.startswith("30 beneficiaries, total 48000, root 0x")
    created = _run(
        "welfare",
        "create-programme",
        "--name",
        "Food aid",
        "--funding",
        treasury,
        "--manager",
        manager,
        "--officer",
        officer,
    )
    assert "programme 1 created" in created
    assert "round 1 proposed" in _run(
        "welfare", "propose-round", "1", str(tmp_path / "round"), "--dev-account", "2"
    )
    _run("welfare", "publish-round", "1", "--days", "30", "--dev-account", "1")
    assert "Claimed" in _run("welfare", "claim", "1", str(tmp_path / "round"), "--index", "0")
    paid = _run(
        "welfare",
        "batch-pay",
        "1",
        str(tmp_path / "round"),
        "--batch-size",
        "20",
        "--dev-account",
        "4",
    )
    assert paid.strip() == "paid 29 in 2 transactions; 1 were already settled"
    report = json.loads(_run("welfare", "report", "1", "--json"))
    assert report["funded"] == report["claimed"] == 48000
    assert report["balanced"] is True and report["unclaimed_indexes"] == []
    assert token.functions.balanceOf(people[29]).call() == 3050


def test_welfare_errors_are_one_line_and_name_the_contract_error(
    devnet_project: Project, chain: Chain
) -> None:
    _run("deploy")
    one = chain.accounts[1].address
    result = CliRunner().invoke(
        main,
        [
            "welfare",
            "create-programme",
            "--name",
            "x",
            "--funding",
            one,
            "--manager",
            one,
            "--officer",
            one,
        ],
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: WelfareDisbursement: WelfareSameOfficial(account=")
