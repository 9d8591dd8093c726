"""The demo framework: named actors, minting, time travel, the per-chain record."""

from __future__ import annotations

from govchain.demo import DemoContext, demo_account


def test_actor_is_deterministic_and_funded_once(demo_context: DemoContext) -> None:
    ctx = demo_context
    actor = ctx.actor("clerk")
    assert actor.address == demo_account("clerk").address
    w3 = ctx.session.chain.w3
    balance = w3.eth.get_balance(actor.address)
    assert balance >= 10 * 10**18
    ctx.actor("clerk")
    assert w3.eth.get_balance(actor.address) == balance


def test_travel_and_mint(demo_context: DemoContext) -> None:
    ctx = demo_context
    before = ctx.now()
    ctx.travel(3_600)
    assert ctx.now() >= before + 3_600
    holder = demo_account("holder").address
    ctx.mint([holder], 500)
    assert ctx.token().functions.balanceOf(holder).call() == 500
