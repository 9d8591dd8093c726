"""Fault injection on the sending side: dropped and stuck transactions, a flaky RPC endpoint.

The mempool faults run on an anvil of their own that mines only when told (``--no-mining``);
the transport faults put :class:`rpc_proxy.RpcProxy` between govchain and anvil. In every case
one intent must cost exactly one nonce.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils import keccak
from web3.types import RPCEndpoint

from govchain import NetworkError
from govchain.accounts import dev_accounts
from govchain.chain import Chain, _web3_http, free_port, start_anvil
from govchain.project import Project
from govchain.rpc_retry import RetryPolicy, RpcUnavailable
from govchain.sender import ResendPolicy, Sender
from govchain.session import Session
from rpc_proxy import Fault, RpcProxy

FAST = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05, max_elapsed=5.0, timeout=2.0)


@pytest.fixture(scope="module")
def manual_anvil(project: Project) -> Iterator[Chain]:
    """An anvil that mines only on ``evm_mine`` (or while automine is switched on)."""
    anvil = start_anvil(project, extra_args=("--no-mining",))
    with Chain("local", _web3_http(anvil.url), list(dev_accounts()), anvil=anvil) as chain:
        chain.url = anvil.url
        yield chain


@pytest.fixture
def manual(manual_anvil: Chain) -> Iterator[Chain]:
    yield manual_anvil
    manual_anvil.rpc("anvil_dropAllTransactions")
    manual_anvil.rpc("evm_setAutomine", False)


@pytest.fixture
def proxy(chain: Chain) -> Iterator[RpcProxy]:
    assert chain.url is not None
    with RpcProxy(chain.url) as running:
        yield running


def nonce(chain: Chain, address: str) -> int:
    return int(chain.w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]


def known(chain: Chain, tx_hash: str) -> Any:
    return chain.rpc("eth_getTransactionByHash", tx_hash)


def mined(chain: Chain, tx_hash: str) -> Any:
    return chain.rpc("eth_getTransactionReceipt", tx_hash)


# -- the mempool -------------------------------------------------------------------------------


def test_dropped_transaction_is_broadcast_again_with_the_same_hash_and_mined_once(
    manual: Chain,
) -> None:
    account, to = manual.accounts[1], manual.accounts[2].address
    resent: list[tuple[str, str]] = []
    sender = Sender(
        manual.w3,
        account,
        resend=ResendPolicy(check_every=0.0, replace_after=None),
        on_resend=lambda kind, p: resent.append((kind, p.tx_hash)),
        receipt_timeout=3.0,
    )
    start = nonce(manual, account.address)
    pending = sender.send(to, b"", value=1)
    manual.rpc("anvil_dropTransaction", pending.tx_hash)
    assert known(manual, pending.tx_hash) is None
    manual.rpc("evm_setAutomine", True)  # the re-broadcast is mined the moment it arrives

    receipt = sender.wait(pending)

    assert resent == [("rebroadcast", pending.tx_hash)]
    assert receipt.tx_hash == pending.tx_hash and receipt.superseded == ()
    assert nonce(manual, account.address) == start + 1
    block = manual.w3.eth.get_block(receipt.block_number, full_transactions=True)
    transactions: list[Any] = list(block["transactions"])
    assert ["0x" + bytes(tx["hash"]).hex() for tx in transactions] == [pending.tx_hash]


def test_stuck_transaction_is_replaced_with_higher_fees_and_only_the_replacement_is_mined(
    manual: Chain,
) -> None:
    account, to = manual.accounts[1], manual.accounts[2].address
    replaced: list[str] = []

    def mine_the_replacement(kind: str, version: Any) -> None:
        assert kind == "replaced"
        replaced.append(version.tx_hash)
        manual.rpc("evm_mine")

    sender = Sender(
        manual.w3,
        account,
        resend=ResendPolicy(check_every=60.0, replace_after=0.0, max_replacements=1),
        on_resend=mine_the_replacement,
        receipt_timeout=3.0,
    )
    start = nonce(manual, account.address)
    pending = sender.send(to, b"", value=7)

    receipt = sender.wait(pending)

    assert len(replaced) == 1 and replaced[0] != pending.tx_hash
    assert receipt.tx_hash == replaced[0]
    assert receipt.superseded == (pending.tx_hash,)
    assert known(manual, pending.tx_hash) is None and mined(manual, pending.tx_hash) is None
    assert nonce(manual, account.address) == start + 1
    original, replacement = pending.tx, manual.w3.eth.get_transaction(replaced[0])  # type: ignore[arg-type]
    assert replacement["nonce"] == original["nonce"] == pending.nonce
    assert (replacement["to"], replacement["value"], replacement["gas"]) == (
        to,
        7,
        original["gas"],
    )
    # Nodes refuse a replacement unless both fee caps rise by at least 10%.
    assert replacement["maxFeePerGas"] * 10 >= original["maxFeePerGas"] * 11
    assert replacement["maxPriorityFeePerGas"] * 10 >= original["maxPriorityFeePerGas"] * 11


def test_replacements_are_bounded_and_all_versions_share_one_nonce(manual: Chain) -> None:
    account, to = manual.accounts[1], manual.accounts[2].address
    versions: list[str] = []
    sender = Sender(
        manual.w3,
        account,
        resend=ResendPolicy(check_every=60.0, replace_after=0.0, max_replacements=2),
        on_resend=lambda kind, p: versions.append(p.tx_hash),
        receipt_timeout=0.3,
    )
    start = nonce(manual, account.address)
    pending = sender.send(to, b"", value=1)

    with pytest.raises(NetworkError, match=f"no receipt for nonce {pending.nonce}") as info:
        sender.wait(pending)

    assert len(versions) == 2
    for tx_hash in [pending.tx_hash, *versions]:
        assert tx_hash in str(info.value)
    manual.rpc("evm_mine")
    assert nonce(manual, account.address) == start + 1
    assert [mined(manual, h) is not None for h in [pending.tx_hash, *versions]] == [
        False,
        False,
        True,
    ]


def test_response_lost_while_pending_is_taken_as_already_known(manual: Chain) -> None:
    """anvil answers the repeated broadcast "already imported": no second transaction."""
    assert manual.url is not None
    account = manual.accounts[1]
    with RpcProxy(manual.url) as flaky:
        flaky.add(Fault("lose_response", methods=frozenset({"eth_sendRawTransaction"})))
        sender = Sender(_web3_http(flaky.url, FAST), account)
        start = nonce(manual, account.address)
        pending = sender.send(manual.accounts[2].address, b"", value=1)
        assert flaky.count("eth_sendRawTransaction") == 2
    manual.rpc("evm_mine")
    assert mined(manual, pending.tx_hash) is not None
    assert nonce(manual, account.address) == start + 1


# -- the transport -----------------------------------------------------------------------------


def test_happy_path_sends_each_request_once(proxy: RpcProxy) -> None:
    w3 = _web3_http(proxy.url, FAST)
    assert w3.eth.block_number >= 0
    assert proxy.log == [["eth_blockNumber"]]


def test_dropped_connections_are_retried_until_the_node_answers(
    chain: Chain, proxy: RpcProxy
) -> None:
    proxy.add(Fault("drop", times=2))
    w3 = _web3_http(proxy.url, FAST)
    assert w3.eth.block_number == chain.w3.eth.block_number
    assert proxy.count("eth_blockNumber") == 3


def test_slow_answer_times_out_and_the_retry_succeeds(chain: Chain, proxy: RpcProxy) -> None:
    proxy.add(Fault("delay", delay=2.0, methods=frozenset({"eth_getBalance"})))
    w3 = _web3_http(proxy.url, RetryPolicy(attempts=3, backoff=0.01, timeout=0.3))
    address = chain.accounts[3].address
    began = time.monotonic()
    assert w3.eth.get_balance(address) == chain.w3.eth.get_balance(address)
    assert time.monotonic() - began < 1.5
    assert proxy.count("eth_getBalance") == 2


def test_gateway_errors_are_retried_and_the_transaction_is_sent_once(
    chain: Chain, proxy: RpcProxy
) -> None:
    send = frozenset({"eth_sendRawTransaction"})
    proxy.add(Fault("status", status=502, methods=send))
    proxy.add(Fault("status", status=429, methods=send))
    account = chain.accounts[1]
    sender = Sender(_web3_http(proxy.url, FAST), account)
    start = nonce(chain, account.address)

    receipt = sender.wait(sender.send(chain.accounts[2].address, b"", value=1))

    assert receipt.status == 1
    assert nonce(chain, account.address) == start + 1
    raws = [b["params"][0] for b in proxy.bodies if b.get("method") == "eth_sendRawTransaction"]
    assert len(raws) == 3 and len(set(raws)) == 1  # the same signed bytes, three times


def test_always_failing_endpoint_gives_a_clear_error_after_bounded_attempts(
    proxy: RpcProxy,
) -> None:
    proxy.add(Fault("status", status=502, times=None))
    w3 = _web3_http(proxy.url + "/v3/s3cr3t-api-key", FAST)
    began = time.monotonic()
    with pytest.raises(RpcUnavailable) as info:
        w3.eth.block_number  # noqa: B018 - the property makes the request
    assert time.monotonic() - began < 2.0
    assert proxy.count("eth_blockNumber") == 4
    error = info.value
    assert isinstance(error, NetworkError) and error.attempts == 4
    assert error.endpoint == proxy.url + "/…"
    message = str(error)
    assert message.startswith(f"eth_blockNumber to {proxy.url}/… failed after 4 attempts")
    assert "HTTP 502" in message and "s3cr3t" not in message


def test_silent_endpoint_fails_within_bounded_time(proxy: RpcProxy) -> None:
    proxy.add(Fault("hang", times=None))
    w3 = _web3_http(proxy.url, RetryPolicy(attempts=3, backoff=0.01, timeout=0.2))
    began = time.monotonic()
    with pytest.raises(RpcUnavailable, match="after 3 attempts.*ReadTimeout"):
        w3.eth.block_number  # noqa: B018
    assert time.monotonic() - began < 1.5


def test_unreachable_endpoint_is_reported_not_connected() -> None:
    w3 = _web3_http(f"http://127.0.0.1:{free_port()}", FAST)
    assert w3.is_connected() is False
    with pytest.raises(RpcUnavailable, match="ConnectionError"):
        w3.eth.chain_id  # noqa: B018


def test_failed_broadcast_names_the_hash_and_never_the_key(chain: Chain, proxy: RpcProxy) -> None:
    proxy.add(
        Fault("status", status=503, times=None, methods=frozenset({"eth_sendRawTransaction"}))
    )
    account = chain.accounts[1]
    sender = Sender(_web3_http(proxy.url, FAST), account)
    start = nonce(chain, account.address)

    with pytest.raises(NetworkError) as info:
        sender.send(chain.accounts[2].address, b"", value=1)

    message = str(info.value)
    sent = proxy.bodies[-1]["params"][0]
    assert "eth_sendRawTransaction" in message and "HTTP 503" in message
    assert f"broadcast of 0x{keccak(hexstr=sent).hex()} (nonce {start})" in message
    assert "look the hash up before sending" in message
    assert account.key.hex().removeprefix("0x") not in message and sent[2:] not in message
    assert nonce(chain, account.address) == start


def test_lost_response_to_a_mined_send_is_not_sent_twice(chain: Chain, proxy: RpcProxy) -> None:
    """anvil mines on arrival; the retried broadcast hears "nonce too low" for our own hash."""
    proxy.add(Fault("lose_response", methods=frozenset({"eth_sendRawTransaction"})))
    account = chain.accounts[1]
    sender = Sender(_web3_http(proxy.url, FAST), account)
    start = nonce(chain, account.address)

    pending = sender.send(chain.accounts[2].address, b"", value=1)
    receipt = sender.wait(pending)

    assert proxy.count("eth_sendRawTransaction") == 2
    assert receipt.tx_hash == pending.tx_hash
    assert nonce(chain, account.address) == start + 1
    # The sender's own nonce count stayed right: the next intent takes the next nonce.
    follow_up = sender.send(chain.accounts[2].address, b"", value=1)
    assert follow_up.nonce == start + 1


def test_lost_response_to_a_batch_sends_each_call_once(
    session: Session, token: Any, proxy: RpcProxy
) -> None:
    proxy.add(Fault("lose_response", methods=frozenset({"eth_sendRawTransaction"})))
    minter = session.chain.accounts[0]
    sender = Sender(_web3_http(proxy.url, FAST), minter)
    holder = session.chain.accounts[4].address
    start = nonce(session.chain, minter.address)

    receipts = sender.wait_all(sender.send_many([token.functions.mint(holder, 5)] * 3))

    assert [r.status for r in receipts] == [1, 1, 1]
    assert proxy.count("eth_sendRawTransaction") == 6  # one batch of three, sent twice
    assert nonce(session.chain, minter.address) == start + 3
    assert token.functions.balanceOf(holder).call() == 15


def test_a_clock_jump_whose_answer_was_lost_is_not_repeated(chain: Chain, proxy: RpcProxy) -> None:
    """evm_increaseTime twice would move the clock twice: only an undelivered request is retried."""
    proxy.add(Fault("lose_response", methods=frozenset({"evm_increaseTime"})))
    w3 = _web3_http(proxy.url, FAST)
    with pytest.raises(RpcUnavailable, match="evm_increaseTime to .* failed after 1 attempt in"):
        w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [3600])
    assert proxy.count("evm_increaseTime") == 1


def test_a_refused_connection_is_retried_even_for_a_clock_jump(chain: Chain) -> None:
    port = free_port()
    w3 = _web3_http(f"http://127.0.0.1:{port}", FAST)
    with pytest.raises(RpcUnavailable, match="after 4 attempts.*Connection refused"):
        w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [3600])
