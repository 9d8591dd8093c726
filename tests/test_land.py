"""LandRegistry through its Python client: every rule, every named error."""

from __future__ import annotations

import pytest

from govchain.chain import Chain
from govchain.clients.land import ParcelSpec
from govchain.session import Session
from land_env import DEED, LandEnv, make_land_env


@pytest.fixture
def env(session: Session, chain: Chain) -> LandEnv:
    return make_land_env(session, chain)


def test_sale_swaps_title_and_payment_and_history_tells_it(env: LandEnv) -> None:
    alice, bob, carol = env.citizens[:3]
    env.governance.set_transfer_tax(env.treasury, 200)  # 2 %
    env.register("0042-17", alice)
    env.offer("0042-17", alice, bob, 1_000_000)
    before = env.balance(alice.sender.address), env.balance(bob.sender.address)
    bob.accept_sale("0042-17", DEED)
    assert env.registrar.owner_of("0042-17") == bob.sender.address
    assert env.balance(alice.sender.address) == before[0] + 980_000
    assert env.balance(bob.sender.address) == before[1] - 1_000_000
    assert env.balance(env.treasury) == 20_000
    env.registrar.subdivide(
        "0042-17",
        [
            ("0042-17/1", ParcelSpec(b"\x01" * 32, 400, 110)),
            ("0042-17/2", ParcelSpec(b"\x02" * 32, 600, 110)),
        ],
        DEED,
    )
    child = env.registrar.title("0042-17/1")
    assert child.owner == bob.sender.address and child.parents == ["0042-17"]
    history = env.registrar.title_history("0042-17/1")
    assert [h.event for h in history] == [
        "ParcelRegistered",
        "SaleOffered",
        "SaleCompleted",
        "ParcelRegistered",
        "ParcelDerived",
        "ParcelRetired",
    ]
    assert all(h.tx_hash.startswith("0x") for h in history)
    del carol
