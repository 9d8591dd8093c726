"""The testnet path: a keystore deploys to a non-dev chain id through the CLI, nothing unlocked.

The node is a separate anvil with a public testnet's chain id (Sepolia's) and no dev accounts at
all (``--accounts 0``): if anything fell back to the node's unlocked accounts it would fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import ROOT
from govchain.accounts import (
    DEV_CHAIN_IDS,
    KEYSTORE_DIR_ENV,
    PASSWORD_ENV,
    KeystoreEntry,
    dev_accounts,
    new_keystore,
    save_keystore,
)
from govchain.chain import AnvilProcess, _web3_http, start_anvil
from govchain.cli import main
from govchain.deploy import DeploymentRecord
from govchain.project import Project
from govchain.verification import bundles_dir

SEPOLIA = 11155111
PASSWORD = "correct horse battery staple"
SUITE = ["PaymentToken", "WelfareDisbursement", "Procurement", "LandRegistry", "Customs", "Ballot"]


@pytest.fixture(scope="module")
def testnet(project: Project) -> Iterator[AnvilProcess]:
    assert SEPOLIA not in DEV_CHAIN_IDS
    process = start_anvil(project, chain_id=SEPOLIA, extra_args=("--accounts", "0"))
    yield process
    process.stop()


def _rpc(url: str, method: str, *params: Any) -> Any:
    response = _web3_http(url).provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


def _fund(url: str, address: str) -> None:
    _rpc(url, "anvil_setBalance", address, hex(10**20))


@pytest.fixture
def keystores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "keystores"
    monkeypatch.setenv(KEYSTORE_DIR_ENV, str(directory))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)  # the CLI would otherwise prompt for it
    return directory


@pytest.fixture
def agency(keystores: Path, testnet: AnvilProcess) -> KeystoreEntry:
    """A fresh keystore account, funded the way a faucet would."""
    entry = new_keystore("agency", PASSWORD)
    assert entry.path.parent == keystores
    _fund(testnet.url, entry.address)
    return entry


@pytest.fixture
def in_project(tmp_project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("GOVCHAIN_PROJECT", str(tmp_project.root))
    return tmp_project


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_keystore_deploys_the_suite_to_a_testnet_and_status_confirms_the_code(
    in_project: Project, agency: KeystoreEntry, testnet: AnvilProcess
) -> None:
    url = testnet.url
    start = _web3_http(url).eth.block_number
    deploy = _cli("deploy", "--network", url, "--account", "agency")
    assert deploy.exit_code == 0, deploy.output
    for name in SUITE:
        assert f"deployed {name} at 0x" in deploy.output

    w3 = _web3_http(url)
    assert list(w3.eth.accounts) == []  # the node has no unlocked account to fall back on
    senders = {
        tx["from"]  # type: ignore[call-overload]  # full transactions, not hashes
        for number in range(start + 1, w3.eth.block_number + 1)
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]
    }
    assert senders == {agency.address}
    assert w3.eth.get_transaction_count(agency.address) == len(SUITE)  # type: ignore[arg-type]

    record = DeploymentRecord.load(in_project, url)
    assert record is not None and record.chain_id == SEPOLIA
    assert record.path(in_project, url).parent == in_project.deployments_dir
    assert {e.deployer for e in record.contracts.values()} == {agency.address}
    bundles = bundles_dir(in_project, url)
    assert bundles.is_relative_to(in_project.deployments_dir)
    assert sorted(p.name for p in bundles.iterdir()) == sorted(SUITE)
    customs = json.loads((bundles / "Customs" / "verification.json").read_text())
    assert (customs["chainId"], customs["address"], customs["deployer"]) == (
        SEPOLIA,
        record.address("Customs"),
        agency.address,
    )
    # The repository's own deployments/ is untouched.
    assert not list((ROOT / "deployments").glob("http_127.0.0.1_*"))

    status = _cli("status", "--network", url, "--account", "agency")
    assert status.exit_code == 0, status.output
    assert f"chain id  {SEPOLIA}" in status.output
    assert f"account   {agency.address}" in status.output
    for name in SUITE:
        assert f"{record.address(name)}  code matches build" in status.output


def test_development_key_is_refused_on_a_testnet_chain_id(
    in_project: Project, keystores: Path, testnet: AnvilProcess
) -> None:
    dev = save_keystore("dev", dev_accounts()[0].key, PASSWORD)
    _fund(testnet.url, dev.address)  # refused for being public, not for being broke
    before = _web3_http(testnet.url).eth.block_number
    deploy = _cli("deploy", "--network", testnet.url, "--account", "dev")
    assert deploy.exit_code == 1, deploy.output
    assert f"account {dev.address} is a public development key" in deploy.output
    assert f"refusing to sign on chain id {SEPOLIA}" in deploy.output
    assert "Traceback" not in deploy.output
    assert _web3_http(testnet.url).eth.block_number == before
    assert DeploymentRecord.load(in_project, testnet.url) is None


def test_named_network_from_govchain_yaml_adopts_an_existing_token(
    in_project: Project,
    agency: KeystoreEntry,
    testnet: AnvilProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A token some treasury already runs on the testnet: here, one the agency deployed earlier.
    assert _cli("deploy", "--network", testnet.url, "--account", "agency").exit_code == 0
    first = DeploymentRecord.load(in_project, testnet.url)
    assert first is not None
    token = first.address("PaymentToken")

    monkeypatch.setenv("SEPOLIA_RPC_URL", testnet.url)
    path = in_project.root / "govchain.yaml"
    config = yaml.safe_load(path.read_text())
    config["networks"]["sepolia"] = {
        "rpc_url": "${SEPOLIA_RPC_URL}",
        "account": "agency",
        "confirmations": 1,
        "existing": {"PaymentToken": token},
    }
    path.write_text(yaml.safe_dump(config))

    deploy = _cli("deploy", "--network", "sepolia")
    assert deploy.exit_code == 0, deploy.output
    assert "deployed PaymentToken" not in deploy.output
    record = DeploymentRecord.load(Project.load(in_project.root), "sepolia")
    assert record is not None
    assert (in_project.deployments_dir / "sepolia.json").is_file()
    assert record.contracts["PaymentToken"].existing
    assert record.contracts["Customs"].constructor_args[1] == token
    bundles = in_project.deployments_dir / "sepolia" / "verify"
    assert sorted(p.name for p in bundles.iterdir()) == sorted(SUITE[1:])
    args = (bundles / "Customs" / "constructor-args.txt").read_text()
    assert token[2:].lower() in args

    status = _cli("status", "--network", "sepolia")
    assert status.exit_code == 0, status.output
    assert f"{token}  existing contract (not deployed by govchain)" in status.output
    assert f"{record.address('Customs')}  code matches build" in status.output
