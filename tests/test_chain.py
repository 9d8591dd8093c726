"""Network backends: embedded eth-tester, anvil (start, stop, restart with state), node reuse."""

from __future__ import annotations

import os

import pytest

from govchain import ConfigError
from govchain.chain import connect, local_state_file, running_node_url, serve_node
from govchain.compiler import load_artifact
from govchain.project import Project
from govchain.sender import Sender
from govchain.session import registries


def _deploy_token(chain: object, project: Project) -> str:
    errors, events = registries(project)
    sender = Sender(chain.w3, chain.deployer, errors=errors, events=events)  # type: ignore[attr-defined]
    artifact = load_artifact(project, "PaymentToken")
    admin = sender.address
    receipt = sender.deploy(
        artifact["bytecode"], artifact["abi"], "Public Unit", "PUB", 2, admin, admin
    )
    assert receipt.contract_address
    return receipt.contract_address


def test_embedded_chain_runs_in_process_with_funded_accounts(project: Project) -> None:
    with connect(project, "embedded") as chain:
        assert chain.anvil is None and chain.url is None
        assert len(chain.accounts) >= 2
        assert chain.w3.eth.get_balance(chain.deployer.address) > 10**18
        assert chain.is_devnet
        address = _deploy_token(chain, project)
        assert chain.w3.eth.get_code(address)


def test_local_devnet_keeps_state_across_restart_and_stops_by_pid(tmp_project: Project) -> None:
    chain = connect(tmp_project, "local")
    assert chain.anvil is not None
    pid = chain.anvil.pid
    address = _deploy_token(chain, tmp_project)
    genesis, height = chain.genesis_hash, chain.w3.eth.block_number
    chain.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert local_state_file(tmp_project).is_file()

    with connect(tmp_project, "local") as restarted:
        assert restarted.anvil is not None and restarted.anvil.pid != pid
        assert restarted.genesis_hash == genesis
        assert restarted.w3.eth.block_number == height
        assert restarted.w3.eth.get_code(address)


def test_deleting_the_state_file_gives_a_fresh_devnet(tmp_project: Project) -> None:
    with connect(tmp_project, "local") as chain:
        address = _deploy_token(chain, tmp_project)
    local_state_file(tmp_project).unlink()
    with connect(tmp_project, "local") as fresh:
        assert not fresh.w3.eth.get_code(address)
        assert fresh.w3.eth.block_number == 0


def test_commands_reuse_the_devnet_served_by_govchain_node(tmp_project: Project) -> None:
    anvil = serve_node(tmp_project)
    try:
        assert running_node_url(tmp_project) == anvil.url
        with connect(tmp_project, "local") as chain:
            assert chain.anvil is None  # nothing new was started
            assert chain.url == anvil.url
    finally:
        anvil.stop()
    assert running_node_url(tmp_project) is None


def test_unknown_network_name_is_a_config_error(tmp_project: Project) -> None:
    with pytest.raises(ConfigError, match="unknown network 'mainnet'"):
        connect(tmp_project, "mainnet")


def test_rpc_url_network_connects_without_signer_until_an_account_is_given(
    tmp_project: Project, anvil: object
) -> None:
    with connect(tmp_project, anvil.url) as chain:  # type: ignore[attr-defined]
        assert chain.chain_id == 31337
        assert chain.accounts == []
