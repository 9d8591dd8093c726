"""The compiler: artifacts and manifest, the source cache, error reports, solc selection, the shim.

Cold solcjs compiles cost seconds each, so most cache tests replace ``find_solc``/``_run_solc``
with stand-ins that raise :class:`SolcWasCalled`: whether solc runs at all is the cache's decision.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner

from conftest import ROOT, make_project
from govchain import compiler
from govchain.cli import main
from govchain.compiler import (
    SHIM,
    SOLC_VERSION,
    Solc,
    compile_project,
    find_solc,
    load_artifact,
    load_manifest,
)
from govchain.errors import CompilationError, ToolchainError
from govchain.project import PROJECT_ENV, Project
from govchain.toolchain import register_solc_shim_for_ape

LONG_VERSION = "0.8.37+commit.f401782d"
NATIVE_VERSION_OUTPUT = (
    "solc, the solidity compiler commandline interface\nVersion: {version}.Linux.g++\n"
)
OZ_REMAPPING = "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"
SPDX = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"

# `total += ;` is on line 8: solc reports the `;` where it expected an expression.
PARSE_ERROR_SOURCE = (
    SPDX
    + """
contract Broken {
    uint256 private total;

    function add(uint256 amount) external {
        total += ;
        amount;
    }
}
"""
)
PARSE_ERROR_LINE = 8

# Parses fine; `bool result = total;` on line 14 fails type checking.
TYPE_ERROR_SOURCE = (
    SPDX
    + """
/// @notice Everything up to flag() is valid.
contract Typo {
    uint256 private total;

    function add(uint256 amount) external {
        total += amount;
    }

    function flag() external view returns (bool) {
        // a uint256 is not a bool
        bool result = total;
        return result;
    }
}
"""
)
TYPE_ERROR_LINE = 14


class SolcWasCalled(Exception):
    """Raised by the stand-ins for ``find_solc``/``_run_solc``: the compiler chose to recompile."""


def _refuse(*args: object, **kwargs: object) -> NoReturn:
    raise SolcWasCalled


@pytest.fixture
def no_solc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve or run solc raises SolcWasCalled."""
    monkeypatch.setattr(compiler, "find_solc", _refuse)
    monkeypatch.setattr(compiler, "_run_solc", _refuse)


@pytest.fixture
def own_project(tmp_path: Path, project: Project) -> Project:
    """A warm throwaway project with its own copy of contracts/ (safe to edit)."""
    return make_project(tmp_path / "proj", project, copy_contracts=True)


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _build_snapshot(project: Project) -> dict[str, bytes]:
    return {
        path.relative_to(project.build_dir).as_posix(): path.read_bytes()
        for path in sorted(project.build_dir.rglob("*"))
        if path.is_file()
    }


def _invoke_cli(project: Project, *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env={PROJECT_ENV: str(project.root)})


# --- artifacts and manifest --------------------------------------------------------------------


def test_payment_token_artifact_has_every_selected_output(project: Project) -> None:
    artifact = load_artifact(project, "PaymentToken")
    assert artifact["contractName"] == "PaymentToken"
    assert artifact["sourceName"] == "contracts/common/PaymentToken.sol"
    assert {
        "abi",
        "bytecode",
        "deployedBytecode",
        "metadata",
        "storageLayout",
        "devdoc",
        "userdoc",
        "immutableReferences",
    } <= set(artifact)

    functions = {item["name"] for item in artifact["abi"] if item["type"] == "function"}
    assert {"mint", "transfer", "permit", "grantRole", "decimals"} <= functions
    assert artifact["methodIdentifiers"]["mint(address,uint256)"] == "40c10f19"

    for key in ("bytecode", "deployedBytecode"):
        assert artifact[key].startswith("0x")
        assert len(bytes.fromhex(artifact[key][2:])) > 1000
    runtime_size = len(bytes.fromhex(artifact["deployedBytecode"][2:]))
    # `_decimals` and EIP-712's cached domain values are immutables: 32-byte slots in the code.
    references = [ref for refs in artifact["immutableReferences"].values() for ref in refs]
    assert references
    assert all(ref["length"] == 32 and ref["start"] + 32 <= runtime_size for ref in references)

    labels = [slot["label"] for slot in artifact["storageLayout"]["storage"]]
    assert "_balances" in labels
    assert "_decimals" not in labels  # immutable, so not in storage

    assert artifact["devdoc"]["title"] == "PaymentToken"
    assert artifact["devdoc"]["details"].startswith("NOTE: on a real network")
    assert artifact["userdoc"]["notice"].startswith("Devnet stand-in")

    metadata = json.loads(artifact["metadata"])
    assert metadata["compiler"]["version"] == LONG_VERSION
    assert metadata["settings"]["evmVersion"] == "cancun"
    assert metadata["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert metadata["settings"]["remappings"] == [":" + OZ_REMAPPING]


def test_manifest_records_compiler_settings_and_a_hash_of_every_source(project: Project) -> None:
    manifest = load_manifest(project)
    assert manifest["compiler"]["version"].startswith(LONG_VERSION)
    assert manifest["solcVersionPin"] == SOLC_VERSION
    settings = manifest["settings"]
    assert settings["evmVersion"] == "cancun"
    assert settings["optimizer"] == {"enabled": True, "runs": 200}
    assert settings["remappings"] == [OZ_REMAPPING]
    assert settings == compiler.settings()

    sources: dict[str, str] = manifest["sources"]
    own = {
        p.relative_to(ROOT).as_posix()
        for p in project.contracts_dir.rglob("*.sol")
        if not any(part.startswith(".") for part in p.relative_to(project.contracts_dir).parts)
    }
    assert own <= set(sources)
    assert "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol" in sources
    assert "node_modules/@openzeppelin/contracts/access/AccessControl.sol" in sources
    assert set(sources) == own | {n for n in sources if n.startswith("node_modules/@openzeppelin/")}
    for name, digest in sources.items():
        assert digest == _sha256(project.root / name), name

    # Every source any artifact was built from is hashed (deployments rely on it).
    artifact_files = sorted((project.build_dir / "contracts").glob("*.json"))
    assert manifest["artifacts"] == {p.stem: f"contracts/{p.name}" for p in artifact_files}
    assert "PaymentToken" in manifest["artifacts"]
    assert "ERC20" not in manifest["artifacts"]  # libraries are compiled, not published
    for path in artifact_files:
        used = json.loads(json.loads(path.read_text())["metadata"])["sources"]
        assert set(used) <= set(sources), path.name


# --- the cache ---------------------------------------------------------------------------------


def test_compiling_an_unchanged_project_is_cached_and_never_touches_solc(
    tmp_project: Project, no_solc: None
) -> None:
    before = _build_snapshot(tmp_project)
    result = compile_project(tmp_project)
    assert result.cached is True
    assert result.solc is None
    assert result.warnings == []
    names = load_manifest(tmp_project)["artifacts"]
    assert result.artifacts == {n: tmp_project.build_dir / rel for n, rel in names.items()}
    assert result.artifacts["PaymentToken"].is_file()
    assert _build_snapshot(tmp_project) == before


def _add_source(project: Project) -> None:
    (project.contracts_dir / "Extra.sol").write_text(SPDX + "contract Extra {}\n")


def _edit_source(project: Project) -> None:
    path = project.contracts_dir / "common" / "Roles.sol"
    path.write_text(path.read_text() + "\n// edited\n")


def _delete_source(project: Project) -> None:
    (project.contracts_dir / "common" / "Errors.sol").unlink()


def _edit_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[Project], None]:
    def mutate(project: Project) -> None:
        path = project.build_dir / "manifest.json"
        manifest = json.loads(path.read_text())
        change(manifest)
        path.write_text(json.dumps(manifest))

    return mutate


def _library_changed(manifest: dict[str, Any]) -> None:
    # As if node_modules had been upgraded since the build: the recorded hash no longer matches.
    name = "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol"
    manifest["sources"][name] = "sha256:" + hashlib.sha256(b"older release").hexdigest()


def _other_settings(manifest: dict[str, Any]) -> None:
    manifest["settings"]["optimizer"]["runs"] = 1


def _delete_artifact(project: Project) -> None:
    (project.build_dir / "contracts" / "PaymentToken.json").unlink()


def _delete_manifest(project: Project) -> None:
    (project.build_dir / "manifest.json").unlink()


@pytest.mark.parametrize(
    "change",
    [
        _add_source,
        _edit_source,
        _delete_source,
        _edit_manifest(_library_changed),
        _edit_manifest(_other_settings),
        _delete_artifact,
        _delete_manifest,
    ],
    ids=[
        "new-source",
        "edited-source",
        "deleted-source",
        "library-changed",
        "other-settings",
        "artifact-missing",
        "manifest-missing",
    ],
)
def test_compile_runs_solc_again_when_the_build_is_out_of_date(
    own_project: Project, no_solc: None, change: Callable[[Project], None]
) -> None:
    assert compile_project(own_project).cached is True
    change(own_project)
    with pytest.raises(SolcWasCalled):
        compile_project(own_project)


def test_tool_caches_in_hidden_folders_are_not_contract_sources(
    own_project: Project, no_solc: None
) -> None:
    """ape copies OpenZeppelin into contracts/.cache; that must not become part of the suite."""
    cache = own_project.contracts_dir / ".cache" / "openzeppelin" / "5.7.0" / "access"
    cache.mkdir(parents=True)
    (cache / "AccessControl.sol").write_text("// SPDX-License-Identifier: MIT\n")
    assert compile_project(own_project).cached is True


def test_force_recompiles_an_up_to_date_project(tmp_project: Project, no_solc: None) -> None:
    assert compile_project(tmp_project).cached is True
    with pytest.raises(SolcWasCalled):
        compile_project(tmp_project, force=True)


@pytest.mark.slow
def test_changed_contract_is_recompiled_and_its_artifact_updated(
    own_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_artifact(own_project, "PaymentToken")
    source = own_project.contracts_dir / "common" / "PaymentToken.sol"
    text = source.read_text().rstrip()
    assert text.endswith("}")
    source.write_text(
        text[:-1] + "\n    function buildNumber() external pure returns (uint256) {\n"
        "        return 2;\n    }\n}\n"
    )

    result = compile_project(own_project)

    assert result.cached is False
    assert result.solc is not None and result.solc.version.startswith(SOLC_VERSION)
    assert result.warnings == []
    after = load_artifact(own_project, "PaymentToken")
    assert "buildNumber" not in {item.get("name") for item in before["abi"]}
    assert "buildNumber" in {item.get("name") for item in after["abi"]}
    assert after["deployedBytecode"] != before["deployedBytecode"]
    manifest = load_manifest(own_project)
    assert manifest["sources"]["contracts/common/PaymentToken.sol"] == _sha256(source)
    assert manifest["compiler"]["kind"] == result.solc.kind
    assert set(result.artifacts) == set(manifest["artifacts"]) >= {"PaymentToken", "Roles"}

    monkeypatch.setattr(compiler, "find_solc", _refuse)
    monkeypatch.setattr(compiler, "_run_solc", _refuse)
    assert compile_project(own_project).cached is True


def _as_solc_output(artifact: dict[str, Any]) -> dict[str, Any]:
    """The standard-JSON output entry an artifact was made from."""
    return {
        "abi": artifact["abi"],
        "evm": {
            "bytecode": {"object": artifact["bytecode"][2:]},
            "deployedBytecode": {
                "object": artifact["deployedBytecode"][2:],
                "immutableReferences": artifact["immutableReferences"],
            },
            "methodIdentifiers": artifact["methodIdentifiers"],
        },
        "metadata": artifact["metadata"],
        "storageLayout": artifact["storageLayout"],
        "devdoc": artifact["devdoc"],
        "userdoc": artifact["userdoc"],
    }


def test_duplicate_contract_name_fails_without_touching_the_previous_build(
    own_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """solc accepts two contracts of one name in different files; their artifacts would collide.

    The failure must leave build/ as it was: otherwise, once the duplicate is removed, the cache
    (whose sources match the old manifest again) would serve the impostor's artifact.
    """
    impostor = own_project.contracts_dir / "Impostor.sol"
    impostor.write_text(SPDX + "contract PaymentToken {}\n")
    # solc's output, sources in name order: "contracts/Impostor.sol" sorts first.
    contracts: dict[str, dict[str, Any]] = {
        "contracts/Impostor.sol": {
            "PaymentToken": {
                **_as_solc_output(load_artifact(own_project, "PaymentToken")),
                "abi": [],
            }
        },
    }
    for name in load_manifest(own_project)["artifacts"]:
        artifact = load_artifact(own_project, name)
        contracts.setdefault(artifact["sourceName"], {})[name] = _as_solc_output(artifact)
    output = {"contracts": contracts, "sources": {name: {} for name in contracts}}
    shim = Solc(path=SHIM, kind="solcjs", version=SOLC_VERSION)
    monkeypatch.setattr(compiler, "find_solc", lambda project: shim)
    monkeypatch.setattr(compiler, "_run_solc", lambda project, solc, sources: output)
    before = _build_snapshot(own_project)

    with pytest.raises(CompilationError) as info:
        compile_project(own_project)

    assert info.value.problems == [
        "contracts/common/PaymentToken.sol:0: contract name PaymentToken is also used in "
        "contracts/Impostor.sol"
    ]
    assert _build_snapshot(own_project) == before
    impostor.unlink()
    monkeypatch.setattr(compiler, "find_solc", _refuse)
    monkeypatch.setattr(compiler, "_run_solc", _refuse)
    assert compile_project(own_project).cached is True
    assert _build_snapshot(own_project) == before


# --- compile errors ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Project:
    """A copy of the project whose contracts/Broken.sol does not parse (not compiled yet)."""
    broken = make_project(tmp_path_factory.mktemp("broken") / "proj", project, copy_contracts=True)
    assert PARSE_ERROR_SOURCE.splitlines()[PARSE_ERROR_LINE - 1].strip() == "total += ;"
    (broken.contracts_dir / "Broken.sol").write_text(PARSE_ERROR_SOURCE)
    return broken


def test_compile_reports_file_and_line_of_a_syntax_error(broken_project: Project) -> None:
    before = _build_snapshot(broken_project)
    with pytest.raises(CompilationError) as info:
        compile_project(broken_project)
    problems = info.value.problems
    assert len(problems) == 1
    assert problems[0].startswith(f"contracts/Broken.sol:{PARSE_ERROR_LINE}: ParserError: ")
    assert "Expected primary expression" in problems[0]
    assert str(info.value) == problems[0]
    assert _build_snapshot(broken_project) == before  # the last good build is kept


def test_cli_compile_prints_the_error_location_and_exits_non_zero(
    broken_project: Project,
) -> None:
    result = _invoke_cli(broken_project, "compile")
    assert result.exit_code == 1
    assert f"error: contracts/Broken.sol:{PARSE_ERROR_LINE}: ParserError: " in result.output
    assert "Compiled" not in result.output


def test_compile_reports_the_line_of_a_type_error_deeper_in_the_file(
    own_project: Project,
) -> None:
    assert TYPE_ERROR_SOURCE.splitlines()[TYPE_ERROR_LINE - 1].strip() == "bool result = total;"
    (own_project.contracts_dir / "domain").mkdir()
    (own_project.contracts_dir / "domain" / "Typo.sol").write_text(TYPE_ERROR_SOURCE)
    with pytest.raises(CompilationError) as info:
        compile_project(own_project)
    assert info.value.problems == [
        f"contracts/domain/Typo.sol:{TYPE_ERROR_LINE}: TypeError: "
        "Type uint256 is not implicitly convertible to expected type bool."
    ]


# --- choosing solc -----------------------------------------------------------------------------


class SolcEnv:
    """PATH holding only ``node`` (plus whatever a test adds), and an empty solcx folder."""

    def __init__(self, base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        node = shutil.which("node")
        assert node is not None, "node is needed for the solcjs tests"
        self.bin = base / "bin"
        self.bin.mkdir()
        (self.bin / "node").symlink_to(node)
        self.solcx = base / "solcx"
        self.solcx.mkdir()
        self.monkeypatch = monkeypatch
        monkeypatch.setenv("PATH", str(self.bin))
        monkeypatch.setenv("SOLCX_BINARY_PATH", str(self.solcx))
        monkeypatch.delenv(compiler.SOLC_ENV, raising=False)

    def fake_native(self, path: Path, version: str = LONG_VERSION) -> Path:
        """A stand-in native solc: answers ``--version`` like the real one, fails otherwise."""
        path.parent.mkdir(parents=True, exist_ok=True)
        output = NATIVE_VERSION_OUTPUT.format(version=version)
        path.write_text(
            "#!/bin/sh\n"
            'if [ "$1" = "--version" ]; then\n'
            f"  printf '{output.replace(chr(10), chr(92) + 'n')}'\n"
            "  exit 0\n"
            "fi\n"
            "exit 1\n"
        )
        path.chmod(0o755)
        return path

    def force(self, value: str) -> None:
        self.monkeypatch.setenv(compiler.SOLC_ENV, value)


@pytest.fixture
def solc_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SolcEnv:
    return SolcEnv(tmp_path, monkeypatch)


def test_fake_native_solc_answers_like_the_real_one(solc_env: SolcEnv) -> None:
    fake = solc_env.fake_native(solc_env.bin / "solc")
    out = subprocess.run([fake, "--version"], capture_output=True, text=True, check=True).stdout
    assert out == (
        f"solc, the solidity compiler commandline interface\nVersion: {LONG_VERSION}.Linux.g++\n"
    )


def test_find_solc_falls_back_to_the_solcjs_shim_without_a_native_solc(
    solc_env: SolcEnv, project: Project
) -> None:
    solc = find_solc(project)
    assert (solc.kind, solc.path, solc.version) == ("solcjs", SHIM, SOLC_VERSION)


def test_find_solc_takes_a_native_solc_of_the_pinned_version_from_path(
    solc_env: SolcEnv, project: Project
) -> None:
    fake = solc_env.fake_native(solc_env.bin / "solc")
    solc = find_solc(project)
    assert (solc.kind, solc.path, solc.version) == ("native", fake, f"{LONG_VERSION}.Linux.g++")


def test_find_solc_ignores_a_native_solc_of_another_version(
    solc_env: SolcEnv, project: Project
) -> None:
    solc_env.fake_native(solc_env.bin / "solc", "0.8.20+commit.a1b79de6")
    solc = find_solc(project)
    assert (solc.kind, solc.path) == ("solcjs", SHIM)


def test_find_solc_takes_the_pinned_native_solc_from_the_solcx_folder(
    solc_env: SolcEnv, project: Project
) -> None:
    solc_env.fake_native(solc_env.bin / "solc", "0.8.20+commit.a1b79de6")  # skipped
    fake = solc_env.fake_native(solc_env.solcx / f"solc-v{SOLC_VERSION}")
    solc = find_solc(project)
    assert (solc.kind, solc.path) == ("native", fake)


def test_find_solc_does_not_mistake_the_registered_shim_for_a_native_solc(
    solc_env: SolcEnv, project: Project
) -> None:
    registered = register_solc_shim_for_ape(solc_env.solcx)
    assert registered == solc_env.solcx / f"solc-v{SOLC_VERSION}"
    # It does run and claims the pinned version; only "Emscripten" gives it away.
    out = subprocess.run(
        [registered, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Version: {LONG_VERSION}.Emscripten" in out
    solc = find_solc(project)
    assert (solc.kind, solc.path) == ("solcjs", SHIM)


def test_govchain_solc_solcjs_forces_the_shim_over_a_native_solc(
    solc_env: SolcEnv, project: Project
) -> None:
    solc_env.fake_native(solc_env.bin / "solc")
    solc_env.force("solcjs")
    solc = find_solc(project)
    assert (solc.kind, solc.path) == ("solcjs", SHIM)


def test_govchain_solc_path_selects_that_native_solc(
    solc_env: SolcEnv, project: Project, tmp_path: Path
) -> None:
    solc_env.fake_native(solc_env.bin / "solc")
    chosen = solc_env.fake_native(tmp_path / "elsewhere" / "solc-0.8.37")
    solc_env.force(str(chosen))
    solc = find_solc(project)
    assert (solc.kind, solc.path) == ("native", chosen)


@pytest.mark.parametrize("target", ["missing", "other-version", "shim"])
def test_govchain_solc_pointing_at_no_native_pinned_solc_is_a_toolchain_error(
    solc_env: SolcEnv, project: Project, tmp_path: Path, target: str
) -> None:
    solc_env.fake_native(solc_env.bin / "solc")  # never used as a fallback when forced
    path = {
        "missing": Path("/nonexistent/solc"),
        "other-version": solc_env.fake_native(tmp_path / "old" / "solc", "0.8.20+commit.a1b79de6"),
        "shim": SHIM,
    }[target]
    solc_env.force(str(path))
    with pytest.raises(ToolchainError, match=f"GOVCHAIN_SOLC={path} is not a native solc 0.8.37"):
        find_solc(project)


def test_missing_solcjs_package_is_a_toolchain_error_asking_for_npm_ci(
    solc_env: SolcEnv, tmp_project: Project
) -> None:
    tmp_project.node_modules.unlink()  # the symlink to the repository's node_modules
    tmp_project.node_modules.mkdir()
    with pytest.raises(ToolchainError) as info:
        compile_project(tmp_project, force=True)
    assert "run `npm ci` in " + str(tmp_project.root) in str(info.value)
    assert str(tmp_project.node_modules / "solc") in str(info.value)


def test_missing_node_is_a_toolchain_error(solc_env: SolcEnv, project: Project) -> None:
    (solc_env.bin / "node").unlink()
    with pytest.raises(ToolchainError, match="node is not on PATH"):
        find_solc(project)


# --- the solcjs shim ---------------------------------------------------------------------------


def _run_shim(
    standard_input: dict[str, Any], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(SHIM), "--standard-json", *args],
        input=json.dumps(standard_input),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _standard_input(content: str, remappings: list[str] | None = None) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {"Uses.sol": {"content": content}},
        "settings": {
            "remappings": remappings or [],
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }


def test_shim_answers_version_in_the_native_format() -> None:
    proc = subprocess.run(
        ["node", str(SHIM), "--version"], capture_output=True, text=True, check=True
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert lines[1].startswith(f"Version: {LONG_VERSION}.")


def test_shim_compiles_standard_json_importing_openzeppelin_to_pure_json(
    tmp_path: Path,
) -> None:
    content = SPDX + (
        'import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";\n'
        "contract Uses {\n"
        "    function describe(uint256 v) external pure returns (string memory) {\n"
        "        return Strings.toString(v);\n"
        "    }\n"
        "}\n"
    )
    # Run from elsewhere: the remapped node_modules/ path resolves only against --base-path.
    proc = _run_shim(_standard_input(content, [OZ_REMAPPING]), tmp_path, "--base-path", str(ROOT))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.lstrip().startswith("{")
    output = json.loads(proc.stdout)  # the whole of stdout: no SMT banner before the JSON
    assert [e for e in output.get("errors", []) if e["severity"] == "error"] == []
    assert "node_modules/@openzeppelin/contracts/utils/Strings.sol" in output["sources"]
    uses = output["contracts"]["Uses.sol"]["Uses"]
    assert [item["name"] for item in uses["abi"]] == ["describe"]
    assert len(uses["evm"]["bytecode"]["object"]) > 100


def test_shim_reports_an_unknown_import_as_a_json_error(tmp_path: Path) -> None:
    content = SPDX + 'import "./missing/Nowhere.sol";\ncontract Uses {}\n'
    proc = _run_shim(_standard_input(content), tmp_path, "--base-path", str(ROOT))
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout)
    errors = [e for e in output["errors"] if e["severity"] == "error"]
    assert len(errors) == 1
    assert errors[0]["type"] == "ParserError"
    assert "missing/Nowhere.sol" in errors[0]["message"]
    assert "File not found" in errors[0]["message"]
    assert "contracts" not in output or output["contracts"] == {}


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_compile_on_a_warm_cache_prints_nothing_to_compile(
    tmp_project: Project, no_solc: None
) -> None:
    count = len(load_manifest(tmp_project)["artifacts"])
    result = _invoke_cli(tmp_project, "compile")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Nothing to compile: {count} artifacts up to date (")


def test_cli_compile_force_runs_solc_on_a_warm_cache(tmp_project: Project, no_solc: None) -> None:
    result = _invoke_cli(tmp_project, "compile", "--force")
    assert isinstance(result.exception, SolcWasCalled)
