"""Private keys and keystore passwords stay secret: files, errors, CLI output, explorer pages.

Every test here also runs under ``secret_watch`` (registered in conftest), which fails any test
whose output shows a watched secret; the explicit assertions below make each test fail on its
own too. Development keys are refused on any chain that is not a devnet.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from eth_account import Account
from eth_utils import keccak
from requests.exceptions import ConnectionError as RequestsConnectionError
from starlette.testclient import TestClient
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3RPCError

from govchain import ContractError, DevKeyRefused, KeystoreError, NetworkError
from govchain.accounts import dev_accounts, load_keystore, refuse_dev_keys, save_keystore
from govchain.chain import AnvilProcess, Chain, connect, free_port, start_anvil
from govchain.cli import main
from govchain.deploy import DeploymentRecord
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.sender import Sender
from govchain.session import Session, registries
from secret_watch import DEV_KEY, PASSWORD, PRIVATE_KEY, find_leaks, redact, register

TESTS = Path(__file__).resolve().parent
KEY = "0x" + keccak(text="govchain test_secrets: the treasury's key").hex()
SECRET = "correct-horse-battery-staple-7"
WRONG = "correct-horse-battery-staple-8"  # a near miss of the real one: as secret as it is
for _secret in (KEY, SECRET, WRONG):
    register(_secret)

DEV_KEY_0 = "0x" + bytes(dev_accounts()[0].key).hex()
DEV_ADDRESS_0 = dev_accounts()[0].address
PUBLIC_CHAIN_ID = 11155111  # Sepolia's


@pytest.fixture(autouse=True)
def keystores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A keystore directory that does not exist yet: govchain creates it."""
    directory = tmp_path / "home" / "keystores"
    monkeypatch.setenv("GOVCHAIN_KEYSTORE_DIR", str(directory))
    monkeypatch.delenv("GOVCHAIN_PASSWORD", raising=False)
    monkeypatch.delenv("GOVCHAIN_PRIVATE_KEY", raising=False)
    return directory


@pytest.fixture(autouse=True)
def quick_keystores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap scrypt cost (2**10, not 2**18): these tests are about what is shown, not the KDF."""
    encrypt = Account.encrypt

    def quick(key: Any, password: str, kdf: Any = None, iterations: int | None = None) -> Any:
        return encrypt(key, password, kdf, 2**10)

    monkeypatch.setattr(Account, "encrypt", staticmethod(quick))


def everything_about(exc: BaseException) -> str:
    """All a log or a crash report could show of an exception: str, repr, the traceback."""
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def all_output(result: Result) -> str:
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += everything_about(result.exception)
    return text


def fund(chain: Chain, address: str) -> None:
    chain.rpc("anvil_setBalance", address, hex(10**20))


# -- the watcher itself -------------------------------------------------------------------------


def test_the_checker_finds_a_key_in_any_form_and_a_password_exactly() -> None:
    body = KEY[2:]
    for form in (KEY, body, body.upper(), "0X" + body.upper(), repr(bytes.fromhex(body))):
        assert find_leaks(f"signed with {form}.") == [PRIVATE_KEY], form
    assert find_leaks(f"key {dev_accounts()[7].key.hex()}") == [DEV_KEY]
    assert find_leaks(f"password was {SECRET}!") == [PASSWORD]
    # Near values, other letter case of a password and unwatched short values are not leaks.
    assert find_leaks(f"{body[:-1]} {SECRET.upper()} {SECRET[:-1]}") == []
    register("pw")
    assert find_leaks("pw") == []
    redacted = redact(f"key {body.upper()} password {SECRET}")
    assert redacted == f"key [{PRIVATE_KEY}] password [{PASSWORD}]"


LEAKY_TESTS = """
    import subprocess
    import sys

    import click
    import pytest
    from click.testing import CliRunner

    import secret_watch
    from govchain.accounts import dev_accounts

    secret_watch.register("inner-password-123")


    def test_prints_a_dev_key():
        print("using key", dev_accounts()[1].key.hex().upper())


    def test_cli_echoes_a_password():
        @click.command()
        def echo():
            click.echo("inner-" + "password-123")

        assert CliRunner().invoke(echo).exit_code == 0


    def test_subprocess_prints_a_password():
        code = "print('inner-' + 'password-123')"
        subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)


    def test_fails_naming_the_password():
        raise ValueError("wrong password inner-password-123")


    @pytest.mark.xfail(reason="a leak is never an expected failure")
    def test_xfail_leaking_in_its_error():
        raise ValueError("inner-password-123")


    def test_quiet():
        print("nothing secret here")
"""


def test_a_leaking_test_fails_the_run_naming_it_without_printing_the_secret(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_leaky.py").write_text(textwrap.dedent(LEAKY_TESTS))
    env = {**os.environ, "PYTHONPATH": str(TESTS), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "secret_watch", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "inner-password-123" not in output
    assert bytes(dev_accounts()[1].key).hex() not in output.lower()
    assert "5 failed, 1 passed" in output
    for line in (
        "test_leaky.py::test_prints_a_dev_key: a dev private key appeared in Captured stdout call",
        "test_leaky.py::test_cli_echoes_a_password: a keystore password appeared in CliRunner "
        "output",
        "test_leaky.py::test_subprocess_prints_a_password: a keystore password appeared in a "
        "subprocess's output",
        "test_leaky.py::test_fails_naming_the_password: a keystore password appeared in the "
        "failure text",
        "test_leaky.py::test_xfail_leaking_in_its_error: a keystore password appeared in the "
        "failure text",
    ):
        assert f"SECRET LEAK: {line}" in output
    assert "test_quiet" not in output


# -- keystore files -----------------------------------------------------------------------------


def test_keystore_files_are_owner_only_in_a_private_directory(keystores: Path) -> None:
    entry = save_keystore("treasury", KEY, SECRET)
    assert entry.path.parent == keystores
    assert entry.path.stat().st_mode & 0o777 == 0o600
    assert keystores.stat().st_mode & 0o077 == 0  # nobody else may even list the names
    assert find_leaks(entry.path.read_text()) == []  # encrypted: neither key nor password
    created = cli("accounts", "new", "clerk", input=f"{SECRET}\n{SECRET}\n")
    assert created.exit_code == 0, created.output
    assert (keystores / "clerk.json").stat().st_mode & 0o777 == 0o600


# -- exceptions ---------------------------------------------------------------------------------


def test_a_wrong_password_error_names_the_keystore_and_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_keystore("treasury", KEY, SECRET)
    with pytest.raises(KeystoreError, match="wrong password for keystore 'treasury'") as typed:
        load_keystore("treasury", WRONG)
    monkeypatch.setenv("GOVCHAIN_PASSWORD", WRONG)
    with pytest.raises(KeystoreError, match="wrong password for keystore 'treasury'") as from_env:
        load_keystore("treasury")
    for error in (typed.value, from_env.value):
        assert find_leaks(everything_about(error)) == []


@pytest.mark.parametrize(
    "bad_key",
    [KEY + "ab", KEY[:-1] + "g", KEY[:-2]],
    ids=["33 bytes", "not hex", "31 bytes"],
)
def test_a_bad_private_key_is_refused_without_echoing_it(bad_key: str) -> None:
    body = bad_key[2:62].lower()  # 30 bytes of it: enough to recognise it anywhere
    with pytest.raises(KeystoreError, match="not a valid private key") as refused:
        save_keystore("broken", bad_key, SECRET)
    text = everything_about(refused.value)
    assert find_leaks(text) == [] and body not in text.lower()
    imported = cli("accounts", "import", "broken", input=f"{bad_key}\n{SECRET}\n{SECRET}\n")
    assert imported.exit_code == 1
    assert imported.output.splitlines()[-1].startswith("error: not a valid private key")
    assert find_leaks(all_output(imported)) == [] and body not in imported.output.lower()


def test_a_revert_of_a_keystore_signed_transaction_carries_no_secret(
    session: Session, token: Any
) -> None:
    save_keystore("treasury", KEY, SECRET)
    account = load_keystore("treasury", SECRET)
    fund(session.chain, account.address)
    sender = session.sender_for(account)
    mint = token.functions.mint(account.address, 1)  # the treasury is no minter
    with pytest.raises(ContractError) as estimated:
        sender.transact(mint)
    # Given gas, nothing is estimated: the transaction is signed, mined, fails and is replayed.
    pending = sender.send_call(mint, gas=200_000)
    with pytest.raises(ContractError) as mined:
        sender.wait(pending)
    assert mined.value.tx_hash == pending.tx_hash
    for error in (estimated.value, mined.value):
        assert error.error_name == "AccessControlUnauthorizedAccount"
        assert error.inputs["account"] == account.address
        assert find_leaks(everything_about(error)) == []
    assert find_leaks(repr(sender) + repr(session.chain)) == []  # the signer holds the key


def test_failing_rpcs_with_a_keystore_signer_carry_no_secret(
    session: Session, tmp_project: Project
) -> None:
    save_keystore("treasury", KEY, SECRET)
    account = load_keystore("treasury", SECRET)
    # The node refuses a signed transaction: the account has no ether to pay for gas.
    broke = Sender(session.chain.w3, account)
    with pytest.raises(Web3RPCError, match="(?i)insufficient funds") as refused:
        broke.send(DEV_ADDRESS_0, b"", value=1, gas=21_000)
    # Nobody answers at all.
    nowhere = f"http://127.0.0.1:{free_port()}"
    unreachable = Sender(Web3(HTTPProvider(nowhere)), account)
    with pytest.raises(RequestsConnectionError) as dropped:
        unreachable.send(DEV_ADDRESS_0, b"", value=1, gas=21_000)
    with pytest.raises(NetworkError, match="cannot reach RPC endpoint") as connecting:
        connect(tmp_project, nowhere, account="treasury", password=SECRET)
    for error in (refused.value, dropped.value, connecting.value):
        assert find_leaks(everything_about(error)) == []


# -- the CLI and the explorer -------------------------------------------------------------------


@dataclass
class KeystoreDeployment:
    address: str
    outputs: dict[str, Result]
    project: Project
    chain: Chain


@pytest.fixture
def keystore_deployment(
    devnet_project: Project, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> KeystoreDeployment:
    """The suite deployed by an imported keystore through the CLI, with every output kept."""
    outputs = {
        "import": cli("accounts", "import", "treasury", input=f"{KEY}\n{SECRET}\n{SECRET}\n"),
        "new": cli("accounts", "new", "clerk", input=f"{SECRET}\n{SECRET}\n"),
        "list": cli("accounts", "list"),
    }
    address = load_keystore("treasury", SECRET).address
    fund(chain, address)
    outputs["deploy"] = cli("deploy", "--account", "treasury", input=f"{SECRET}\n")
    outputs["wrong password"] = cli("status", "--account", "treasury", input=f"{WRONG}\n")
    monkeypatch.setenv("GOVCHAIN_PASSWORD", SECRET)
    outputs["status"] = cli("status", "--account", "treasury")
    return KeystoreDeployment(address, outputs, devnet_project, chain)


def test_cli_accounts_deploy_and_status_never_print_a_key_or_password(
    keystore_deployment: KeystoreDeployment,
) -> None:
    outputs = keystore_deployment.outputs
    address = keystore_deployment.address
    for name, result in outputs.items():
        expected = 1 if name == "wrong password" else 0
        assert result.exit_code == expected, (name, result.output)
        assert find_leaks(all_output(result)) == [], name
    assert f"imported treasury: {address}" in outputs["import"].output
    assert f"treasury             {address}" in outputs["list"].output
    assert "deployed PaymentToken at 0x" in outputs["deploy"].output
    assert "error: wrong password for keystore 'treasury'" in outputs["wrong password"].output
    assert f"account   {address} (" in outputs["status"].output
    record = DeploymentRecord.path(keystore_deployment.project, "local")
    assert find_leaks(record.read_text()) == []


def test_explorer_pages_of_a_keystore_deployer_never_show_its_key(
    keystore_deployment: KeystoreDeployment, tmp_path: Path
) -> None:
    project, chain = keystore_deployment.project, keystore_deployment.chain
    address = keystore_deployment.address
    record = DeploymentRecord.load(project, "local")
    assert record is not None
    deployment_tx = record.contracts["PaymentToken"].tx_hash
    errors, events = registries(project)
    session = Session(project, chain, errors, events)
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    state = Explorer(session, store, Indexer(session, store))
    state.sync()
    paths = [
        "/",
        f"/address/{address}",
        f"/api/address/{address}",
        f"/address/{address.lower()}",
        f"/tx/{deployment_tx}",
        f"/api/tx/{deployment_tx}",
        "/contract/PaymentToken",
        f"/search?q={address}",
    ]
    with TestClient(create_app(state, sync_every=None)) as client:
        pages = {path: client.get(path) for path in paths}
    for path, page in pages.items():
        assert page.status_code == 200, (path, page.status_code)
        assert find_leaks(page.text) == [], path
    assert address in pages[f"/address/{address}"].text
    assert address in pages[f"/tx/{deployment_tx}"].text


# -- development keys on public chains ----------------------------------------------------------


@pytest.fixture(scope="module")
def public_chain(project: Project) -> Iterator[AnvilProcess]:
    """An anvil that calls itself Sepolia: to govchain, a public chain."""
    process = start_anvil(project, chain_id=PUBLIC_CHAIN_ID)
    yield process
    process.stop()


def test_every_dev_key_is_refused_on_a_public_chain_id() -> None:
    for account in dev_accounts():
        with pytest.raises(DevKeyRefused, match=f"account {account.address} is a public") as no:
            refuse_dev_keys([account], 1)
        assert find_leaks(everything_about(no.value)) == []


def test_the_cli_refuses_a_dev_key_on_a_public_chain_but_signs_with_an_own_key(
    tmp_project: Project, public_chain: AnvilProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVCHAIN_PROJECT", str(tmp_project.root))
    imported = cli("accounts", "import", "devkey", input=f"{DEV_KEY_0}\n{SECRET}\n{SECRET}\n")
    assert imported.exit_code == 0, imported.output
    save_keystore("treasury", KEY, SECRET)
    monkeypatch.setenv("GOVCHAIN_PASSWORD", SECRET)
    url = public_chain.url
    refusal = (
        f"error: account {DEV_ADDRESS_0} is a public development key (anvil/hardhat test "
        f"mnemonic); refusing to sign on chain id {PUBLIC_CHAIN_ID}. Use a keystore of your own."
    )
    for command in ("status", "deploy"):
        refused = cli(command, "--network", url, "--account", "devkey")
        assert refused.exit_code == 1, refused.output
        assert refused.output.strip() == refusal
    own = cli("status", "--network", url, "--account", "treasury")
    assert own.exit_code == 0, own.output
    assert f"chain id  {PUBLIC_CHAIN_ID}," in own.output
    assert f"account   {load_keystore('treasury').address} (0.0000 ETH)" in own.output
    assert find_leaks(imported.output + refused.output + own.output) == []
