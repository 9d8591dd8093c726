"""Verification bundles: what a public explorer needs to show a deployed contract's source.

For each contract ``govchain deploy`` deploys, ``deployments/<network>/verify/<Name>/`` holds:

- ``standard-input.json``: a solc standard-JSON input (every source with its contents, the
  settings) that compiles to the deployed runtime code, CBOR metadata tail included. Etherscan
  and Blockscout take it as "Solidity (Standard-Json-Input)", Sourcify's v2 API as
  ``stdJsonInput``.
- ``metadata.json``: the compiler's metadata, byte for byte (its IPFS hash is in the code's tail).
- ``constructor-args.txt``: the ABI-encoded constructor arguments, hex without ``0x``.
- ``verification.json``: contract ``path:Name``, the long compiler version (``v0.8.37+commit…``),
  optimizer, EVM version, licence, address, chain id, deployment transaction.

The sources are those the contract's metadata lists, not the project's whole compile: that is
the input Sourcify rebuilds from the metadata, it yields the same bytecode (tests compile it
alone with solcjs), and it keeps each bundle to the files an auditor has to read. Each content
is checked against the metadata's keccak-256, so a source edited since compiling is refused
rather than published under a hash that does not match.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govchain.compiler import load_artifact, load_manifest, sources_digest
from govchain.deploy import ContractRecord, DeploymentRecord
from govchain.errors import DeploymentError
from govchain.project import Project

VERIFY_DIR = "verify"
STANDARD_INPUT = "standard-input.json"
METADATA = "metadata.json"
CONSTRUCTOR_ARGS = "constructor-args.txt"
DESCRIPTION = "verification.json"
BUNDLE_VERSION = 1


@dataclass(frozen=True)
class Bundle:
    """One contract's bundle on disk."""

    name: str
    directory: Path
    written: bool  # False: an existing bundle of the same deployment was kept

    @property
    def standard_input(self) -> Path:
        return self.directory / STANDARD_INPUT

    @property
    def metadata(self) -> Path:
        return self.directory / METADATA

    @property
    def constructor_args(self) -> Path:
        return self.directory / CONSTRUCTOR_ARGS

    @property
    def description(self) -> Path:
        return self.directory / DESCRIPTION


def bundles_dir(project: Project, network: str) -> Path:
    """``deployments/<network>/verify``, next to the record ``deployments/<network>.json``."""
    return DeploymentRecord.path(project, network).with_suffix("") / VERIFY_DIR


def write_bundles(
    project: Project, record: DeploymentRecord, *, overwrite: bool = False
) -> list[Bundle]:
    """Write a bundle for every contract govchain deployed in ``record``.

    A bundle already describing the same deployment (address and transaction) is kept unless
    ``overwrite``: it is the input of that deployment, and a later build of unrelated sources
    must not rewrite it. Bundles of contracts no longer in the record are removed.
    """
    root = bundles_dir(project, record.network)
    bundles = []
    for name, entry in record.contracts.items():
        if entry.existing:
            continue  # not compiled by us: its publisher verifies it
        directory = root / name
        if not overwrite and _describes(directory, entry):
            bundles.append(Bundle(name, directory, written=False))
            continue
        bundles.append(write_bundle(project, record, name))
    if root.is_dir():
        keep = {b.name for b in bundles}
        for directory in root.iterdir():
            # Only folders that are bundles: anything else there was put by someone else.
            if directory.name not in keep and (directory / DESCRIPTION).is_file():
                shutil.rmtree(directory)
    return bundles


def write_bundle(project: Project, record: DeploymentRecord, name: str) -> Bundle:
    """Write the bundle of suite member ``name`` (replacing any previous one atomically)."""
    entry = record.contracts[name]
    artifact = load_artifact(project, entry.contract)
    if entry.source_hash is not None and entry.source_hash != sources_digest(project, artifact):
        raise DeploymentError(
            f"{name}: the build in {project.build_dir.name}/ is not the one deployed at "
            f"{entry.address} (its sources changed); its bundle would not reproduce the code"
        )
    metadata_text: str = artifact["metadata"]
    metadata = json.loads(metadata_text)
    args = encode_constructor_args(artifact["abi"], entry.constructor_args)
    files = {
        STANDARD_INPUT: json.dumps(standard_input(project, metadata), indent=1) + "\n",
        METADATA: metadata_text,  # exactly as compiled: the code's tail commits to these bytes
        CONSTRUCTOR_ARGS: args.hex(),
        DESCRIPTION: json.dumps(describe(record, name, metadata, args), indent=2) + "\n",
    }
    directory = bundles_dir(project, record.network) / name
    partial = directory.with_name(f".{name}.partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    for filename, content in files.items():
        (partial / filename).write_text(content)
    if directory.exists():
        shutil.rmtree(directory)
    partial.rename(directory)  # a reader never sees half a bundle
    return Bundle(name, directory, written=True)


def standard_input(project: Project, metadata: dict[str, Any]) -> dict[str, Any]:
    """The standard-JSON input of the contract ``metadata`` describes, sources inlined."""
    from eth_utils import keccak

    manifest_settings = load_manifest(project)["settings"]
    sources = {}
    for source_name, info in sorted(metadata["sources"].items()):
        path = project.root / source_name
        if not path.is_file():
            raise DeploymentError(f"source {source_name} of the build is missing from {path}")
        content = path.read_bytes()
        if "0x" + keccak(content).hex() != info["keccak256"]:
            raise DeploymentError(
                f"{source_name} changed since it was compiled; run `govchain compile` "
                "(and redeploy) before writing a verification bundle"
            )
        sources[source_name] = {"content": content.decode()}
    target_path, target_name = next(iter(metadata["settings"]["compilationTarget"].items()))
    settings = {
        "optimizer": manifest_settings["optimizer"],
        "evmVersion": manifest_settings["evmVersion"],
        "remappings": manifest_settings.get("remappings", []),
        "metadata": metadata["settings"].get("metadata", {}),
        "libraries": metadata["settings"].get("libraries", {}),
        # Output selection changes neither code nor metadata; ask for what a verifier checks.
        "outputSelection": {
            target_path: {
                target_name: [
                    "abi",
                    "evm.bytecode.object",
                    "evm.deployedBytecode.object",
                    "evm.deployedBytecode.immutableReferences",
                    "metadata",
                ]
            }
        },
    }
    return {"language": metadata["language"], "sources": sources, "settings": settings}


def describe(
    record: DeploymentRecord, name: str, metadata: dict[str, Any], args: bytes
) -> dict[str, Any]:
    """``verification.json``: what an explorer's verification form asks for."""
    entry = record.contracts[name]
    target_path, target_name = next(iter(metadata["settings"]["compilationTarget"].items()))
    settings = metadata["settings"]
    return {
        "version": BUNDLE_VERSION,
        "name": name,
        "contract": f"{target_path}:{target_name}",
        "compilerVersion": "v" + metadata["compiler"]["version"],
        "optimizer": settings["optimizer"],
        "evmVersion": settings["evmVersion"],
        "license": metadata["sources"][target_path].get("license"),
        "network": record.network,
        "chainId": record.chain_id,
        "address": entry.address,
        "txHash": entry.tx_hash,
        "blockNumber": entry.block_number,
        "deployer": entry.deployer,
        "constructorArguments": args.hex(),
        "files": {
            "standardInput": STANDARD_INPUT,
            "metadata": METADATA,
            "constructorArguments": CONSTRUCTOR_ARGS,
        },
    }


def _describes(directory: Path, entry: ContractRecord) -> bool:
    try:
        data = json.loads((directory / DESCRIPTION).read_text())
    except (OSError, ValueError):
        return False
    return (
        data.get("address") == entry.address
        and data.get("txHash") == entry.tx_hash
        and all((directory / f).is_file() for f in (STANDARD_INPUT, METADATA, CONSTRUCTOR_ARGS))
    )


# -- constructor arguments ----------------------------------------------------------------------

_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")


def constructor_types(abi: list[dict[str, Any]]) -> list[str]:
    """The constructor's parameter types (none when the contract declares no constructor)."""
    for item in abi:
        if item.get("type") == "constructor":
            return [_abi_type(i) for i in item.get("inputs", [])]
    return []


def _abi_type(param: dict[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){kind.removeprefix('tuple')}"
    return kind


def encode_constructor_args(abi: list[dict[str, Any]], args: list[Any]) -> bytes:
    """ABI-encode the arguments as the deployment record keeps them (bytes as ``0x`` hex)."""
    from eth_abi import encode

    types = constructor_types(abi)
    if len(types) != len(args):
        raise DeploymentError(
            f"the record has {len(args)} constructor arguments, the ABI takes {len(types)}"
        )
    return encode(types, [_from_json(t, v) for t, v in zip(types, args, strict=True)])


def _from_json(kind: str, value: Any) -> Any:
    if match := _ARRAY.match(kind):
        return [_from_json(match.group(1), v) for v in value]
    if kind.startswith("("):
        inner = _split_tuple(kind[1:-1])
        return tuple(_from_json(t, v) for t, v in zip(inner, value, strict=True))
    if kind.startswith("bytes") and isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return value


def _split_tuple(inner: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p for p in parts if p]
