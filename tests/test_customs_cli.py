"""`govchain customs …` end to end on the test session's devnet."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli_runner import GroupRunner
from govchain.chain import Chain
from govchain.cli import main
from govchain.cli_customs import TokenUnits, _read_declaration, _read_tariff
from govchain.clients.customs import CustomsInputError, DeclarationLine, TariffLine
from govchain.project import Project
from govchain.session import Session, registries

CLI = GroupRunner("customs")
_invoke, _run, _refused, _usage_error = CLI.invoke, CLI.run, CLI.refused, CLI.usage_error

DAY = 86_400
CARS, TEA = 870380, 90230
GERMANY, KENYA, CHINA = 276, 404, 156


def _travel(chain: Chain, seconds: int) -> None:
    """Move the devnet's clock forward (no waiting)."""
    chain.rpc("evm_increaseTime", seconds)
    chain.rpc("evm_mine")


def _now(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def _declaration(path: Path, lines: list[dict[str, Any]], **rest: Any) -> Path:
    path.write_text(json.dumps({"lines": lines, **rest}))
    return path


def test_customs_runs_from_the_command_line(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    treasury = chain.accounts[0].address  # the deployer is the devnet's treasury
    authority, registrar, officer, appeals = (chain.accounts[i].address for i in (1, 2, 3, 4))
    broker, trader, exporter, bank = (chain.accounts[i].address for i in (6, 7, 8, 9))
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    _run("grant", "TARIFF_AUTHORITY_ROLE", authority)
    _run("grant", "trader_registrar_role", registrar)  # role names are case-insensitive
    _run("grant", "CUSTOMS_OFFICER_ROLE", officer)
    _run("grant", "APPEALS_OFFICER_ROLE", appeals)
    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    token, customs = session.contract("PaymentToken"), session.contract("Customs")
    for who in (trader, broker, bank):
        session.sender.transact(token.functions.mint(who, 10**9))  # 10,000,000.00 PUB

    def balance(address: str) -> int:
        return int(token.functions.balanceOf(address).call())

    # The schedule: cars 10% (5% from Germany), tea free, VAT 16%, all from the next hour;
    # cars go up to 12% a month later.
    start = _now(chain) + 3_600
    later = start + 30 * DAY
    iso_start = datetime.fromtimestamp(start, UTC).isoformat()
    schedule = tmp_path / "tariff.csv"
    schedule.write_text(
        "hs_code,rate_bps,effective_from,origin\n"
        f"{CARS},1200,{later}\n"
        f"{CARS},1000,{start}\n"
        f"{CARS},500,{iso_start},{GERMANY}\n"
        "# tea is duty-free\n"
        f"0{TEA},0,{start}\n"
    )
    dry = _run("tariff", "load", schedule, "--dry-run", "--dev-account", "1")
    assert "dry run: nothing sent" in dry
    loaded = _run("tariff", "load", schedule, "--dev-account", "1").splitlines()
    assert loaded[0] == f"4 tariff line(s) from {schedule}; each takes effect:"
    # Sent in the order they take effect, whatever the CSV's order.
    assert [line.split(" from ")[0].split() for line in loaded[1:5]] == [
        ["HS", "870380", "all", "origins", "10.00%", "(1000", "bps)"],
        ["HS", "870380", "origin", "276", "5.00%", "(500", "bps)"],
        ["HS", "090230", "all", "origins", "0.00%", "(0", "bps)"],
        ["HS", "870380", "all", "origins", "12.00%", "(1200", "bps)"],
    ]
    assert loaded[1].endswith("(in 1h)") or loaded[1].endswith("(in 59m)")
    assert loaded[5].startswith("4 transactions in block(s) ")
    assert "VAT 16.00% (1600 bps) from " in _run(
        "tariff", "vat", "1600", "--from", start, "--dev-account", "1"
    )
    # A bad row is named by file and row before anything is sent.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{CARS},1000,{later}\n{TEA},0,1000\n")
    assert f"error: {bad}:2: effective_from 1000 must be after the chain's" in _refused(
        "tariff", "load", bad, "--dev-account", "1"
    )

    _travel(chain, 3_600 + 60)
    shown = _run("tariff", "show", CARS, "--origin", GERMANY)
    assert "  duty  5.00% (500 bps), preferential rate for origin 276" in shown
    assert "  VAT   16.00% (1600 bps) on customs value plus duty" in shown
    assert "  duty  12.00% (1200 bps), general rate" in _run(
        "tariff", "show", CARS, "--origin", CHINA, "--at", later + 1
    )

    registration = tmp_path / "registration.pdf"
    registration.write_bytes(b"%PDF trader licence 7")
    assert f"{trader}: registered trader" in _run(
        "trader", "register", trader.lower(), "--document", registration, "--dev-account", "2"
    )

    # Preview, then file: the preview is exactly the contract's assessment.
    lines = [
        {"hs_code": CARS, "origin": GERMANY, "customs_value": "25000.00", "quantity": 1},
        {"hs_code": str(CARS), "origin": CHINA, "customs_value": "18000.50", "quantity": 1},
        {"hs_code": f"0{TEA}", "origin": KENYA, "customs_value": "1234.57", "quantity": 400},
    ]
    declaration = _declaration(tmp_path / "declaration.json", lines, invoice="INV-2026-0042")
    preview = json.loads(_run("preview", declaration, "--json"))
    assert [(r["rate_bps"], r["preferential"]) for r in preview["lines"]] == [
        (500, True),
        (1000, False),
        (0, False),
    ]
    assert [(r["duty"], r["vat"]) for r in preview["lines"]] == [
        (125_000, 420_000),  # 25,000.00 × 5%; (25,000.00 + 1,250.00) × 16%
        (180_005, 316_808),  # rounded down per line
        (0, 19_753),
    ]
    assert (preview["duty"], preview["vat"], preview["total"]) == (305_005, 756_561, 1_061_566)

    filed = _run("file", declaration, "--dev-account", "7")
    assert filed.startswith(f"declaration 1 filed by {trader}, assessed:")
    assert "5.00% preferential" in filed and "  due   10,615.66 PUB" in filed
    record = json.loads(_run("show", "1", "--json"))
    assert (record["duty"], record["vat"]) == (preview["duty"], preview["vat"])
    assert record["status"] == "Assessed" and record["due"] == preview["total"]
    assert [line["customs_value"] for line in record["lines"]] == [2_500_000, 1_800_050, 123_457]

    # Goods stay until paid: the revert is shown by name, never as a traceback.
    assert _refused("release", "1").startswith("error: Customs: CustomsNotPaid(declarationId=1)")
    # A stranger may not pay, and is refused before any approval is sent.
    stranger = _refused("pay", "1", "--dev-account", "9")
    assert stranger.startswith(
        f"error: Customs: CustomsNotAuthorizedPayer(declarationId=1, account='{bank}')"
    )
    assert token.functions.allowance(bank, customs.address).call() == 0

    # A bank escrows the price for the exporter, paid once the goods are released.
    opened = _run(
        "escrow", "open", "1", "--exporter", exporter, "--amount", "50000",
        "--deadline", "30d", "--dev-account", "9",
    )  # fmt: skip
    assert f"escrow 1 opened: 50,000.00 PUB for {exporter} once declaration 1's" in opened
    assert _refused("escrow", "claim", "1").startswith(
        "error: Customs: CustomsNotReleased(escrowId=1, status='Assessed')"
    )

    # The trader's broker pays exactly what is due, straight to the treasury.
    assert f"{broker} may pay the declarations of {trader}" in _run(
        "broker", "authorize", broker, "--dev-account", "7"
    )
    treasury_before, broker_before = balance(treasury), balance(broker)
    paid = _run("pay", "1", "--dev-account", "6")
    assert f"declaration 1: 10,615.66 PUB paid to the treasury {treasury}" in paid
    assert balance(treasury) == treasury_before + 1_061_566
    assert balance(broker) == broker_before - 1_061_566
    assert token.functions.allowance(broker, customs.address).call() == 0

    assert "declaration 1: goods released" in _run("release", "1", "--dev-account", "9")
    exporter_before = balance(exporter)
    assert f"escrow 1: 50,000.00 PUB paid to the exporter {exporter}" in _run(
        "escrow", "claim", "1"
    )
    assert balance(exporter) == exporter_before + 5_000_000

    # A declaration in smallest units is held for inspection, paid, then released by an officer.
    tea = [{"hs_code": TEA, "origin": KENYA, "customs_value": 123_457, "quantity": 400}]
    ambiguous = _declaration(tmp_path / "tea.json", tea)
    refused = _refused("file", ambiguous, "--dev-account", "7")
    assert f"error: {ambiguous}: declaration line 1 (lines[0]): customs_value must be a" in refused
    tea_file = _declaration(tmp_path / "tea-units.json", tea, value_units="smallest")
    assert "declaration 2 filed" in _run("file", tea_file, "--dev-account", "7")
    assert "goods held for inspection (reason 7)" in _run(
        "hold", "2", "--reason", "7", "--dev-account", "3"
    )
    assert "197.53 PUB paid" in _run("pay", "2", "--dev-account", "7")
    assert "neededRole='CUSTOMS_OFFICER_ROLE'" in _refused("release", "2", "--dev-account", "7")
    assert "declaration 2: goods released" in _run("release", "2", "--dev-account", "3")

    # A declaration amended, reassessed by an officer, held and seized: its escrow goes back.
    one_car = _declaration(tmp_path / "one-car.json", lines[:1])
    _run("file", declaration, "--dev-account", "7")
    amended = _run("amend", "3", one_car, "--dev-account", "7")
    assert amended.startswith("declaration 3 amended, assessed:")
    assert "  due   5,450.00 PUB" in amended
    overridden = _run(
        "override", "3", "--duty", "2500", "--vat", "4400.00", "--reason", "12",
        "--dev-account", "3",
    )  # fmt: skip
    assert "duty 1,250.00 PUB → 2,500.00 PUB, VAT 4,200.00 PUB → 4,400.00 PUB" in overridden
    _run(
        "escrow", "open", "3", "--exporter", exporter, "--amount", "100",
        "--deadline", "30d", "--dev-account", "9",
    )  # fmt: skip
    _run("hold", "3", "--reason", "9", "--dev-account", "3")
    assert "goods seized (reason 9)" in _run("seize", "3", "--reason", "9", "--dev-account", "3")
    bank_before = balance(bank)
    assert f"escrow 2: 100.00 PUB returned to the funder {bank}" in _run("escrow", "refund", "2")
    assert balance(bank) == bank_before + 10_000

    # An appeal upheld: the treasury funds the refund pool, the trader gets the difference.
    grounds = tmp_path / "grounds.txt"
    grounds.write_text("The Chinese car qualifies for the preferential rate.\n")
    _run("appeal", "1", "--document", grounds, "--dev-account", "7")
    short = _refused(
        "decide", "1", "--uphold", "--duty", "2000", "--vat", "7000", "--dev-account", "4"
    )
    assert short.startswith("error: Customs: CustomsRefundPoolShort(needed=161566, available=0)")
    broke = _refused("refund-pool", "fund", "5000", "--dev-account", "4")  # holds no PUB
    assert broke.startswith(f"error: PUB: ERC20InsufficientBalance(sender='{appeals}', balance=0, ")
    assert token.functions.allowance(appeals, customs.address).call() == 0  # nothing approved
    assert "it holds 5,000.00 PUB" in _run("refund-pool", "fund", "5000")
    trader_before = balance(trader)
    upheld = _run(
        "decide", "1", "--uphold", "--duty", "2000", "--vat", "7000", "--reason", "3",
        "--dev-account", "4",
    )  # fmt: skip
    assert f"1,615.66 PUB refunded to {trader}" in upheld
    assert balance(trader) == trader_before + 161_566
    usage = _invoke("decide", "1", "--dismiss")
    assert usage.exit_code == 2 and "--dismiss needs a --reason" in usage.output

    report = json.loads(_run("statement", trader, "--json"))
    assert report["trader"] == trader and report["token"]["decimals"] == 2
    assert [(d["id"], d["status"]) for d in report["declarations"]] == [
        (1, "Released"),
        (2, "Released"),
        (3, "Seized"),
    ]
    first = report["declarations"][0]
    assert (first["duty"], first["vat"], first["paid"], first["refunded"]) == (
        200_000,
        700_000,
        1_061_566,
        161_566,
    )
    assert report["declarations"][2]["lines"] == [
        {"hs_code": CARS, "origin": GERMANY, "customs_value": 2_500_000, "quantity": 1}
    ]
    assert report["total_paid"] == 1_061_566 + 19_753
    assert report["total_refunded"] == 161_566
    text = _run("statement", trader)
    assert text.startswith(f"statement of {trader}: 3 declaration(s)")
    assert "  net      9,197.53 PUB" in text


def test_input_files_are_refused_naming_the_file_and_row(tmp_path: Path) -> None:
    pub = TokenUnits("0x" + "00" * 20, "PUB", 2)
    declaration = tmp_path / "declaration.json"

    def refusal(document: Any) -> str:
        declaration.write_text(json.dumps(document))
        with pytest.raises(CustomsInputError) as caught:
            _read_declaration(declaration, pub)
        return str(caught.value)

    line = {"hs_code": CARS, "origin": GERMANY, "customs_value": "25000.00", "quantity": 2}
    declaration.write_text("\ufeff" + json.dumps({"lines": [line]}))  # a BOM is harmless here
    assert _read_declaration(declaration, pub) == [DeclarationLine(CARS, GERMANY, 2_500_000, 2)]
    where = f"{declaration}: declaration line 2 (lines[1])"
    assert refusal({"lines": [line, {**line, "customs_value": 25000.5}]}).startswith(
        f"{where}: customs_value must be a string of PUB units"
    )
    assert refusal({"lines": [line, {**line, "customs_value": "1.005"}]}) == (
        f"{where}: customs_value: 1.005 has more than 2 decimals (PUB)"
    )
    assert refusal({"lines": [line, {**line, "customs_value": "0"}]}).startswith(
        f"{where}: customs_value 0 must be more than zero"
    )
    assert refusal({"lines": [line, {**line, "origin": 0}]}) == (
        f"{where}: origin 0 is not between 1 and 999"
    )
    assert (
        refusal({"lines": [line, {"hs_code": CARS}]}) == f"{where}: missing origin, customs_value"
    )
    smallest = {"value_units": "smallest", "lines": [{**line, "customs_value": "25000.00"}]}
    assert "customs_value (smallest units) must be an integer" in refusal(smallest)
    assert refusal({"lines": []}) == f"{declaration}: a declaration has 1 to 50 lines, not 0"

    schedule = tmp_path / "tariff.csv"
    schedule.write_text(f"\ufeff{CARS},1000,2000000000\n")  # a spreadsheet's BOM
    assert _read_tariff(schedule, 1_900_000_000) == [TariffLine(CARS, 1000, 2_000_000_000)]
    schedule.write_text(
        f"hs_code,rate_bps,effective_from\n{CARS},1000,2000000000\n12,5,2030-01-01\n"
    )
    with pytest.raises(CustomsInputError, match=r"tariff.csv:3: HS code 12 does not have six"):
        _read_tariff(schedule, 1_900_000_000)
    schedule.write_text(f"{CARS},1000,2000000000\n{CARS},900,2000000000\n")
    with pytest.raises(CustomsInputError, match=r"tariff.csv:2: row 1 already sets HS 870380"):
        _read_tariff(schedule, 1_900_000_000)


def test_declaration_numbers_must_be_whole(tmp_path: Path) -> None:
    from govchain.clients.customs import CustomsInputError, load_declaration

    for bad in (25000.5, True, None):
        path = tmp_path / "declaration.json"
        line = {"hs_code": 870380, "origin": 276, "customs_value": bad, "quantity": 1}
        path.write_text(json.dumps({"lines": [line]}))
        with pytest.raises(CustomsInputError, match="customs_value must be a whole number"):
            load_declaration(path)
