from govchain.demo import DemoContext, demo_account
def test_actor(demo_context):
    ctx: DemoContext = demo_context
    a = ctx.actor("x")
    assert a.address == demo_account("x").address
    assert ctx.session.chain.w3.eth.get_balance(a.address) >= 10**19
    t = ctx.now(); ctx.travel(100); assert ctx.now() >= t + 100
    ctx.mint([a.address], 500)
    assert ctx.token().functions.balanceOf(a.address).call() == 500
