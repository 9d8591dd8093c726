"""Make the project's solcjs shim usable by ape (ape-solidity) without downloading solc.

ape-solidity asks py-solc-x which compilers are installed, and py-solc-x only lists files named
``solc-v<version>`` in its install folder (``$SOLCX_BINARY_PATH``, default ``~/.solcx``).
:func:`register_solc_shim_for_ape` puts the shim (``govchain/shim/solc.js``, which speaks the
native solc command line) there as ``solc-v0.8.37``: a symlink, or a small ``sh`` wrapper where
symlinks are not available. A real native solc already installed under that name is kept.

Run it as ``python -m govchain.toolchain register-ape``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from govchain.compiler import SHIM, SOLC_VERSION, solcx_install_folder
from govchain.errors import ToolchainError

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


def main(argv: list[str] | None = None) -> int:
    """``python -m govchain.toolchain register-ape``: register the shim, print its path."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["register-ape"]:
        print("usage: python -m govchain.toolchain register-ape", file=sys.stderr)
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
