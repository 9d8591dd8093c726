"""Is a deployed contract the published source? An exact match, as Sourcify calls it.

The runtime code on the chain is compared byte for byte with the local build of the recorded
sources, *including* the CBOR metadata tail solc appends: that tail holds the IPFS hash of the
contract's metadata JSON, and the metadata holds the keccak-256 of every source file and the
exact compiler settings. So an exact match proves the very sources, not merely code that
behaves alike; a match with only the tail differing is a *partial* match (same code, some
source detail such as a comment differs).

Immutable variables are the one part of runtime code that is not known at compile time: the
constructor writes their values (a token address, a chain id…) into the code at deployment,
and the build holds zeros there. Those byte ranges, listed by the compiler, are masked on both
sides before comparing, and their on-chain values are shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govchain.chain import Chain
from govchain.compiler import load_artifact, load_manifest, mask_immutables, sources_digest
from govchain.deploy import ContractRecord
from govchain.project import Project
from govchain.revert import _canonical_type

IPFS_CHUNK = 262_144  # IPFS's default chunk: a file up to this size is one block
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# -- the CBOR metadata tail ---------------------------------------------------------------------


def split_metadata(code: bytes) -> tuple[bytes, bytes]:
    """``(code before the tail, the tail with its two length bytes)``; no tail: ``(code, b"")``."""
    if len(code) < 2:
        return code, b""
    length = int.from_bytes(code[-2:], "big")
    if length == 0 or length + 2 > len(code):
        return code, b""
    return code[: -(length + 2)], code[-(length + 2) :]


@dataclass(frozen=True)
class MetadataTail:
    """The decoded CBOR tail: metadata hash (IPFS or Swarm) and compiler version."""

    raw: str
    ipfs: str | None = None
    bzzr0: str | None = None
    bzzr1: str | None = None
    solc: str | None = None
    experimental: bool = False
    error: str | None = None

    @property
    def metadata_hash(self) -> str | None:
        return self.ipfs or self.bzzr1 or self.bzzr0

    def as_dict(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "ipfs": self.ipfs,
            "bzzr0": self.bzzr0,
            "bzzr1": self.bzzr1,
            "solc": self.solc,
            "experimental": self.experimental,
            "error": self.error,
        }


def decode_tail(tail: bytes) -> MetadataTail | None:
    """Decode the CBOR map solc appends to runtime code (None when there is no tail)."""
    import cbor2

    if not tail:
        return None
    raw = "0x" + tail.hex()
    try:
        data = cbor2.loads(tail[:-2])
    except (cbor2.CBORError, ValueError, EOFError) as exc:
        return MetadataTail(raw, error=f"not CBOR: {exc}")
    if not isinstance(data, dict):
        return MetadataTail(raw, error="the tail is CBOR but not a map")
    ipfs = data.get("ipfs")
    solc = data.get("solc")
    if isinstance(solc, bytes) and len(solc) == 3:
        version: str | None = ".".join(str(b) for b in solc)
    elif isinstance(solc, str):
        version = solc  # a prerelease compiler writes its full version string
    else:
        version = None
    return MetadataTail(
        raw,
        ipfs=base58(ipfs) if isinstance(ipfs, bytes) else None,
        bzzr0=_hex(data.get("bzzr0")),
        bzzr1=_hex(data.get("bzzr1")),
        solc=version,
        experimental=bool(data.get("experimental", False)),
    )


def _hex(value: Any) -> str | None:
    return "0x" + value.hex() if isinstance(value, bytes) else None


def base58(data: bytes) -> str:
    """Bitcoin's base58 (what IPFS CIDv0, ``Qm…``, is written in)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = BASE58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def ipfs_cid_v0(content: bytes) -> str | None:
    """The IPFS CIDv0 of a file (what solc embeds for its metadata); None above one chunk.

    A file of one chunk is a dag-pb node wrapping a UnixFS ``File`` with the bytes inline;
    its CID is the base58 of the sha2-256 multihash of that node.
    """
    if len(content) > IPFS_CHUNK:
        return None
    size = _varint(len(content))
    unixfs = b"\x08\x02" + b"\x12" + size + content + b"\x18" + size
    node = b"\x0a" + _varint(len(unixfs)) + unixfs
    return base58(b"\x12\x20" + hashlib.sha256(node).digest())


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


# -- NatSpec ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionDoc:
    """One function of a contract's ABI with its NatSpec (@notice, @dev, @param, @return)."""

    name: str
    signature: str
    selector: str
    mutability: str
    inputs: list[tuple[str, str]]
    outputs: list[tuple[str, str]]
    notice: str | None
    details: str | None
    params: dict[str, str]
    returns: dict[str, str]

    @property
    def changes_state(self) -> bool:
        return self.mutability not in ("view", "pure")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "signature": self.signature,
            "selector": self.selector,
            "mutability": self.mutability,
            "changes_state": self.changes_state,
            "inputs": [{"name": n, "type": t} for n, t in self.inputs],
            "outputs": [{"name": n, "type": t} for n, t in self.outputs],
            "notice": self.notice,
            "details": self.details,
            "params": self.params,
            "returns": self.returns,
        }


@dataclass(frozen=True)
class ContractDoc:
    title: str | None
    notice: str | None
    details: str | None
    functions: list[FunctionDoc]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "notice": self.notice,
            "details": self.details,
            "functions": [f.as_dict() for f in self.functions],
        }


def natspec(artifact: dict[str, Any]) -> ContractDoc:
    """The contract's functions with the compiler's userdoc/devdoc text (state changes first)."""
    userdoc = artifact.get("userdoc") or {}
    devdoc = artifact.get("devdoc") or {}
    identifiers = artifact.get("methodIdentifiers") or {}
    user_methods = userdoc.get("methods") or {}
    dev_methods = devdoc.get("methods") or {}
    state_variables = devdoc.get("stateVariables") or {}
    functions = []
    for item in artifact.get("abi", []):
        if item.get("type") != "function":
            continue
        inputs = item.get("inputs", [])
        signature = f"{item['name']}({','.join(_canonical_type(i) for i in inputs)})"
        user = user_methods.get(signature) or {}
        dev = dev_methods.get(signature) or state_variables.get(item["name"]) or {}
        returns = dev.get("returns") or {}
        functions.append(
            FunctionDoc(
                name=str(item["name"]),
                signature=signature,
                selector="0x" + str(identifiers.get(signature, "")),
                mutability=str(item.get("stateMutability", "nonpayable")),
                inputs=[(i.get("name") or "", _canonical_type(i)) for i in inputs],
                outputs=[
                    (o.get("name") or "", _canonical_type(o)) for o in item.get("outputs", [])
                ],
                notice=user.get("notice"),
                details=dev.get("details"),
                params=dict(dev.get("params") or {}),
                returns={str(k): str(v) for k, v in returns.items()},
            )
        )
    functions.sort(key=lambda f: (not f.changes_state, f.name, f.signature))
    return ContractDoc(
        title=devdoc.get("title"),
        notice=userdoc.get("notice"),
        details=devdoc.get("details"),
        functions=functions,
    )


# -- the verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Immutable:
    """One immutable variable: where the compiler put it in the code, and its value on chain."""

    ast_id: str
    ranges: list[tuple[int, int]]
    value: str  # 0x-hex, from the on-chain code
    address: str | None  # the value read as an address, when it looks like one
    number: int | None = None  # the value read as a small number (a chain id, a length…)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ast_id": self.ast_id,
            "ranges": [{"start": s, "length": n} for s, n in self.ranges],
            "value": self.value,
            "address": self.address,
            "number": self.number,
        }


@dataclass(frozen=True)
class SourceCheck:
    """One source file of the build: its recorded hashes against the file as it is now."""

    path: str
    keccak256: str | None  # from the metadata, which the on-chain tail commits to
    keccak256_now: str | None
    sha256: str | None  # from build/manifest.json
    sha256_now: str | None

    @property
    def ok(self) -> bool:
        return self.keccak256_now is not None and self.keccak256 == self.keccak256_now

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "keccak256": self.keccak256,
            "keccak256_now": self.keccak256_now,
            "sha256": self.sha256,
            "sha256_now": self.sha256_now,
            "ok": self.ok,
        }


@dataclass
class Verification:
    """Everything the contract page shows about one deployed contract's code."""

    name: str
    contract: str
    address: str
    status: str  # exact | partial | mismatch | no code | no build
    explanation: str
    code_size: int
    build_size: int | None
    code_hash: str
    recorded_code_hash: str
    chain_tail: MetadataTail | None = None
    build_tail: MetadataTail | None = None
    metadata_cid: str | None = None
    immutables: list[Immutable] = field(default_factory=list)
    compiler: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    sources: list[SourceCheck] = field(default_factory=list)
    source_hash_recorded: str | None = None
    source_hash_now: str | None = None
    deployment: dict[str, Any] = field(default_factory=dict)

    @property
    def exact_match(self) -> bool:
        return self.status == "exact"

    @property
    def partial_match(self) -> bool:
        """The executable code matches (exactly or with only the metadata tail differing)."""
        return self.status in ("exact", "partial")

    @property
    def metadata_hash_matches(self) -> bool | None:
        """Does the on-chain tail's IPFS hash equal the hash of the local metadata JSON?"""
        if self.chain_tail is None or self.chain_tail.ipfs is None or self.metadata_cid is None:
            return None
        return self.chain_tail.ipfs == self.metadata_cid

    @property
    def recorded_code_matches(self) -> bool:
        return self.code_hash == self.recorded_code_hash

    @property
    def sources_ok(self) -> bool:
        return bool(self.sources) and all(s.ok for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "contract": self.contract,
            "address": self.address,
            "status": self.status,
            "exact_match": self.exact_match,
            "partial_match": self.partial_match,
            "explanation": self.explanation,
            "code_size": self.code_size,
            "build_size": self.build_size,
            "code_hash": self.code_hash,
            "recorded_code_hash": self.recorded_code_hash,
            "recorded_code_matches": self.recorded_code_matches,
            "metadata": {
                "on_chain": self.chain_tail.as_dict() if self.chain_tail else None,
                "build": self.build_tail.as_dict() if self.build_tail else None,
                "local_metadata_ipfs": self.metadata_cid,
                "hash_matches": self.metadata_hash_matches,
            },
            "immutables": [i.as_dict() for i in self.immutables],
            "compiler": self.compiler,
            "settings": self.settings,
            "sources": [s.as_dict() for s in self.sources],
            "sources_ok": self.sources_ok,
            "source_hash": {"recorded": self.source_hash_recorded, "now": self.source_hash_now},
            "deployment": self.deployment,
        }


def verify_contract(
    project: Project,
    chain: Chain,
    name: str,
    entry: ContractRecord,
) -> Verification:
    """Compare the code at ``entry.address`` with the local build of ``entry.contract``."""
    from eth_utils import keccak, to_checksum_address

    code = bytes(chain.w3.eth.get_code(to_checksum_address(entry.address)))
    deployment = {
        "tx": entry.tx_hash,
        "block": entry.block_number,
        "deployer": entry.deployer,
        "constructor_args": entry.constructor_args,
        "existing": entry.existing,
    }
    found = Verification(
        name=name,
        contract=entry.contract,
        address=to_checksum_address(entry.address),
        status="no build",
        explanation="",
        code_size=len(code),
        build_size=None,
        code_hash="0x" + keccak(code).hex(),
        recorded_code_hash=entry.deployed_bytecode_hash,
        chain_tail=decode_tail(split_metadata(code)[1]),
        source_hash_recorded=entry.source_hash,
        deployment=deployment,
        compiler={"record": entry.compiler.get("version")},
    )
    try:
        artifact = load_artifact(project, entry.contract)
        manifest = load_manifest(project)
    except Exception as exc:  # noqa: BLE001 - ToolchainError, or a build folder gone bad
        found.explanation = f"There is no local build of {entry.contract} to compare with ({exc})."
        return found
    local = bytes.fromhex(artifact["deployedBytecode"][2:])
    metadata_text: str = artifact["metadata"]
    metadata = json.loads(metadata_text)
    found.status, found.explanation = _compare(code, local, artifact, entry.contract)
    found.build_size = len(local)
    found.build_tail = decode_tail(split_metadata(local)[1])
    found.metadata_cid = ipfs_cid_v0(metadata_text.encode())
    found.immutables = _immutables(code, artifact)
    found.sources = _sources(project, metadata, manifest)
    found.source_hash_now = sources_digest(project, artifact)
    found.settings = {
        k: v for k, v in metadata.get("settings", {}).items() if k != "compilationTarget"
    }
    found.compiler = {
        "record": entry.compiler.get("version"),
        "build": manifest.get("compiler", {}).get("version"),
        "metadata": metadata.get("compiler", {}).get("version"),
        "kind": manifest.get("compiler", {}).get("kind"),
        "pinned": manifest.get("solcVersionPin"),
        "record_settings": entry.compiler.get("settings"),
    }
    return found


def _compare(code: bytes, local: bytes, artifact: dict[str, Any], contract: str) -> tuple[str, str]:
    if not code:
        return "no code", "There is no code at this address: nothing was deployed here."
    chain_masked = mask_immutables(code, artifact) if len(code) == len(local) else code
    local_masked = mask_immutables(local, artifact)
    if chain_masked == local_masked:
        return "exact", (
            f"Exact match: the code on the chain is, byte for byte, the local build of "
            f"{contract}, including the metadata hash that commits to every source file and "
            "the compiler settings."
        )
    chain_body, _ = split_metadata(code)
    local_body, _ = split_metadata(local)
    if len(chain_body) == len(local_body) and mask_immutables(chain_body, artifact) == (
        mask_immutables(local_body, artifact)
    ):
        return "partial", (
            "Partial match only: the executable code is the same, but the metadata hash differs, "
            "so the sources on the chain are not exactly these (a comment, a file name or a "
            "setting changed)."
        )
    return "mismatch", (
        f"No match: the code on the chain is not the local build of {contract} "
        f"({len(code):,} bytes on chain, {len(local):,} in the build)."
    )


def _immutables(code: bytes, artifact: dict[str, Any]) -> list[Immutable]:
    from eth_utils import to_checksum_address

    found = []
    for ast_id, references in sorted(artifact.get("immutableReferences", {}).items()):
        ranges = [(int(r["start"]), int(r["length"])) for r in references]
        if not ranges:
            continue
        start, length = ranges[0]
        value = code[start : start + length] if start + length <= len(code) else b""
        address, number = None, None
        as_int = int.from_bytes(value, "big") if value else 0
        if as_int < 2**64:
            number = as_int  # a chain id, a decimals count, a short string's length…
        elif len(value) == 32 and as_int < 2**160:
            address = to_checksum_address(value[12:])
        found.append(Immutable(str(ast_id), ranges, "0x" + value.hex(), address, number))
    return found


def _sources(
    project: Project, metadata: dict[str, Any], manifest: dict[str, Any]
) -> list[SourceCheck]:
    from eth_utils import keccak

    recorded: dict[str, str] = manifest.get("sources", {})
    checks = []
    for path, info in sorted(metadata.get("sources", {}).items()):
        file = Path(project.root) / path
        content = file.read_bytes() if file.is_file() else None
        checks.append(
            SourceCheck(
                path=path,
                keccak256=info.get("keccak256"),
                keccak256_now=None if content is None else "0x" + keccak(content).hex(),
                sha256=recorded.get(path),
                sha256_now=None
                if content is None
                else "sha256:" + hashlib.sha256(content).hexdigest(),
            )
        )
    return checks
