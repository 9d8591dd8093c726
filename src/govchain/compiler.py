"""Compile ``contracts/`` with solc's standard-JSON interface, through py-solc-x.

Which solc: a native binary of the pinned version when one is installed (on ``PATH`` or in
py-solc-x's install folder), else solcjs from ``node_modules`` through the project's shim
(``govchain/shim/solc.js``), which speaks the native command line. Nothing is downloaded.

Artifacts go to ``build/contracts/<Name>.json``; ``build/manifest.json`` records the compiler,
the settings and a hash of every source, so unchanged sources are not recompiled.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from govchain.errors import CompilationError, ToolchainError
from govchain.project import Project

SOLC_VERSION = "0.8.37"
EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 200
OPENZEPPELIN_PREFIX = "@openzeppelin/contracts/"
SHIM = Path(__file__).with_name("shim") / "solc.js"
SOLC_ENV = "GOVCHAIN_SOLC"

OUTPUT_SELECTION = [
    "abi",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    "evm.deployedBytecode.immutableReferences",
    "evm.methodIdentifiers",
    "metadata",
    "storageLayout",
    "devdoc",
    "userdoc",
]


@dataclass(frozen=True)
class Solc:
    """A solc executable: ``kind`` is ``native`` or ``solcjs`` (the shim)."""

    path: Path
    kind: str
    version: str

    @property
    def identity(self) -> str:
        return f"{self.kind}:{self.version}:{self.path}"


@dataclass(frozen=True)
class CompileResult:
    """What a compile run did."""

    artifacts: dict[str, Path]
    cached: bool
    solc: Solc | None
    warnings: list[str]


def source_hash(content: bytes) -> str:
    """The hash recorded for a source file (keccak-free so it needs no eth libraries)."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _native_version(path: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None  # not a usable solc: fall back to solcjs
    if "Emscripten" in out:  # our own shim, registered for ape: not a native compiler
        return None
    match = re.search(r"Version: (\d+\.\d+\.\d+)\S*", out)
    return match.group(0).removeprefix("Version: ") if match else None


def find_solc(project: Project) -> Solc:
    """Resolve the compiler: ``$GOVCHAIN_SOLC``, then a native pinned solc, then solcjs."""
    candidates: list[Path] = []
    if forced := os.environ.get(SOLC_ENV):
        if forced == "solcjs":
            return _solcjs(project)
        candidates.append(Path(forced))
    else:
        if on_path := shutil.which("solc"):
            candidates.append(Path(on_path))
        candidates.append(solcx_install_folder() / f"solc-v{SOLC_VERSION}")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            version = _native_version(candidate)
            if version and version.startswith(SOLC_VERSION + "+"):
                return Solc(path=candidate, kind="native", version=version)
    if forced:
        raise ToolchainError(f"{SOLC_ENV}={forced} is not a native solc {SOLC_VERSION}")
    return _solcjs(project)


def solcx_install_folder() -> Path:
    """py-solc-x's install folder: ``$SOLCX_BINARY_PATH``, else ``~/.solcx`` (not created)."""
    if env := os.environ.get("SOLCX_BINARY_PATH"):
        return Path(env)
    return Path.home() / ".solcx"


def _solcjs(project: Project) -> Solc:
    package = project.node_modules / "solc" / "package.json"
    if not package.is_file():
        raise ToolchainError(
            f"solcjs not found at {package.parent}; run `npm ci` in {project.root} "
            "(or install a native solc " + SOLC_VERSION + ")"
        )
    if shutil.which("node") is None:
        raise ToolchainError("node is not on PATH; it is needed to run solcjs")
    version = json.loads(package.read_text())["version"]
    if version != SOLC_VERSION:
        raise ToolchainError(f"node_modules has solc {version}, the project pins {SOLC_VERSION}")
    return Solc(path=SHIM, kind="solcjs", version=version)


def settings() -> dict[str, Any]:
    """Compiler settings shared by every backend (also written to the manifest)."""
    return {
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "evmVersion": EVM_VERSION,
        "remappings": [f"{OPENZEPPELIN_PREFIX}=node_modules/{OPENZEPPELIN_PREFIX}"],
        "outputSelection": {"*": {"*": OUTPUT_SELECTION}},
    }


def _contract_sources(project: Project) -> dict[str, bytes]:
    if not project.contracts_dir.is_dir():
        raise ToolchainError(f"{project.contracts_dir} does not exist")
    sources = {}
    for path in sorted(project.contracts_dir.rglob("*.sol")):
        relative = path.relative_to(project.contracts_dir)
        # Hidden folders are tool caches (ape copies OpenZeppelin into contracts/.cache).
        if any(part.startswith(".") for part in relative.parts):
            continue
        sources[path.relative_to(project.root).as_posix()] = path.read_bytes()
    return sources


def _manifest_path(project: Project) -> Path:
    return project.build_dir / "manifest.json"


def _is_up_to_date(project: Project, own_sources: dict[str, bytes]) -> bool:
    path = _manifest_path(project)
    if not path.is_file():
        return False
    manifest = json.loads(path.read_text())
    if manifest.get("settings") != settings() or manifest.get("solcVersionPin") != SOLC_VERSION:
        return False
    recorded: dict[str, str] = manifest.get("sources", {})
    own_recorded = {name for name in recorded if name.startswith("contracts/")}
    if own_recorded != set(own_sources):
        return False
    for name, digest in recorded.items():
        content = own_sources.get(name)
        if content is None:
            file = project.root / name
            if not file.is_file():
                return False
            content = file.read_bytes()
        if source_hash(content) != digest:
            return False
    return all(
        (project.build_dir / rel).is_file() for rel in manifest.get("artifacts", {}).values()
    )


def compile_project(project: Project, *, force: bool = False) -> CompileResult:
    """Compile every ``.sol`` file under ``contracts/`` (skipped when nothing changed)."""
    own_sources = _contract_sources(project)
    if not force and _is_up_to_date(project, own_sources):
        manifest = load_manifest(project)
        return CompileResult(
            artifacts={n: project.build_dir / p for n, p in manifest["artifacts"].items()},
            cached=True,
            solc=None,
            warnings=[],
        )
    solc = find_solc(project)
    output = _run_solc(project, solc, own_sources)
    return _write_artifacts(project, solc, own_sources, output)


def _run_solc(project: Project, solc: Solc, sources: dict[str, bytes]) -> dict[str, Any]:
    import solcx  # deferred: py-solc-x pulls in requests, not needed on a cached run
    from solcx.exceptions import SolcError

    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": content.decode()} for name, content in sources.items()},
        "settings": settings(),
    }
    cwd = Path.cwd()
    try:
        os.chdir(project.root)  # the shim and native solc resolve imports from the base path
        output: dict[str, Any] = solcx.compile_standard(
            standard_input,
            base_path=project.root,
            allow_paths=[project.root, project.node_modules],
            solc_binary=solc.path,
        )
    except SolcError as exc:
        errors = cast("list[dict[str, Any]]", exc.error_dict or [])  # typed as dict upstream
        if not errors:
            raise ToolchainError(f"{solc.path} failed: {exc.stderr_data or exc}") from exc
        raise CompilationError(
            [format_problem(project, e) for e in errors if e.get("severity") == "error"]
        ) from exc
    except json.JSONDecodeError as exc:
        raise ToolchainError(f"{solc.path} printed something that is not JSON") from exc
    finally:
        os.chdir(cwd)
    return output


def format_problem(project: Project, error: dict[str, Any]) -> str:
    """Render one solc error as ``file:line: message``."""
    message = error.get("message", "").strip()
    kind = error.get("type", "Error")
    location = error.get("sourceLocation")
    if not location:
        return f"<solc>: {kind}: {message}"
    file = location.get("file", "<unknown>")
    line = 0
    source = project.root / file
    if source.is_file() and location.get("start", -1) >= 0:
        line = source.read_bytes()[: location["start"]].count(b"\n") + 1
    return f"{file}:{line}: {kind}: {message}"


def _write_artifacts(
    project: Project, solc: Solc, own_sources: dict[str, bytes], output: dict[str, Any]
) -> CompileResult:
    # Build every artifact before touching build/: a failure (duplicate name) must leave the
    # previous build and its manifest consistent, or a later run would trust stale files.
    built: dict[str, dict[str, Any]] = {}
    for source_name, contracts in output.get("contracts", {}).items():
        if not source_name.startswith("contracts/"):
            continue  # libraries (OpenZeppelin) are compiled but not published as artifacts
        for name, data in contracts.items():
            if name in built:
                raise CompilationError(
                    [
                        f"{source_name}:0: contract name {name} is also used in "
                        f"{built[name]['sourceName']}"
                    ]
                )
            built[name] = {
                "contractName": name,
                "sourceName": source_name,
                "abi": data["abi"],
                "bytecode": "0x" + data["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                "immutableReferences": data["evm"]["deployedBytecode"].get(
                    "immutableReferences", {}
                ),
                "methodIdentifiers": data["evm"].get("methodIdentifiers", {}),
                "metadata": data["metadata"],
                "storageLayout": data.get("storageLayout", {}),
                "devdoc": data.get("devdoc", {}),
                "userdoc": data.get("userdoc", {}),
            }
    build = project.build_dir / "contracts"
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    artifacts: dict[str, str] = {}
    for name, artifact in built.items():
        rel = f"contracts/{name}.json"
        (project.build_dir / rel).write_text(json.dumps(artifact, indent=1, sort_keys=True))
        artifacts[name] = rel
    all_sources = {name: source_hash(content) for name, content in own_sources.items()}
    for name in output.get("sources", {}):
        if name not in all_sources:
            all_sources[name] = source_hash((project.root / name).read_bytes())
    long_version = next(
        (
            json.loads(c["metadata"])["compiler"]["version"]
            for cs in output.get("contracts", {}).values()
            for c in cs.values()
        ),
        solc.version,
    )
    manifest = {
        "compiler": {"kind": solc.kind, "version": long_version, "path": str(solc.path)},
        "solcVersionPin": SOLC_VERSION,
        "settings": settings(),
        "sources": dict(sorted(all_sources.items())),
        "artifacts": dict(sorted(artifacts.items())),
    }
    _manifest_path(project).write_text(json.dumps(manifest, indent=1))
    warnings = [  # a library's own warnings (OpenZeppelin's) are not ours to act on
        format_problem(project, e)
        for e in output.get("errors", [])
        if e.get("severity") == "warning"
        and not e.get("sourceLocation", {}).get("file", "").startswith("node_modules/")
    ]
    return CompileResult(
        artifacts={n: project.build_dir / p for n, p in artifacts.items()},
        cached=False,
        solc=solc,
        warnings=warnings,
    )


def load_manifest(project: Project) -> dict[str, Any]:
    path = _manifest_path(project)
    if not path.is_file():
        raise ToolchainError(f"{path} missing; run `govchain compile`")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def load_artifact(project: Project, name: str) -> dict[str, Any]:
    """The compiled artifact of contract ``name`` (compile first)."""
    path = project.build_dir / "contracts" / f"{name}.json"
    if not path.is_file():
        raise ToolchainError(f"no artifact for {name} in {path.parent}; run `govchain compile`")
    artifact: dict[str, Any] = json.loads(path.read_text())
    return artifact


def sources_digest(project: Project, artifact: dict[str, Any]) -> str:
    """A hash over every source the artifact was built from (its metadata lists them)."""
    metadata = json.loads(artifact["metadata"])
    manifest = load_manifest(project)["sources"]
    joined = "".join(f"{name}={manifest.get(name, '?')};" for name in sorted(metadata["sources"]))
    return source_hash(joined.encode())


def mask_immutables(code: bytes, artifact: dict[str, Any]) -> bytes:
    """Zero the immutable slots of runtime ``code`` so it compares equal to the build's."""
    masked = bytearray(code)
    for references in artifact.get("immutableReferences", {}).values():
        for ref in references:
            start, length = int(ref["start"]), int(ref["length"])
            masked[start : start + length] = bytes(length)
    return bytes(masked)


def strip_metadata(code: bytes) -> bytes:
    """Drop the CBOR metadata trailer (its length is the last two bytes)."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big") + 2
    return code[:-length] if length <= len(code) else code
