"""Networks govchain talks to, behind one :class:`Chain` object.

- ``embedded``: eth-tester (py-evm) in this process; no external program.
- ``local``: anvil from ``node_modules`` on 127.0.0.1 and a free port, its state persisted under
  ``.govchain/local/`` so that a restarted devnet keeps its deployments. If ``govchain node`` is
  already serving the project's devnet, it is reused instead of starting a second one.
- any other name: ``networks.<name>.rpc_url`` in ``govchain.yaml`` (or the name is itself an
  ``http(s)://`` URL); transactions are signed locally from an encrypted keystore.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govchain.accounts import DEV_CHAIN_IDS, dev_accounts, load_keystore, refuse_dev_keys
from govchain.errors import ConfigError, NetworkError
from govchain.project import Project

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from govchain.rpc_retry import RetryPolicy

LOCAL = "local"
EMBEDDED = "embedded"
ANVIL_START_TIMEOUT = 30.0


@dataclass
class AnvilProcess:
    """An anvil child process, stopped by its own PID."""

    process: subprocess.Popen[bytes]
    port: int
    state_file: Path | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (anvil writes its state file on the way out), then SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def anvil_binary(project: Project) -> Path:
    binary = project.node_modules / ".bin" / "anvil"
    if not binary.exists():
        raise NetworkError(f"anvil not found at {binary}; run `npm ci` in {project.root}")
    return binary


def start_anvil(
    project: Project,
    *,
    port: int | None = None,
    state_file: Path | None = None,
    chain_id: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> AnvilProcess:
    """Start anvil and return once it answers JSON-RPC."""
    port = port or free_port()
    command = [str(anvil_binary(project)), "--host", "127.0.0.1", "--port", str(port), "--silent"]
    if state_file is not None:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        # --state loads the file if present and dumps on exit; the interval bounds what a crash
        # (SIGKILL, power loss) can lose to one second.
        command += ["--state", str(state_file), "--state-interval", "1"]
        # anvil rebuilds block 0 at every start, stamped with the current time, so a restarted
        # devnet would get a new genesis hash. Pinning the genesis timestamp keeps it stable.
        command += ["--timestamp", str(_genesis_timestamp(state_file))]
    if chain_id is not None:
        command += ["--chain-id", str(chain_id)]
    command += list(extra_args)
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    anvil = AnvilProcess(process, port, state_file)
    deadline = time.monotonic() + ANVIL_START_TIMEOUT
    while not _rpc_answers(anvil.url):
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise NetworkError(f"anvil exited with code {process.returncode}: {stderr.strip()}")
        if time.monotonic() > deadline:
            anvil.stop()
            raise NetworkError(f"anvil did not answer on {anvil.url} within {ANVIL_START_TIMEOUT}s")
        time.sleep(0.02)  # process start-up, not chain state: nothing to subscribe to yet
    return anvil


def _genesis_timestamp(state_file: Path) -> int:
    path = state_file.with_name(state_file.name + ".genesis-timestamp")
    if state_file.exists() and path.is_file():
        return int(path.read_text().strip())
    timestamp = int(time.time())
    path.write_text(f"{timestamp}\n")
    return timestamp


def _rpc_answers(url: str, timeout: float = 1.0) -> bool:
    import urllib.request

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return "result" in json.loads(response.read())
    except (OSError, ValueError):
        return False


@dataclass
class Chain:
    """A connected network: web3, the accounts that sign, and what to clean up."""

    name: str
    w3: Web3
    accounts: list[LocalAccount]
    confirmations: int = 0
    anvil: AnvilProcess | None = None
    url: str | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    @property
    def is_devnet(self) -> bool:
        return self.name == EMBEDDED or self.chain_id in DEV_CHAIN_IDS

    @property
    def genesis_hash(self) -> str:
        return "0x" + bytes(self.w3.eth.get_block(0)["hash"]).hex()

    @property
    def deployer(self) -> LocalAccount:
        if not self.accounts:
            raise NetworkError(f"no signing account configured for network {self.name!r}")
        return self.accounts[0]

    def rpc(self, method: str, *params: Any) -> Any:
        """A raw JSON-RPC call (anvil's ``evm_*``/``anvil_*`` namespaces)."""
        response = self.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise NetworkError(f"{method} failed: {response['error']}")
        return response["result"]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.anvil is not None:
            self.anvil.stop()

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _web3_http(url: str, retry: RetryPolicy | None = None) -> Web3:
    """Web3 over HTTP with bounded retries of transport failures (see :mod:`govchain.rpc_retry`)."""
    from web3 import Web3
    from web3.types import RPCEndpoint

    from govchain.rpc_retry import RetryingHTTPProvider

    # web3's ValidationMiddleware asks the node for its chain id twice per eth_call and
    # eth_estimateGas; the chain id of an endpoint does not change, so cache just that.
    provider = RetryingHTTPProvider(
        url,
        retry,
        cache_allowed_requests=True,
        cacheable_requests={RPCEndpoint("eth_chainId")},
    )
    return Web3(provider)


def node_file(project: Project) -> Path:
    """Where ``govchain node`` advertises the running devnet (pid, port)."""
    return project.state_dir / LOCAL / "node.json"


def local_state_file(project: Project) -> Path:
    return project.state_dir / LOCAL / "anvil-state.json"


def running_node_url(project: Project) -> str | None:
    """The URL of the project's devnet if ``govchain node`` is serving it."""
    path = node_file(project)
    if not path.is_file():
        return None
    try:
        info = json.loads(path.read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError):
        return None
    url = str(info["url"])
    return url if _rpc_answers(url) else None


def connect(
    project: Project,
    network: str,
    *,
    account: str | None = None,
    password: str | None = None,
) -> Chain:
    """Connect to ``network`` (starting the local devnet if needed)."""
    config = project.network_config(network)
    account = account or config.get("account")
    if network == EMBEDDED:
        chain = _embedded()
    elif network == LOCAL:
        chain = _local(project, config)
    else:
        url = config.get("rpc_url") or (
            network if network.startswith(("http://", "https://")) else None
        )
        if not url:
            raise ConfigError(
                f"unknown network {network!r}: use embedded, local, an http(s):// URL, "
                f"or add networks.{network}.rpc_url to govchain.yaml"
            )
        url = os.path.expandvars(str(url))
        w3 = _web3_http(url)
        if not w3.is_connected():
            from govchain.rpc_retry import redact_url

            raise NetworkError(f"cannot reach RPC endpoint {redact_url(url)}")
        chain = Chain(network, w3, [], confirmations=int(config.get("confirmations", 1)), url=url)
    try:
        if account:
            chain.accounts = [load_keystore(account, password)]
        refuse_dev_keys(chain.accounts, chain.chain_id)
    except BaseException:
        chain.close()
        raise
    return chain


def _embedded() -> Chain:
    from eth_account import Account
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider, Web3

    backend = PyEVMBackend()
    tester = EthereumTester(backend)
    w3 = Web3(EthereumTesterProvider(tester))
    keys = [backend.account_keys[i] for i in range(len(backend.account_keys))]
    accounts = [Account.from_key(key.to_bytes()) for key in keys]
    return Chain(EMBEDDED, w3, accounts, url=None)


def _local(project: Project, config: dict[str, Any]) -> Chain:
    accounts = list(dev_accounts())
    if url := running_node_url(project):
        return Chain(LOCAL, _web3_http(url), accounts, url=url)
    anvil = start_anvil(project, state_file=local_state_file(project))
    return Chain(LOCAL, _web3_http(anvil.url), accounts, anvil=anvil, url=anvil.url)


def serve_node(project: Project, port: int | None = None) -> AnvilProcess:
    """Start the project's devnet for other tools and advertise it in ``.govchain/local``."""
    if url := running_node_url(project):
        raise NetworkError(f"the project's devnet is already running at {url}")
    anvil = start_anvil(project, port=port, state_file=local_state_file(project))
    path = node_file(project)
    path.write_text(json.dumps({"pid": anvil.pid, "port": anvil.port, "url": anvil.url}))
    return anvil


def forget_node(project: Project) -> None:
    with contextlib.suppress(FileNotFoundError):
        node_file(project).unlink()
