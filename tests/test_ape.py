"""ape (``ape compile``, configured by ``ape-config.yaml``) builds the same code as govchain.

Both compile ``contracts/`` with solc 0.8.37 (the solcjs shim unless a native solc is
installed), optimizer on with 200 runs, EVM cancun. The runtime bytecode must match byte for
byte except the CBOR metadata at its end, which hashes the source paths (ape compiles
OpenZeppelin from ``contracts/.cache/openzeppelin/5.7.0``, govchain from ``node_modules``).

Runs offline and leaves the developer's ``~/.solcx`` and ``~/.ape`` alone: the shim is registered
in a temporary py-solc-x folder and ape keeps its dependency copy in a temporary data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govchain.compiler import EVM_VERSION, OPTIMIZER_RUNS, SHIM, SOLC_VERSION, compile_project
from govchain.errors import ToolchainError
from govchain.project import Project
from govchain.toolchain import register_solc_shim_for_ape

ROOT = Path(__file__).resolve().parents[1]
APE = Path(sys.executable).with_name("ape")
APE_ARTIFACTS = ROOT / ".build" / "__local__.json"


def strip_metadata(bytecode: str) -> bytes:
    """``bytecode`` (hex, with or without ``0x``) without its trailing CBOR metadata.

    solc appends the CBOR-encoded metadata followed by its length as a 2-byte big-endian
    integer; drop both.
    """
    code = bytes.fromhex(bytecode.removeprefix("0x"))
    if len(code) < 2:
        raise ValueError("bytecode too short to carry metadata")
    length = int.from_bytes(code[-2:], "big")
    if length + 2 > len(code):
        raise ValueError(f"metadata length {length} exceeds the bytecode ({len(code)} bytes)")
    return code[: -(length + 2)]


def test_strip_metadata() -> None:
    assert strip_metadata("0x6001" + "a100" + "0002") == bytes.fromhex("6001")
    assert strip_metadata("aabb0000") == bytes.fromhex("aabb")
    with pytest.raises(ValueError):
        strip_metadata("0x00ff")


def _fake_solc(path: Path, version_line: str) -> None:
    path.write_text(
        f"#!/bin/sh\necho 'solc, the solidity compiler commandline interface'\n"
        f"echo '{version_line}'\n"
    )
    path.chmod(0o755)


def test_register_shim_fresh_and_idempotent(tmp_path: Path) -> None:
    folder = tmp_path / "missing" / "solcx"
    target = register_solc_shim_for_ape(folder)
    assert target == folder / f"solc-v{SOLC_VERSION}"
    assert target.resolve() == SHIM.resolve()
    assert register_solc_shim_for_ape(folder) == target
    assert [p.name for p in folder.iterdir()] == [target.name]


def test_register_shim_keeps_native_solc(tmp_path: Path) -> None:
    native = tmp_path / f"solc-v{SOLC_VERSION}"
    _fake_solc(native, f"Version: {SOLC_VERSION}+commit.f401782d.Linux.g++")
    before = native.read_text()
    assert register_solc_shim_for_ape(tmp_path) == native
    assert not native.is_symlink()
    assert native.read_text() == before


def test_register_shim_replaces_stale_links_and_solcjs(tmp_path: Path) -> None:
    target = tmp_path / f"solc-v{SOLC_VERSION}"
    target.symlink_to(tmp_path / "moved-checkout" / "solc.js")  # dangling
    register_solc_shim_for_ape(tmp_path)
    assert target.resolve() == SHIM.resolve()
    target.unlink()
    _fake_solc(target, f"Version: {SOLC_VERSION}+commit.f401782d.Emscripten.clang")
    register_solc_shim_for_ape(tmp_path)
    assert target.resolve() == SHIM.resolve()


def test_register_shim_refuses_unknown_file(tmp_path: Path) -> None:
    target = tmp_path / f"solc-v{SOLC_VERSION}"
    target.write_text("not a compiler")
    with pytest.raises(ToolchainError):
        register_solc_shim_for_ape(tmp_path)
    assert target.read_text() == "not a compiler"


def test_register_shim_falls_back_to_wrapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlinks(self: Path, target: Path) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(Path, "symlink_to", no_symlinks)
    target = register_solc_shim_for_ape(tmp_path)
    assert not target.is_symlink() and os.access(target, os.X_OK)
    text = target.read_text()
    assert register_solc_shim_for_ape(tmp_path) == target and target.read_text() == text
    if shutil.which("node") and (ROOT / "node_modules" / "solc").is_dir():
        version = subprocess.run(
            [str(target), "--version"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert f"Version: {SOLC_VERSION}+" in version


def test_register_shim_uses_solcx_binary_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path))
    assert register_solc_shim_for_ape() == tmp_path / f"solc-v{SOLC_VERSION}"


@pytest.fixture(scope="module")
def ape_build(
    tmp_path_factory: pytest.TempPathFactory, ape_leaves_no_cache: None
) -> dict[str, Any]:
    """Run ``ape compile --force`` at the repository root; return ``.build/__local__.json``."""
    if not APE.is_file():
        pytest.skip(f"ape is not installed next to {sys.executable} (pip install -e .[dev])")
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH (needed by the solcjs shim)")
    if not (ROOT / "node_modules" / "@openzeppelin" / "contracts").is_dir():
        pytest.skip("node_modules is missing; run `npm ci`")
    base = tmp_path_factory.mktemp("ape")
    solcx_folder = base / "solcx"  # does not exist yet, like ~/.solcx on a fresh CI runner
    shim = register_solc_shim_for_ape(solcx_folder)
    assert shim == solcx_folder / f"solc-v{SOLC_VERSION}"
    assert register_solc_shim_for_ape(solcx_folder) == shim  # idempotent
    env = {
        **os.environ,
        "SOLCX_BINARY_PATH": str(solcx_folder),
        "APE_DATA_FOLDER": str(base / "ape-data"),
    }
    result = subprocess.run(
        [str(APE), "compile", "--force"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"ape compile failed:\n{result.stdout}\n{result.stderr}"
    data: dict[str, Any] = json.loads(APE_ARTIFACTS.read_text())
    return data


@pytest.mark.slow
def test_ape_compiles_with_govchain_settings(ape_build: dict[str, Any]) -> None:
    (solidity,) = [c for c in ape_build["compilers"] if c["name"] == "solidity"]
    assert solidity["version"].startswith(SOLC_VERSION + "+")
    assert solidity["settings"]["evmVersion"] == EVM_VERSION
    assert solidity["settings"]["optimizer"] == {"enabled": True, "runs": OPTIMIZER_RUNS}
    assert "PaymentToken" in solidity["contractTypes"]


@pytest.mark.slow
def test_ape_bytecode_matches_govchain(ape_build: dict[str, Any]) -> None:
    project = Project.load(ROOT)
    compile_project(project)
    govchain = json.loads((project.build_dir / "contracts" / "PaymentToken.json").read_text())
    ape = ape_build["contractTypes"]["PaymentToken"]

    assert ape["abi"] == govchain["abi"]
    ape_runtime = strip_metadata(ape["runtimeBytecode"]["bytecode"])
    assert len(ape_runtime) > 1000
    assert ape_runtime == strip_metadata(govchain["deployedBytecode"])
