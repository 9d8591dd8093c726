"""Make the project's solcjs shim usable by ape (ape-solidity) without downloading solc.

ape-solidity asks py-solc-x which compilers are installed, and py-solc-x only lists files named
``solc-v<version>`` in its install folder (``$SOLCX_BINARY_PATH``, default ``~/.solcx``).
:func:`register_solc_shim_for_ape` puts the shim (``govchain/shim/solc.js``, which speaks the
native solc command line) there as ``solc-v0.8.37``: a symlink, or a small ``sh`` wrapper where
symlinks are not available. A real native solc already installed under that name is kept.

Run it as ``python -m govchain.toolchain register-ape``.

``python -m govchain.toolchain slither`` runs slither over every contract in ``contracts/``
through the same compiler :func:`~govchain.compiler.find_solc` picks for builds (never
solc-select, which downloads), and fails on any High or Medium finding not suppressed in the
source or listed in :data:`ACCEPTED_FINDINGS`. Detector exclusions and path filters are in
``slither.config.json``; the reasons for both, and the triage of every Low and Informational
finding, are in SECURITY.md.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govchain.compiler import SHIM, SOLC_VERSION, find_solc, settings, solcx_install_folder
from govchain.errors import ToolchainError
from govchain.project import Project

_WRAPPER_MARK = "# govchain: solcjs shim for py-solc-x / ape-solidity"


def _version_output(path: Path) -> str | None:
    """What ``path --version`` prints, or ``None`` when it cannot be run."""
    try:
        result = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _is_our_shim(path: Path) -> bool:
    """Whether ``path`` already is the symlink or wrapper this module creates."""
    if path.is_symlink():
        return path.resolve() == SHIM.resolve()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return _WRAPPER_MARK in text and str(SHIM.resolve()) in text and os.access(path, os.X_OK)


def _wrapper_text() -> str:
    return f'#!/bin/sh\n{_WRAPPER_MARK}\nexec node "{SHIM.resolve()}" "$@"\n'


def _install(target: Path) -> None:
    """Atomically (re)place ``target`` with a symlink to the shim, or a wrapper script."""
    tmp = target.with_name(f".{target.name}.govchain-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        tmp.symlink_to(SHIM.resolve())
    except (OSError, NotImplementedError):
        tmp.write_text(_wrapper_text(), encoding="utf-8")
        tmp.chmod(0o755)
    try:
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def register_solc_shim_for_ape(install_folder: Path | None = None) -> Path:
    """Make ``<solcx install folder>/solc-v<SOLC_VERSION>`` run the solcjs shim; return its path.

    Idempotent. Keeps a native solc already installed there (one whose ``--version`` does not
    say ``Emscripten``); replaces a stale or dangling shim link. Raises
    :class:`~govchain.errors.ToolchainError` if the shim is missing or the name is taken by
    something that is neither a native solc nor a solcjs front end.
    """
    if not SHIM.is_file():
        raise ToolchainError(f"solcjs shim not found at {SHIM}")
    folder = install_folder if install_folder is not None else solcx_install_folder()
    target = folder / f"solc-v{SOLC_VERSION}"
    if target.is_symlink() or target.exists():
        if _is_our_shim(target):
            return target
        if target.is_dir():
            raise ToolchainError(f"{target} is a directory; remove it to register the shim")
        if target.exists():  # not a dangling link (those are simply replaced)
            out = _version_output(target)
            if out is None or re.search(r"Version: \d", out) is None:
                raise ToolchainError(
                    f"{target} exists but is neither a native solc nor a solcjs front end; "
                    "remove it to register the shim"
                )
            if "Emscripten" not in out:
                return target  # a real native solc: py-solc-x and ape use it as is
            # else another solcjs front end (e.g. the shim of a moved checkout): replace it
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _install(target)
    except OSError as exc:
        raise ToolchainError(f"cannot register the solc shim at {target}: {exc}") from exc
    return target


SLITHER_CONFIG = "slither.config.json"
BLOCKING_IMPACTS = ("High", "Medium")
IMPACTS = (*BLOCKING_IMPACTS, "Low", "Informational", "Optimization")


@dataclass(frozen=True)
class Accepted:
    """A High or Medium finding reviewed and kept: ``where`` is ``Contract.member``."""

    check: str
    where: str
    reason: str


# A High or Medium finding reviewed and kept is suppressed at its line in the contract
# (`// slither-disable-next-line <detector>`, its reason in the comment above and in SECURITY.md),
# where auditors read it. This list is for findings that cannot be annotated in our sources;
# entries are keyed on names, not line numbers, so the same detector elsewhere still fails.
ACCEPTED_FINDINGS: tuple[Accepted, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One slither result, reduced to what triage needs."""

    check: str
    impact: str
    where: str
    description: str


@dataclass(frozen=True)
class SlitherReport:
    """Every finding, and the blocking ones: High or Medium and not accepted."""

    findings: list[Finding]
    blocking: list[Finding]
    accepted: list[Finding]
    stale: list[Accepted]  # accepted entries slither no longer reports: drop them
    dependency_ir_failures: list[str]  # library functions slither could not analyse

    def counts(self) -> dict[str, int]:
        found = Counter(f.impact for f in self.findings)
        return {impact: found[impact] for impact in IMPACTS}


def _where(element: dict[str, Any]) -> str:
    """``Contract.member`` of a result's first element; a statement counts as its function's."""
    names = [] if element.get("type") == "node" else [str(element.get("name", "?"))]
    parent = element.get("type_specific_fields", {}).get("parent")
    while parent is not None:
        if parent.get("type") in ("function", "contract"):
            names.append(str(parent.get("name", "?")))
        parent = parent.get("type_specific_fields", {}).get("parent")
    return ".".join(reversed(names[:2]))


def _contract_files(project: Project) -> list[str]:
    # Every source: slither's directory target only globs the top level, which would silently
    # skip contracts nothing imports (common/PaymentToken.sol). Hidden folders are tool caches.
    return [
        path.relative_to(project.root).as_posix()
        for path in sorted(project.contracts_dir.rglob("*.sol"))
        if not any(p.startswith(".") for p in path.relative_to(project.contracts_dir).parts)
    ]


def run_slither(project: Project) -> SlitherReport:
    """Run every slither detector not excluded by ``slither.config.json`` over ``contracts/``."""
    # Deferred: slither is a dev extra, and importing it takes a second.
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    config_path = project.root / SLITHER_CONFIG
    if not config_path.is_file():
        raise ToolchainError(f"{config_path} is missing")
    config: dict[str, Any] = json.loads(config_path.read_text())
    # The build's EVM version and remappings, with crytic-compile's own output selection (the
    # AST and source maps). No optimizer: slither reads the AST, and solcjs optimising every
    # contract would add a quarter to the run.
    build_settings = {k: v for k, v in settings().items() if k != "outputSelection"}
    build_settings["optimizer"] = {"enabled": False}
    standard = SolcStandardJson({"settings": build_settings})
    standard.add_source_files(_contract_files(project))
    excluded = set(filter(None, str(config.get("detectors_to_exclude") or "").split(",")))
    options: dict[str, Any] = {  # typed `str` upstream, though some are flags
        "solc": str(find_solc(project).path),
        "solc_working_dir": str(project.root),
        "solc_disable_warnings": True,  # `govchain compile` reports ours; OpenZeppelin's: noise
    }
    dependency_ir_failures = _DependencyIrFailures()
    parsing_log = logging.getLogger("ContractSolcParsing")
    parsing_log.addFilter(dependency_ir_failures)
    cwd = Path.cwd()
    try:
        os.chdir(project.root)  # source names, remappings and the triage file are root-relative
        compilation = CryticCompile(standard, **options)
        slither = Slither(
            compilation,
            filter_paths=[p for p in str(config.get("filter_paths") or "").split(",") if p],
            exclude_dependencies=bool(config.get("exclude_dependencies", False)),
        )
        for detector in vars(all_detectors).values():
            if (
                isinstance(detector, type)
                and issubclass(detector, AbstractDetector)
                and getattr(detector, "ARGUMENT", None) not in excluded
            ):
                slither.register_detector(detector)
        results: list[list[dict[str, Any]]] = slither.run_detectors()
    except Exception as exc:  # crytic-compile and slither raise their own unrelated types
        raise ToolchainError(f"slither failed: {exc}") from exc
    finally:
        os.chdir(cwd)
        parsing_log.removeFilter(dependency_ir_failures)
    findings = [
        Finding(r["check"], r["impact"], _where(r["elements"][0]), r["description"].strip())
        for batch in results
        for r in batch
        if r.get("elements")
    ]
    return triage(findings, dependency_ir_failures.functions)


class _DependencyIrFailures(logging.Filter):
    """Keeps slither's "Impossible to generate IR" errors for OpenZeppelin functions out of the log.

    slither 0.11.6 cannot build its IR for three of OpenZeppelin's EIP712 functions (constructor,
    _EIP712Name, _EIP712Version). Library code is filtered out of the findings anyway, so they
    are named in the summary instead; the same error for one of our own functions still shows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.functions: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        match = re.search(r"Impossible to generate IR for (\S+) \((node_modules/[^)#]*)", message)
        if match is None:
            return True
        self.functions.append(f"{match.group(1)} ({match.group(2)})")
        return False


def triage(
    findings: list[Finding], dependency_ir_failures: list[str] | None = None
) -> SlitherReport:
    """Split ``findings`` by :data:`ACCEPTED_FINDINGS`; only High and Medium ones can block."""
    keys = {(a.check, a.where): a for a in ACCEPTED_FINDINGS}
    accepted = [f for f in findings if (f.check, f.where) in keys]
    blocking = [
        f for f in findings if f.impact in BLOCKING_IMPACTS and (f.check, f.where) not in keys
    ]
    seen = {(f.check, f.where) for f in accepted}
    stale = [a for a in ACCEPTED_FINDINGS if (a.check, a.where) not in seen]
    return SlitherReport(
        findings=findings,
        blocking=blocking,
        accepted=accepted,
        stale=stale,
        dependency_ir_failures=list(dependency_ir_failures or []),
    )


def _slither_main() -> int:
    try:
        report = run_slither(Project.discover())
    except (ToolchainError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for finding in report.blocking:
        print(f"{finding.impact}: {finding.check}: {finding.description}\n")
    for entry in report.stale:
        print(f"note: accepted {entry.check} at {entry.where} is no longer reported; drop it")
    accepted = Counter(f.impact for f in report.accepted)
    counts = ", ".join(
        f"{impact} {n}" + (f" ({accepted[impact]} accepted)" if accepted[impact] else "")
        for impact, n in report.counts().items()
    )
    print(f"slither: {counts}; triage in SECURITY.md")
    if report.dependency_ir_failures:
        print(
            f"slither: no IR for {len(report.dependency_ir_failures)} OpenZeppelin function(s), "
            "not analysed: " + ", ".join(sorted(set(report.dependency_ir_failures)))
        )
    if report.blocking:
        print(f"slither: {len(report.blocking)} High/Medium finding(s) to fix or triage")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m govchain.toolchain register-ape|slither``."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["slither"]:
        return _slither_main()
    if args != ["register-ape"]:
        print("usage: python -m govchain.toolchain register-ape|slither", file=sys.stderr)
        return 2
    try:
        path = register_solc_shim_for_ape()
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
