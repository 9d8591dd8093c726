"""govchain: Ethereum smart contracts for public services, and the tooling to drive them."""

from govchain.errors import (
    CompilationError,
    ConfigError,
    ContractError,
    DeploymentError,
    DevKeyRefused,
    GovchainError,
    KeystoreError,
    NetworkError,
    StaleDeploymentError,
    ToolchainError,
    TransactionFailed,
)
from govchain.revert import contract_error
from govchain.session import Session, connect

__all__ = [
    "CompilationError",
    "ConfigError",
    "ContractError",
    "DeploymentError",
    "DevKeyRefused",
    "GovchainError",
    "KeystoreError",
    "NetworkError",
    "Session",
    "StaleDeploymentError",
    "ToolchainError",
    "TransactionFailed",
    "connect",
    "contract_error",
]
