"""Keystores and the refusal to sign with public development keys on real chains."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from govchain import DevKeyRefused, KeystoreError
from govchain.accounts import (
    dev_accounts,
    list_keystores,
    load_keystore,
    new_keystore,
    refuse_dev_keys,
    save_keystore,
)
from govchain.chain import connect, start_anvil
from govchain.project import Project
from secret_watch import register

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
SEPOLIA = 11155111
PASSWORD = "pw-of-the-clerk"  # at least 8 characters, so that secret_watch watches it
for _password in ("correct horse", "battery staple", "pw-from-env", PASSWORD):
    register(_password)


@pytest.fixture(autouse=True)
def keystores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "keystores"
    monkeypatch.setenv("GOVCHAIN_KEYSTORE_DIR", str(directory))
    monkeypatch.delenv("GOVCHAIN_PASSWORD", raising=False)
    return directory


@pytest.fixture(scope="module")
def sepolia_like(project: Project) -> Iterator[str]:
    """An anvil pretending to be a public chain (chain id 11155111)."""
    process = start_anvil(project, chain_id=SEPOLIA)
    yield process.url
    process.stop()


def test_dev_accounts_are_anvils_well_known_keys() -> None:
    assert dev_accounts()[0].key.hex().removeprefix("0x") == ANVIL_KEY_0[2:]
    assert dev_accounts()[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_new_keystore_round_trips_with_the_right_password(keystores: Path) -> None:
    entry = new_keystore("agency", "correct horse")
    assert entry.path == keystores / "agency.json"
    assert entry.path.stat().st_mode & 0o777 == 0o600
    assert load_keystore("agency", "correct horse").address == entry.address
    assert [(e.name, e.address) for e in list_keystores()] == [("agency", entry.address)]


def test_wrong_password_is_a_clear_error() -> None:
    new_keystore("agency", "correct horse")
    with pytest.raises(KeystoreError, match="wrong password for keystore 'agency'"):
        load_keystore("agency", "battery staple")


def test_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = new_keystore("clerk", "pw-from-env")
    monkeypatch.setenv("GOVCHAIN_PASSWORD", "pw-from-env")
    assert load_keystore("clerk").address == entry.address


def test_missing_password_and_missing_keystore_are_named() -> None:
    new_keystore("clerk", PASSWORD)
    with pytest.raises(KeystoreError, match="no password for keystore 'clerk'"):
        load_keystore("clerk")
    with pytest.raises(KeystoreError, match=r"no keystore named 'nobody'.*known: clerk"):
        load_keystore("nobody", PASSWORD)


def test_import_refuses_overwrite_bad_keys_and_bad_names() -> None:
    save_keystore("treasury", ANVIL_KEY_0, PASSWORD)
    with pytest.raises(KeystoreError, match="already exists"):
        save_keystore("treasury", Account.create().key, PASSWORD)
    with pytest.raises(KeystoreError, match="not a valid private key"):
        save_keystore("broken", "0x1234", PASSWORD)
    with pytest.raises(KeystoreError, match="invalid keystore name"):
        save_keystore("../escape", Account.create().key, PASSWORD)
    with pytest.raises(KeystoreError, match="empty password"):
        save_keystore("nopass", Account.create().key, "")


def test_dev_keys_are_allowed_on_devnet_chain_ids() -> None:
    refuse_dev_keys(list(dev_accounts()), 31337)
    refuse_dev_keys(list(dev_accounts()), 1337)


def test_dev_key_is_refused_on_any_other_chain_id() -> None:
    with pytest.raises(DevKeyRefused, match="chain id 11155111"):
        refuse_dev_keys([dev_accounts()[3]], SEPOLIA)


def test_connecting_with_a_dev_key_keystore_to_a_public_chain_is_refused(
    tmp_project: Project, sepolia_like: str
) -> None:
    save_keystore("imported-dev", ANVIL_KEY_0, PASSWORD)
    with pytest.raises(DevKeyRefused, match="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"):
        connect(tmp_project, sepolia_like, account="imported-dev", password=PASSWORD)


def test_own_keystore_signs_on_a_public_chain(tmp_project: Project, sepolia_like: str) -> None:
    entry = new_keystore("agency", PASSWORD)
    with connect(tmp_project, sepolia_like, account="agency", password=PASSWORD) as chain:
        assert chain.chain_id == SEPOLIA
        assert chain.deployer.address == entry.address
        assert not chain.is_devnet


def test_local_devnet_with_dev_keys_is_fine(tmp_project: Project) -> None:
    with connect(tmp_project, "local") as chain:
        assert chain.deployer.address == dev_accounts()[0].address
