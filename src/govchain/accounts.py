"""Signing accounts: anvil's well-known development keys and encrypted keystores.

Keystores are eth-account (Web3 Secret Storage) JSON files under ``~/.govchain/keystores`` (or
``$GOVCHAIN_KEYSTORE_DIR``). Passwords come from a prompt or ``$GOVCHAIN_PASSWORD``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from govchain.errors import DevKeyRefused, KeystoreError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

DEV_CHAIN_IDS = frozenset({31337, 1337})
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
KEYSTORE_DIR_ENV = "GOVCHAIN_KEYSTORE_DIR"
PASSWORD_ENV = "GOVCHAIN_PASSWORD"


@cache
def dev_accounts(count: int = DEV_ACCOUNT_COUNT) -> tuple[LocalAccount, ...]:
    """anvil's (and hardhat's) default accounts, derived from the public test mnemonic."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return tuple(
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        for i in range(count)
    )


@cache
def dev_addresses() -> frozenset[str]:
    return frozenset(account.address for account in dev_accounts())


def refuse_dev_keys(accounts: list[LocalAccount], chain_id: int) -> None:
    """Raise :class:`DevKeyRefused` if a public development key would sign on a real chain.

    Anyone can sign with these keys, so funds sent to them on a real chain are lost at once.
    """
    if chain_id in DEV_CHAIN_IDS:
        return
    for account in accounts:
        if account.address in dev_addresses():
            raise DevKeyRefused(
                f"account {account.address} is a public development key (anvil/hardhat test "
                f"mnemonic); refusing to sign on chain id {chain_id}. Use a keystore of your own."
            )


@dataclass(frozen=True)
class KeystoreEntry:
    """One keystore file: its name (file stem) and address."""

    name: str
    address: str
    path: Path


def keystore_dir() -> Path:
    if env := os.environ.get(KEYSTORE_DIR_ENV):
        return Path(env)
    return Path.home() / ".govchain" / "keystores"


def _path(name: str) -> Path:
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise KeystoreError(f"invalid keystore name {name!r}: use letters, digits, '-' or '_'")
    return keystore_dir() / f"{name}.json"


def list_keystores() -> list[KeystoreEntry]:
    directory = keystore_dir()
    if not directory.is_dir():
        return []
    entries = []
    for path in sorted(directory.glob("*.json")):
        try:
            address = json.loads(path.read_text())["address"]
        except (OSError, ValueError, KeyError):
            continue
        from eth_utils import to_checksum_address

        entries.append(KeystoreEntry(path.stem, to_checksum_address(address), path))
    return entries


def save_keystore(name: str, private_key: str | bytes, password: str) -> KeystoreEntry:
    """Encrypt ``private_key`` with ``password`` into keystore ``name`` (never overwrites)."""
    from eth_account import Account

    if not password:
        raise KeystoreError("an empty password is not allowed")
    path = _path(name)
    if path.exists():
        raise KeystoreError(f"keystore {name!r} already exists at {path}")
    try:
        account = Account.from_key(private_key)
    except (ValueError, TypeError) as exc:
        raise KeystoreError(f"not a valid private key: {exc}") from exc
    # Owner-only, like the files: the names and addresses listed are nobody else's business.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = Account.encrypt(account.key, password)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    return KeystoreEntry(name, account.address, path)


def new_keystore(name: str, password: str) -> KeystoreEntry:
    """Create a fresh random key in keystore ``name``."""
    from eth_account import Account

    return save_keystore(name, Account.create().key, password)


def load_keystore(name: str, password: str | None = None) -> LocalAccount:
    """Decrypt keystore ``name``; the password defaults to ``$GOVCHAIN_PASSWORD``."""
    from eth_account import Account

    path = _path(name)
    if not path.is_file():
        known = ", ".join(e.name for e in list_keystores()) or "none"
        raise KeystoreError(f"no keystore named {name!r} in {path.parent} (known: {known})")
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    if password is None:
        raise KeystoreError(
            f"no password for keystore {name!r}: prompt for it or set {PASSWORD_ENV}"
        )
    try:
        key = Account.decrypt(json.loads(path.read_text()), password)
    except ValueError as exc:
        raise KeystoreError(f"wrong password for keystore {name!r}") from exc
    account: LocalAccount = Account.from_key(key)
    return account
