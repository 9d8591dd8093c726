"""Deployment records: contents, idempotency, changed sources, stale records, existing contracts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from eth_utils import keccak

from conftest import make_project
from govchain import ConfigError, DeploymentError, StaleDeploymentError
from govchain.chain import Chain
from govchain.cli import main
from govchain.compiler import compile_project, load_artifact
from govchain.deploy import DeploymentRecord, code_matches_build, deploy_suite, stale_reasons, suite
from govchain.project import Project
from govchain.session import Session, registries

# govchain.yaml, in dependency order
SUITE = [
    "PaymentToken",
    "WelfareDisbursement",
    "Procurement",
    "LandRegistry",
    "Customs",
    "Ballot",
]


def _session(project: Project, chain: Chain) -> Session:
    errors, events = registries(project)
    return Session(project, chain, errors, events)


def _deploy(project: Project, chain: Chain, **kwargs: Any) -> Any:
    session = _session(project, chain)
    return deploy_suite(project, chain, session.sender, **kwargs)


def _edit_config(project: Project, change: Any) -> Project:
    path = project.root / "govchain.yaml"
    config = yaml.safe_load(path.read_text())
    change(config)
    path.write_text(yaml.safe_dump(config))
    return Project.load(project.root)


def test_deploy_records_everything_needed_to_verify_it(tmp_project: Project, chain: Chain) -> None:
    outcome = _deploy(tmp_project, chain)
    assert outcome.deployed == SUITE
    data = json.loads((tmp_project.deployments_dir / "local.json").read_text())
    assert data["chainId"] == 31337
    assert data["genesisHash"] == chain.genesis_hash
    entry = data["contracts"]["PaymentToken"]
    deployer = chain.deployer.address
    receipt = chain.w3.eth.get_transaction_receipt(entry["txHash"])
    assert receipt["contractAddress"] == entry["address"]
    assert receipt["blockNumber"] == entry["blockNumber"]
    assert entry["deployer"] == deployer
    assert entry["constructorArgs"] == ["Public Unit", "PUB", 2, deployer, deployer]
    assert entry["compiler"]["version"].startswith("0.8.37+commit.f401782d")
    assert entry["compiler"]["settings"]["evmVersion"] == "cancun"
    assert entry["sourceHash"].startswith("sha256:")
    code = bytes(chain.w3.eth.get_code(entry["address"]))
    assert entry["deployedBytecodeHash"] == "0x" + keccak(code).hex()
    assert entry["abi"] == "build/contracts/PaymentToken.json"


def test_second_deploy_with_nothing_changed_deploys_nothing(
    tmp_project: Project, chain: Chain
) -> None:
    first = _deploy(tmp_project, chain)
    height = chain.w3.eth.block_number
    second = _deploy(tmp_project, chain)
    assert second.deployed == [] and second.unchanged == SUITE
    assert chain.w3.eth.block_number == height
    assert second.record.address("PaymentToken") == first.record.address("PaymentToken")


def test_changed_sources_need_an_explicit_redeploy(
    tmp_path: Path, project: Project, chain: Chain
) -> None:
    own = make_project(tmp_path / "own", project, copy_contracts=True)
    first = _deploy(own, chain)
    source = own.contracts_dir / "common" / "PaymentToken.sol"
    source.write_text(source.read_text() + "\n// amended\n")
    with pytest.raises(DeploymentError, match="sources changed.*--redeploy PaymentToken"):
        _deploy(own, chain)
    # Customs is built on the token's address, so it must be named too.
    with pytest.raises(DeploymentError, match="constructor arguments changed.*--redeploy Customs"):
        _deploy(own, chain, redeploy=("PaymentToken",))
    again = _deploy(own, chain, redeploy=("PaymentToken", "Customs"))
    assert again.deployed == ["PaymentToken", "Customs"]
    assert again.record.address("PaymentToken") != first.record.address("PaymentToken")


def test_changed_constructor_arguments_need_an_explicit_redeploy(
    tmp_project: Project, chain: Chain
) -> None:
    _deploy(tmp_project, chain)
    treasury = chain.accounts[2].address
    changed = _edit_config(tmp_project, lambda c: c["roles"].update(treasury=treasury))
    with pytest.raises(DeploymentError, match="constructor arguments changed"):
        _deploy(changed, chain)
    # Customs takes the treasury too, and the new token's address.
    outcome = _deploy(changed, chain, redeploy=("PaymentToken", "Customs"))
    assert outcome.record.contracts["PaymentToken"].constructor_args[-1] == treasury
    assert outcome.record.contracts["Customs"].constructor_args[-1] == treasury


def test_record_of_a_reset_chain_is_stale_and_never_reused(
    tmp_project: Project, chain: Chain
) -> None:
    snapshot = chain.rpc("evm_snapshot")
    _deploy(tmp_project, chain)
    chain.rpc("evm_revert", snapshot)  # the devnet forgets the deployment
    with pytest.raises(StaleDeploymentError, match="PaymentToken: no code at") as info:
        _deploy(tmp_project, chain)
    assert "--reset" in str(info.value)
    fresh = _deploy(tmp_project, chain, reset=True)
    assert fresh.deployed == SUITE
    assert stale_reasons(fresh.record, chain) == []


def test_record_with_another_genesis_or_chain_id_is_stale(
    tmp_project: Project, chain: Chain
) -> None:
    _deploy(tmp_project, chain)
    path = tmp_project.deployments_dir / "local.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "genesisHash": "0x" + "11" * 32}))
    with pytest.raises(StaleDeploymentError, match="genesis block differs"):
        _deploy(tmp_project, chain)
    path.write_text(json.dumps({**data, "chainId": 5}))
    with pytest.raises(StaleDeploymentError, match="chain id 5"):
        _deploy(tmp_project, chain)


def test_existing_contract_is_adopted_instead_of_deployed(
    tmp_project: Project, chain: Chain
) -> None:
    address = _deploy(tmp_project, chain).record.address("PaymentToken")
    (tmp_project.deployments_dir / "local.json").unlink()
    adopted = _edit_config(
        tmp_project, lambda c: c["networks"].update(local={"existing": {"PaymentToken": address}})
    )
    outcome = _deploy(adopted, chain)
    assert sorted(outcome.deployed) == sorted(SUITE[1:])
    entry = outcome.record.contracts["PaymentToken"]
    assert entry.existing and entry.address == address and entry.tx_hash is None


def test_existing_address_without_code_is_refused(tmp_project: Project, chain: Chain) -> None:
    empty = chain.accounts[7].address
    adopted = _edit_config(
        tmp_project, lambda c: c["networks"].update(local={"existing": {"PaymentToken": empty}})
    )
    with pytest.raises(DeploymentError, match=f"{empty} has no code"):
        _deploy(adopted, chain)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["contracts"]["PaymentToken"].update(args=["$nobody"]),
            r"unknown reference \$nobody",
        ),
        (
            lambda c: c["contracts"]["PaymentToken"].update(args=["$roles.mayor"]),
            r"\$roles.mayor is not defined",
        ),
        (lambda c: c["contracts"]["PaymentToken"].update(args="PUB"), "args must be a list"),
    ],
)
def test_bad_configuration_is_named(
    tmp_project: Project, chain: Chain, change: Any, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _deploy(_edit_config(tmp_project, change), chain)


def test_suite_orders_contracts_after_those_they_reference(tmp_project: Project) -> None:
    def add(config: dict[str, Any]) -> None:
        config["contracts"] = {
            "Registry": {"contract": "PaymentToken", "args": ["$Token"]},
            "Token": {"contract": "PaymentToken", "args": []},
        }

    assert [s.name for s in suite(_edit_config(tmp_project, add))] == ["Token", "Registry"]

    def cycle(config: dict[str, Any]) -> None:
        config["contracts"] = {"A": {"args": ["$B"]}, "B": {"args": ["$A"]}}

    with pytest.raises(ConfigError, match="cycle"):
        suite(_edit_config(tmp_project, cycle))


def test_redeploy_of_an_unknown_contract_is_refused(tmp_project: Project, chain: Chain) -> None:
    with pytest.raises(ConfigError, match="--redeploy Nope: not a contract of the suite"):
        _deploy(tmp_project, chain, redeploy=("Nope",))


def test_code_matches_build_detects_foreign_code(tmp_project: Project, chain: Chain) -> None:
    record = _deploy(tmp_project, chain).record
    entry = record.contracts["PaymentToken"]
    assert code_matches_build(tmp_project, chain, entry) is True
    chain.rpc("anvil_setCode", entry.address, "0x6000")
    assert code_matches_build(tmp_project, chain, entry) is False


# -- the command line, against the session's anvil advertised as the project's devnet ----------


def test_cli_deploy_then_status_confirms_code_matches_build(devnet_project: Project) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["deploy", "--network", "local"])
    assert first.exit_code == 0, first.output
    assert "deployed PaymentToken at 0x" in first.output
    second = runner.invoke(main, ["deploy", "--network", "local"])
    assert f"Nothing to deploy: {len(SUITE)} contracts unchanged on local" in second.output
    status = runner.invoke(main, ["status", "--network", "local"])
    assert status.exit_code == 0, status.output
    address = DeploymentRecord.load(devnet_project, "local").address("PaymentToken")  # type: ignore[union-attr]
    assert f"PaymentToken        {address}  code matches build" in status.output
    assert "chain id  31337" in status.output


def test_cli_status_flags_a_stale_record_and_exits_non_zero(
    devnet_project: Project, chain: Chain
) -> None:
    runner = CliRunner()
    snapshot = chain.rpc("evm_snapshot")
    assert runner.invoke(main, ["deploy"]).exit_code == 0
    chain.rpc("evm_revert", snapshot)
    status = runner.invoke(main, ["status"])
    assert status.exit_code == 2
    assert "STALE" in status.output and "no code at" in status.output
    deploy = runner.invoke(main, ["deploy"])
    assert deploy.exit_code == 1
    assert "is stale" in deploy.output and "--reset" in deploy.output


def test_deploy_artifact_abi_reference_loads(tmp_project: Project, chain: Chain) -> None:
    record = _deploy(tmp_project, chain).record
    abi_path = tmp_project.root / record.contracts["PaymentToken"].abi
    assert (
        json.loads(abi_path.read_text())["abi"] == load_artifact(tmp_project, "PaymentToken")["abi"]
    )
    assert compile_project(tmp_project).cached
