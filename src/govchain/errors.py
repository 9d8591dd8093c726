"""The exception hierarchy of govchain.

Every failure govchain reports derives from :class:`GovchainError`, so a clerk's script can catch
one type. Contract reverts are decoded once, in :mod:`govchain.revert`, into subclasses of
:class:`ContractError` named after the contract's custom error.
"""

from __future__ import annotations

from typing import Any


class GovchainError(Exception):
    """Root of every error govchain raises on purpose."""


class ConfigError(GovchainError):
    """The project configuration (``govchain.yaml``) is missing or invalid."""


class CompilationError(GovchainError):
    """solc rejected the sources; ``problems`` holds ``file:line: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ToolchainError(GovchainError):
    """A required tool (solc, node, anvil) is missing or misbehaves."""


class NetworkError(GovchainError):
    """A network could not be started, reached or identified."""


class KeystoreError(GovchainError):
    """A keystore is missing, unreadable, or the password is wrong."""


class DevKeyRefused(GovchainError):
    """A well-known development key was about to sign on a non-development chain."""


class DeploymentError(GovchainError):
    """A deployment could not be performed or its record is unusable."""


class StaleDeploymentError(DeploymentError):
    """A deployment record no longer matches its chain (devnet reset, code missing)."""


class TransactionFailed(GovchainError):
    """A transaction reverted and its revert data could not be decoded to a custom error."""

    def __init__(self, message: str, *, tx_hash: str | None = None, data: bytes = b"") -> None:
        self.tx_hash = tx_hash
        self.data = data
        super().__init__(message)


class ContractError(TransactionFailed):
    """A contract reverted with a custom error; subclasses are named after the error.

    ``args`` of the Solidity error are available by name in :attr:`inputs`.
    """

    error_name: str = ""
    signature: str = ""

    def __init__(
        self,
        inputs: dict[str, Any],
        *,
        contract: str | None = None,
        tx_hash: str | None = None,
        data: bytes = b"",
    ) -> None:
        self.inputs = inputs
        self.contract = contract
        rendered = ", ".join(f"{key}={_render(value)}" for key, value in inputs.items())
        where = f"{contract}: " if contract else ""
        super().__init__(f"{where}{self.error_name}({rendered})", tx_hash=tx_hash, data=data)

    def __getattr__(self, name: str) -> Any:
        # Expose decoded error arguments as attributes: ``err.neededRole``.
        inputs = self.__dict__.get("inputs", {})
        if name in inputs:
            return inputs[name]
        raise AttributeError(name)


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) else str(value)
