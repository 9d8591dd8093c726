"""Verification bundles compile ALONE to the deployed code; their arguments match the deploy tx."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from conftest import make_project
from govchain import DeploymentError
from govchain.chain import Chain
from govchain.cli_verify import verify_bundle
from govchain.compiler import load_artifact
from govchain.deploy import DeploymentRecord, deploy_suite
from govchain.project import Project
from govchain.session import Session, registries
from govchain.verification import (
    bundles_dir,
    constructor_types,
    encode_constructor_args,
    write_bundle,
    write_bundles,
)

SUITE = ["PaymentToken", "WelfareDisbursement", "Procurement", "LandRegistry", "Customs", "Ballot"]

# solcjs with NO import callback: a source missing from the bundle fails the compile instead of
# being found in node_modules, so a pass proves the bundle is self-contained.
SOLCJS = """
const solc = require(process.argv[1]);
const inputs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {};
for (const [name, input] of Object.entries(inputs)) out[name] = JSON.parse(solc.compile(input));
process.stdout.write(JSON.stringify(out));
"""


def _compile_alone(project: Project, inputs: dict[str, str], cwd: Path) -> dict[str, Any]:
    solc = project.node_modules / "solc"
    done = subprocess.run(
        ["node", "-e", SOLCJS, str(solc)],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _record(project: Project) -> DeploymentRecord:
    record = DeploymentRecord.load(project, "local")
    assert record is not None
    return record


def _bundle_file(project: Project, name: str, file: str) -> Path:
    return bundles_dir(project, "local") / name / file


def test_every_bundle_compiles_alone_to_the_deployed_runtime_code(
    suite_session: Session, tmp_path: Path
) -> None:
    project, chain = suite_session.project, suite_session.chain
    record = _record(project)
    assert sorted(p.name for p in bundles_dir(project, "local").iterdir()) == sorted(SUITE)
    inputs = {n: _bundle_file(project, n, "standard-input.json").read_text() for n in SUITE}
    empty = tmp_path / "nothing-to-import"
    empty.mkdir()
    outputs = _compile_alone(project, inputs, empty)
    immutables_seen = 0
    for name in SUITE:
        output = outputs[name]
        assert [e for e in output.get("errors", []) if e["severity"] == "error"] == [], name
        description = json.loads(_bundle_file(project, name, "verification.json").read_text())
        path, contract = description["contract"].split(":")
        compiled = output["contracts"][path][contract]
        entry = record.contracts[name]
        on_chain = bytes(chain.w3.eth.get_code(entry.address))  # type: ignore[arg-type]
        # Immutables are written by the constructor: take those bytes from the chain, and
        # everything else, the CBOR metadata tail included, must be identical.
        rebuilt = bytearray.fromhex(compiled["evm"]["deployedBytecode"]["object"])
        for refs in compiled["evm"]["deployedBytecode"]["immutableReferences"].values():
            for ref in refs:
                start, end = ref["start"], ref["start"] + ref["length"]
                assert rebuilt[start:end] == bytes(ref["length"])
                rebuilt[start:end] = on_chain[start:end]
                immutables_seen += 1
        assert bytes(rebuilt) == on_chain, name
        # The metadata file is the one the code's tail commits to, byte for byte.
        assert compiled["metadata"] == _bundle_file(project, name, "metadata.json").read_text()
        # Creation code + the constructor-args file is exactly what the deployer sent.
        tx = chain.w3.eth.get_transaction(entry.tx_hash)  # type: ignore[arg-type]
        args = _bundle_file(project, name, "constructor-args.txt").read_text()
        assert bytes(tx["input"]).hex() == compiled["evm"]["bytecode"]["object"] + args, name
    assert immutables_seen > 0  # Customs keeps its token and treasury in immutables


def test_constructor_args_file_decodes_to_the_recorded_args(suite_session: Session) -> None:
    project = suite_session.project
    record = _record(project)
    deployer = suite_session.chain.deployer.address
    for name in SUITE:
        entry = record.contracts[name]
        types = constructor_types(load_artifact(project, entry.contract)["abi"])
        text = _bundle_file(project, name, "constructor-args.txt").read_text()
        assert not text.startswith("0x") and re.fullmatch(r"[0-9a-f]*", text)
        decoded = [
            to_checksum_address(v) if t == "address" else v
            for t, v in zip(types, decode(types, bytes.fromhex(text)), strict=True)
        ]
        assert decoded == entry.constructor_args, name
    token = record.address("PaymentToken")
    customs = _bundle_file(project, "Customs", "constructor-args.txt").read_text()
    assert decode(["address", "address", "address"], bytes.fromhex(customs)) == (
        deployer.lower(),
        token.lower(),
        deployer.lower(),
    )


def test_description_names_what_the_explorer_form_asks(suite_session: Session) -> None:
    project = suite_session.project
    entry = _record(project).contracts["Customs"]
    data = json.loads(_bundle_file(project, "Customs", "verification.json").read_text())
    assert data["contract"] == "contracts/Customs.sol:Customs"
    assert re.fullmatch(r"v0\.8\.37\+commit\.[0-9a-f]{8}", data["compilerVersion"])
    assert data["optimizer"] == {"enabled": True, "runs": 200}
    assert data["evmVersion"] == "cancun"
    assert data["license"] == "MIT"  # the SPDX line of contracts/Customs.sol
    assert (data["address"], data["chainId"], data["txHash"]) == (
        entry.address,
        31337,
        entry.tx_hash,
    )
    assert (
        data["constructorArguments"]
        == _bundle_file(project, "Customs", "constructor-args.txt").read_text()
    )
    standard = json.loads(_bundle_file(project, "Customs", "standard-input.json").read_text())
    metadata = json.loads(_bundle_file(project, "Customs", "metadata.json").read_text())
    assert set(standard["sources"]) == set(metadata["sources"])
    for source, info in metadata["sources"].items():
        content = standard["sources"][source]["content"].encode()
        assert "0x" + keccak(content).hex() == info["keccak256"]


def test_unchanged_deployment_keeps_its_bundle_and_a_redeploy_rewrites_it(
    suite_session: Session,
) -> None:
    project, chain = suite_session.project, suite_session.chain
    record = _record(project)
    assert not any(b.written for b in write_bundles(project, record))
    outcome = deploy_suite(project, chain, suite_session.sender, redeploy=("Ballot",))
    data = json.loads(_bundle_file(project, "Ballot", "verification.json").read_text())
    assert data["address"] == outcome.record.address("Ballot") != record.address("Ballot")


def test_bundle_of_a_contract_that_left_the_record_is_removed(suite_session: Session) -> None:
    project = suite_session.project
    record = _record(project)
    del record.contracts["Ballot"]
    write_bundles(project, record)
    assert not (bundles_dir(project, "local") / "Ballot").exists()
    assert (bundles_dir(project, "local") / "Customs" / "verification.json").is_file()


def test_existing_contract_gets_no_bundle(suite_session: Session) -> None:
    project = suite_session.project
    record = _record(project)
    record.contracts["PaymentToken"].existing = True
    names = [b.name for b in write_bundles(project, record, overwrite=True)]
    assert "PaymentToken" not in names and "Customs" in names


def test_source_edited_after_compiling_is_refused(
    tmp_path: Path, project: Project, chain: Chain
) -> None:
    own = make_project(tmp_path / "own", project, copy_contracts=True)
    errors, events = registries(own)
    deploy_suite(own, chain, Session(own, chain, errors, events).sender)
    source = own.root / "contracts" / "Ballot.sol"
    source.write_text(source.read_text() + "\n// edited after compiling\n")
    with pytest.raises(
        DeploymentError, match=r"contracts/Ballot.sol changed since it was compiled"
    ):
        write_bundle(own, _record(own), "Ballot")


def test_record_args_that_do_not_fit_the_constructor_are_refused() -> None:
    abi = [{"type": "constructor", "inputs": [{"name": "admin", "type": "address"}]}]
    with pytest.raises(
        DeploymentError, match="record has 2 constructor arguments, the ABI takes 1"
    ):
        encode_constructor_args(abi, ["0x" + "11" * 20, 5])


def test_bytes_and_arrays_are_encoded_from_their_recorded_hex() -> None:
    abi = [
        {
            "type": "constructor",
            "inputs": [{"name": "root", "type": "bytes32"}, {"name": "ids", "type": "uint8[]"}],
        }
    ]
    encoded = encode_constructor_args(abi, ["0x" + "ab" * 32, [1, 2]])
    assert decode(["bytes32", "uint8[]"], encoded) == (bytes.fromhex("ab" * 32), (1, 2))


def test_cli_verify_bundle_writes_missing_bundles_from_the_record(suite_session: Session) -> None:
    project = suite_session.project
    shutil.rmtree(bundles_dir(project, "local"))
    result = CliRunner().invoke(verify_bundle, ["--network", "local"])
    assert result.exit_code == 0, result.output
    assert "wrote deployments/local/verify/Customs" in result.output
    assert _bundle_file(project, "Customs", "standard-input.json").is_file()
    again = CliRunner().invoke(verify_bundle, ["--network", "local"])
    assert "kept  deployments/local/verify/Customs" in again.output
    missing = CliRunner().invoke(verify_bundle, ["--network", "sepolia"])
    assert missing.exit_code == 1
    assert "no deployment record for sepolia" in missing.output
