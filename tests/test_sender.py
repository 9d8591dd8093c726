"""The shared transaction sender: nonces under concurrency, revert decoding, receipts."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from govchain import TransactionFailed, contract_error
from govchain.revert import ErrorRegistry, Panic, RevertedWithMessage
from govchain.session import Session


def test_estimate_time_revert_raises_decoded_error_and_spends_no_nonce(
    session: Session, token: Any
) -> None:
    outsider = session.chain.accounts[1]
    sender = session.sender_for(outsider)
    nonce_before = session.chain.w3.eth.get_transaction_count(outsider.address)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        sender.send_call(token.functions.mint(outsider.address, 1))
    assert "AccessControlUnauthorizedAccount(account=" in str(info.value)
    assert info.value.contract == "PaymentToken"
    assert session.chain.w3.eth.get_transaction_count(outsider.address) == nonce_before
    # The next transaction uses the nonce that was not spent.
    pending = sender.send(outsider.address, b"")
    assert pending.nonce == nonce_before


def test_mined_revert_is_replayed_and_decoded(session: Session, token: Any) -> None:
    """A transaction sent with a fixed gas limit skips estimation; its failure is still named."""
    outsider = session.chain.accounts[1]
    sender = session.sender_for(outsider)
    data = token.functions.mint(outsider.address, 1)._encode_transaction_data()
    pending = sender.send(token.address, data, gas=200_000)
    with pytest.raises(contract_error("AccessControlUnauthorizedAccount")) as info:
        sender.wait(pending)
    assert info.value.tx_hash == pending.tx_hash
    assert info.value.inputs["account"] == outsider.address
    receipt = session.chain.w3.eth.get_transaction_receipt(pending.tx_hash)  # type: ignore[arg-type]
    assert receipt["status"] == 0


def test_concurrent_senders_never_reuse_or_skip_a_nonce(session: Session, token: Any) -> None:
    sender = session.sender
    w3 = session.chain.w3
    start = w3.eth.get_transaction_count(sender.address)
    recipients = [a.address for a in session.chain.accounts[1:5]]
    pending: list[Any] = []
    lock = threading.Lock()

    def work(recipient: str) -> None:
        for _ in range(15):
            tx = sender.send_call(token.functions.mint(recipient, 1))
            with lock:
                pending.append(tx)

    threads = [threading.Thread(target=work, args=(r,)) for r in recipients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    receipts = sender.wait_all(pending)
    nonces = sorted(tx.nonce for tx in pending)
    assert nonces == list(range(start, start + 60))
    assert all(r.status == 1 for r in receipts)
    assert w3.eth.get_transaction_count(sender.address) == start + 60
    assert [token.functions.balanceOf(r).call() for r in recipients] == [15] * 4


def test_receipt_carries_decoded_events(session: Session, token: Any) -> None:
    receipt = session.sender.transact(token.functions.mint(session.sender.address, 7))
    assert [e.name for e in receipt.events] == ["Transfer", "Minted"]
    assert receipt.events[1].contract == "PaymentToken"
    assert receipt.gas_used > 21_000


def test_sender_resynchronises_after_a_nonce_used_elsewhere(session: Session, token: Any) -> None:
    """Another tool sending from the same key must not wedge the sender."""
    sender = session.sender
    sender.transact(token.functions.mint(sender.address, 1))
    # The same account sends one transaction behind the sender's back.
    other = Session(session.project, session.chain, session.errors, session.events).sender
    other.transact(token.functions.mint(sender.address, 1))
    with pytest.raises(Exception, match="nonce"):
        sender.send_call(token.functions.mint(sender.address, 1))
    # After the failed send the sender reloads the nonce from the node and carries on.
    receipt = sender.transact(token.functions.mint(sender.address, 1))
    assert receipt.status == 1


def test_registry_decodes_error_string_panic_and_unknown_selector() -> None:
    registry = ErrorRegistry()
    message = bytes.fromhex("08c379a0") + encode(["string"], ["closed"])
    assert isinstance(registry.decode(message), RevertedWithMessage)
    assert registry.decode(message).inputs == {"message": "closed"}
    panic = registry.decode(bytes.fromhex("4e487b71") + encode(["uint256"], [0x11]))
    assert isinstance(panic, Panic) and panic.inputs == {"code": "0x11"}
    unknown = registry.decode(bytes.fromhex("deadbeef"))
    assert type(unknown) is TransactionFailed and "0xdeadbeef" in str(unknown)
    empty = registry.decode(b"")
    assert type(empty) is TransactionFailed and "without revert data" in str(empty)


def test_registry_decodes_tuple_and_array_arguments() -> None:
    abi = [
        {
            "type": "error",
            "name": "Bad",
            "inputs": [
                {"name": "who", "type": "address[]"},
                {
                    "name": "pair",
                    "type": "tuple",
                    "components": [
                        {"name": "a", "type": "uint8"},
                        {"name": "b", "type": "bytes32"},
                    ],
                },
            ],
        }
    ]
    registry = ErrorRegistry()
    registry.add_abi(abi, "Demo")
    selector = keccak(text="Bad(address[],(uint8,bytes32))")[:4]
    who = ["0x" + "ab" * 20]
    data = selector + encode(["address[]", "(uint8,bytes32)"], [who, (3, b"\x01" * 32)])
    error = registry.decode(data)
    assert type(error) is contract_error("Bad")
    assert error.inputs["who"] == ["0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"]
    assert error.inputs["pair"] == (3, b"\x01" * 32)
    assert error.contract == "Demo"


def test_send_many_broadcasts_in_batches_with_contiguous_nonces(
    session: Session, token: Any
) -> None:
    sender = session.sender
    start = session.chain.w3.eth.get_transaction_count(sender.address)
    recipients = [a.address for a in session.chain.accounts[1:4]]
    calls = [token.functions.mint(r, 2) for r in recipients for _ in range(9)]
    pending = sender.send_many(calls, batch_size=10)
    assert [p.nonce for p in pending] == list(range(start, start + 27))
    receipts = sender.wait_all(pending)
    assert [r.tx_hash for r in receipts] == [p.tx_hash for p in pending]
    assert all(r.event("Minted")["amount"] == 2 for r in receipts)
    assert [token.functions.balanceOf(r).call() for r in recipients] == [18, 18, 18]
    # The sender's own nonce carries on after the batches.
    assert sender.send(sender.address).nonce == start + 27


def test_send_many_sends_nothing_when_one_call_would_revert(session: Session, token: Any) -> None:
    sender = session.sender
    start = session.chain.w3.eth.get_transaction_count(sender.address)
    calls = [token.functions.mint(sender.address, 1), token.functions.mint(sender.address, 0)]
    with pytest.raises(contract_error("GovchainZeroAmount")) as info:
        sender.send_many(calls)
    assert info.value.inputs == {"parameter": "amount"}
    assert session.chain.w3.eth.get_transaction_count(sender.address, "pending") == start
    assert token.functions.balanceOf(sender.address).call() == 0


def test_send_many_works_on_the_embedded_chain(project: Any) -> None:
    from govchain.compiler import load_artifact

    with govchain_connect(project) as embedded:
        artifact = load_artifact(project, "PaymentToken")
        admin = embedded.chain.accounts[0].address
        deployer = embedded.sender_for(embedded.chain.accounts[1])
        receipt = deployer.deploy(artifact["bytecode"], artifact["abi"], "P", "P", 2, admin, admin)
        token = embedded.contract("PaymentToken", receipt.contract_address)
        # The minter's sender is fresh: its first estimate goes through the bulk path.
        pending = embedded.sender.send_many([token.functions.mint(admin, 5) for _ in range(4)])
        assert [r.status for r in embedded.sender.wait_all(pending)] == [1, 1, 1, 1]
        assert token.functions.balanceOf(admin).call() == 20


def govchain_connect(project: Any) -> Session:
    from govchain import connect

    return connect("embedded", project=project)
