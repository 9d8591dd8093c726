"""Deploy the suite described in ``govchain.yaml`` and record it in ``deployments/<network>.json``.

Next to the record, ``deployments/<network>/verify/`` gets each contract's verification bundle
(:mod:`govchain.verification`).

Deploying is idempotent: a contract whose sources and constructor arguments are unchanged, and
whose record still matches the chain, is left alone. Changed sources need an explicit
``redeploy``; a record whose chain was reset is reported stale and never silently reused.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govchain.chain import EMBEDDED
from govchain.compiler import (
    compile_project,
    load_artifact,
    load_manifest,
    mask_immutables,
    sources_digest,
)
from govchain.errors import ConfigError, DeploymentError, StaleDeploymentError
from govchain.project import Project

if TYPE_CHECKING:
    from govchain.chain import Chain
    from govchain.sender import Sender

RECORD_VERSION = 1


@dataclass
class ContractRecord:
    """Where one contract of the suite lives on one network, and how it got there."""

    contract: str
    address: str
    tx_hash: str | None
    block_number: int | None
    block_hash: str | None
    deployer: str | None
    constructor_args: list[Any]
    compiler: dict[str, Any]
    source_hash: str | None
    deployed_bytecode_hash: str
    abi: str
    existing: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContractRecord:
        return cls(
            contract=data["contract"],
            address=data["address"],
            tx_hash=data.get("txHash"),
            block_number=data.get("blockNumber"),
            block_hash=data.get("blockHash"),
            deployer=data.get("deployer"),
            constructor_args=list(data.get("constructorArgs", [])),
            compiler=dict(data.get("compiler", {})),
            source_hash=data.get("sourceHash"),
            deployed_bytecode_hash=data["deployedBytecodeHash"],
            abi=data["abi"],
            existing=bool(data.get("existing", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {_camel(k): v for k, v in asdict(self).items()}


@dataclass
class DeploymentRecord:
    """``deployments/<network>.json``."""

    network: str
    chain_id: int
    genesis_hash: str
    contracts: dict[str, ContractRecord] = field(default_factory=dict)

    @classmethod
    def path(cls, project: Project, network: str) -> Path:
        safe = network.replace("://", "_").replace("/", "_").replace(":", "_")
        return project.deployments_dir / f"{safe}.json"

    @classmethod
    def load(cls, project: Project, network: str) -> DeploymentRecord | None:
        path = cls.path(project, network)
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text())
            return cls(
                network=data["network"],
                chain_id=int(data["chainId"]),
                genesis_hash=data["genesisHash"],
                contracts={
                    name: ContractRecord.from_json(entry)
                    for name, entry in data.get("contracts", {}).items()
                },
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DeploymentError(f"{path} is not a valid deployment record: {exc}") from exc

    def save(self, project: Project) -> Path:
        path = self.path(project, self.network)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": RECORD_VERSION,
            "network": self.network,
            "chainId": self.chain_id,
            "genesisHash": self.genesis_hash,
            "contracts": {name: c.to_json() for name, c in self.contracts.items()},
        }
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(path)  # atomic: a crash never leaves half a record
        return path

    def address(self, name: str) -> str:
        if name not in self.contracts:
            raise DeploymentError(f"{name} is not deployed on {self.network}")
        return self.contracts[name].address


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# -- checking a record against its chain --------------------------------------------------------


def _code_hash(code: bytes) -> str:
    from eth_utils import keccak

    return "0x" + keccak(code).hex()


def stale_reasons(record: DeploymentRecord, chain: Chain) -> list[str]:
    """Why ``record`` no longer describes ``chain`` (empty when it still does)."""
    if record.chain_id != chain.chain_id:
        return [
            f"the record is for chain id {record.chain_id}, the node is chain id {chain.chain_id}"
        ]
    if record.genesis_hash != chain.genesis_hash:
        return [
            f"genesis block differs ({record.genesis_hash[:10]}… recorded, "
            f"{chain.genesis_hash[:10]}… on chain): the chain was reset"
        ]
    reasons = []
    for name, entry in record.contracts.items():
        code = bytes(chain.w3.eth.get_code(entry.address))  # type: ignore[arg-type]
        if not code:
            reasons.append(f"{name}: no code at {entry.address} (devnet reset?)")
            continue
        if _code_hash(code) != entry.deployed_bytecode_hash:
            reasons.append(f"{name}: code at {entry.address} differs from the recorded code")
            continue
        if entry.block_number is not None and entry.block_hash is not None:
            try:
                block = chain.w3.eth.get_block(entry.block_number)
            except Exception:  # noqa: BLE001 - BlockNotFound and provider variants
                block = None
            if block is None or "0x" + bytes(block["hash"]).hex() != entry.block_hash:
                reasons.append(
                    f"{name}: deployment block {entry.block_number} is no longer on the chain"
                )
    return reasons


def require_fresh(record: DeploymentRecord, chain: Chain, project: Project) -> None:
    reasons = stale_reasons(record, chain)
    if reasons:
        path = DeploymentRecord.path(project, record.network)
        raise StaleDeploymentError(
            f"{path.relative_to(project.root)} is stale:\n  - "
            + "\n  - ".join(reasons)
            + f"\nIt will not be reused. Run `govchain deploy --network {record.network} --reset` "
            "to discard it and deploy afresh."
        )


def code_matches_build(project: Project, chain: Chain, entry: ContractRecord) -> bool | None:
    """Does the on-chain code equal the local build (immutables masked)? None: no artifact."""
    try:
        artifact = load_artifact(project, entry.contract)
    except Exception:  # noqa: BLE001 - a contract removed from the build
        return None
    code = bytes(chain.w3.eth.get_code(entry.address))  # type: ignore[arg-type]
    local = bytes.fromhex(artifact["deployedBytecode"][2:])
    return len(code) == len(local) and mask_immutables(code, artifact) == mask_immutables(
        local, artifact
    )


# -- the suite configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSpec:
    name: str
    contract: str
    args: tuple[Any, ...]


def suite(project: Project) -> list[ContractSpec]:
    """The configured contracts in dependency order (a contract after those it references)."""
    raw = project.config.get("contracts") or {}
    if not isinstance(raw, dict):
        raise ConfigError("govchain.yaml: `contracts` must be a mapping of name → settings")
    specs = {}
    for name, entry in raw.items():
        entry = entry or {}
        args = entry.get("args", [])
        if not isinstance(args, list):
            raise ConfigError(f"govchain.yaml: contracts.{name}.args must be a list")
        specs[name] = ContractSpec(name, str(entry.get("contract", name)), tuple(args))
    ordered: list[ContractSpec] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(s.name == name for s in ordered):
            return
        if name in visiting:
            raise ConfigError(f"govchain.yaml: contracts reference each other in a cycle at {name}")
        visiting.add(name)
        for arg in specs[name].args:
            if isinstance(arg, str) and arg.startswith("$") and arg[1:] in specs:
                visit(arg[1:])
        visiting.discard(name)
        ordered.append(specs[name])

    for name in specs:
        visit(name)
    return ordered


def _resolve(
    value: Any, *, chain: Chain, project: Project, network: str, addresses: dict[str, str]
) -> Any:
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    ref = value[1:]
    if ref == "deployer":
        return chain.deployer.address
    if ref.startswith("roles."):
        role = ref.removeprefix("roles.")
        roles = {
            **(project.config.get("roles") or {}),
            **(project.network_config(network).get("roles") or {}),
        }
        if role not in roles:
            raise ConfigError(f"govchain.yaml: {value} is not defined under `roles`")
        return _resolve(
            roles[role], chain=chain, project=project, network=network, addresses=addresses
        )
    if ref in addresses:
        return addresses[ref]
    raise ConfigError(f"govchain.yaml: unknown reference {value}")


# -- deploying ---------------------------------------------------------------------------------


@dataclass
class DeployOutcome:
    record: DeploymentRecord
    deployed: list[str]
    unchanged: list[str]
    path: Path


def deploy_suite(
    project: Project,
    chain: Chain,
    sender: Sender,
    *,
    redeploy: tuple[str, ...] = (),
    reset: bool = False,
    save: bool = True,
) -> DeployOutcome:
    """Deploy what is missing or asked for; verify and keep the rest."""
    compile_project(project)
    manifest = load_manifest(project)
    specs = suite(project)
    known = {s.name for s in specs}
    for name in redeploy:
        if name not in known:
            raise ConfigError(
                f"--redeploy {name}: not a contract of the suite ({', '.join(sorted(known))})"
            )
    network = chain.name
    if network == EMBEDDED:
        reset = True  # an in-process chain is born with the process: any old record is moot
    record = DeploymentRecord.load(project, network)
    if record is not None and not reset:
        require_fresh(record, chain, project)
    if record is None or reset:
        record = DeploymentRecord(network, chain.chain_id, chain.genesis_hash)
    existing = project.network_config(network).get("existing") or {}
    addresses: dict[str, str] = {}
    deployed, unchanged = [], []
    for spec in specs:
        artifact = load_artifact(project, spec.contract)
        if spec.name in existing:
            addresses[spec.name] = _adopt_existing(
                project, chain, record, spec, existing[spec.name]
            )
            unchanged.append(spec.name)
            continue
        args = [
            _resolve(a, chain=chain, project=project, network=network, addresses=addresses)
            for a in spec.args
        ]
        source = sources_digest(project, artifact)
        current = record.contracts.get(spec.name)
        if current is not None and spec.name not in redeploy:
            changes = []
            if current.source_hash != source or current.contract != spec.contract:
                changes.append("its sources changed")
            if current.constructor_args != _jsonable(args):
                changes.append("its constructor arguments changed")
            if not changes:
                addresses[spec.name] = current.address
                unchanged.append(spec.name)
                continue
            raise DeploymentError(
                f"{spec.name} at {current.address}: {' and '.join(changes)} since it was deployed; "
                f"pass --redeploy {spec.name} to deploy a new instance"
            )
        receipt = sender.deploy(artifact["bytecode"], artifact["abi"], *args)
        assert receipt.contract_address is not None
        code = bytes(chain.w3.eth.get_code(receipt.contract_address))  # type: ignore[arg-type]
        record.contracts[spec.name] = ContractRecord(
            contract=spec.contract,
            address=receipt.contract_address,
            tx_hash=receipt.tx_hash,
            block_number=receipt.block_number,
            block_hash=receipt.block_hash,
            deployer=sender.address,
            constructor_args=_jsonable(args),
            compiler={
                "version": manifest["compiler"]["version"],
                "settings": _deploy_settings(manifest),
            },
            source_hash=source,
            deployed_bytecode_hash=_code_hash(code),
            abi=f"build/contracts/{spec.contract}.json",
        )
        addresses[spec.name] = receipt.contract_address
        deployed.append(spec.name)
        if save:  # record each contract as soon as it exists: a crash mid-suite loses nothing
            record.save(project)
    for name in list(record.contracts):
        if name not in known:
            del record.contracts[name]
    path = record.save(project) if save else DeploymentRecord.path(project, network)
    if save:
        from govchain.verification import write_bundles  # deferred: it imports this module

        write_bundles(project, record)
    return DeployOutcome(record, deployed, unchanged, path)


def _adopt_existing(
    project: Project, chain: Chain, record: DeploymentRecord, spec: ContractSpec, address: str
) -> str:
    from eth_utils import is_address, to_checksum_address

    if not is_address(address):
        raise ConfigError(
            f"networks.{chain.name}.existing.{spec.name}: {address!r} is not an address"
        )
    address = to_checksum_address(address)
    code = bytes(chain.w3.eth.get_code(address))
    if not code:
        raise DeploymentError(f"{spec.name}: configured existing address {address} has no code")
    record.contracts[spec.name] = ContractRecord(
        contract=spec.contract,
        address=address,
        tx_hash=None,
        block_number=None,
        block_hash=None,
        deployer=None,
        constructor_args=[],
        compiler={},
        source_hash=None,
        deployed_bytecode_hash=_code_hash(code),
        abi=f"build/contracts/{spec.contract}.json",
        existing=True,
    )
    return address


def _deploy_settings(manifest: dict[str, Any]) -> dict[str, Any]:
    settings = dict(manifest["settings"])
    settings.pop("outputSelection", None)
    return settings


def _jsonable(values: list[Any]) -> list[Any]:
    """The arguments as they read back from the JSON record (bytes as hex)."""
    text = json.dumps(values, default=lambda v: "0x" + v.hex() if isinstance(v, bytes) else str(v))
    result: list[Any] = json.loads(text)
    return result
