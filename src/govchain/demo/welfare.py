"""Welfare demo: a month of child benefit for 1,000 families, from eligibility to clawback.

The eligibility officer proposes the December round (a Merkle root over 1,000 entitlements),
the programme manager publishes it, which pulls the total from the programme's fund. After the
auditors' veto window a fraud report revokes one entitlement; families who chose to collect
themselves claim through a relayer (one through a care agency holding the parent's EIP-712
authorisation), the agency's payer pushes everyone else's payment in batches, and after the
window closes what nobody collected goes back to the fund. The reconciliation rebuilt from
the round's events then balances to the unit.
"""

from __future__ import annotations

from eth_utils import keccak

from govchain.clients.welfare import RoundPlan, WelfareClient
from govchain.demo import DemoContext, DomainResult, Highlight, demo_account

DOMAIN = "welfare"
DAY = 86_400
BENEFICIARIES = 1_000
SELF_CLAIMING = 50  # the last 50 families asked to collect themselves rather than be paid
SELF_CLAIMS = 25  # of whom 25 actually do, within the window
PER_CHILD = 250_00  # 250.00 PUB a child a month (the token has 2 decimals)
VETO_WINDOW = 2 * DAY  # the programme's claim delay: auditors may veto until then
CLAIM_WINDOW = 30 * DAY
FRAUD = 1  # revocation reason code: the programme's code for a fraudulent application
FRAUD_INDEX = 412  # the family reported for fraud (among those paid in batches)
BATCH = 200  # the contract's MAX_BATCH

PROGRAMME_RULES = keccak(text="Child Benefit Regulations 2026, consolidated text of 1 July 2026")
DECISION = keccak(text="Eligibility decision CB-2026-12: 1,000 households, signed by the officer")


def children(index: int) -> int:
    """How many children family ``index`` claims for: 1 to 4, so amounts vary plausibly."""
    return 1 + (index * 7) % 4


def run(ctx: DemoContext) -> DomainResult:
    ctx.step(DOMAIN, "appointing officials and the child benefit fund")
    officer, manager, payer, relayer, agency, fund = ctx.actors(
        [
            "welfare-eligibility-officer",
            "welfare-programme-manager",
            "welfare-payments-office",
            "welfare-claims-relayer",
            "sunrise-care-agency",
            "child-benefit-fund",
        ]
    )
    governance: WelfareClient = WelfareClient.connect(ctx.session).as_account(ctx.admin)
    for role, holder in [
        ("ELIGIBILITY_OFFICER_ROLE", officer),
        ("PROGRAMME_MANAGER_ROLE", manager),
        ("PAYER_ROLE", payer),
    ]:
        governance.grant_role(role, holder.address)
    token = ctx.token()
    programme_id = int(
        governance.create_programme(
            name="Child benefit",
            token=token.address,
            funding=fund.address,
            manager=manager.address,
            officer=officer.address,
            claim_delay=VETO_WINDOW,
            document_hash=PROGRAMME_RULES,
        ).event("ProgrammeCreated")["programmeId"]
    )

    ctx.step(DOMAIN, f"building the December round for {BENEFICIARIES:,} families")
    families = [demo_account(f"beneficiary-{i}") for i in range(BENEFICIARIES)]
    plan = RoundPlan.from_entitlements(
        (family.address, children(i) * PER_CHILD) for i, family in enumerate(families)
    )
    # The treasury tops the fund up with this month's budget, which the fund lets the
    # contract pull once the manager publishes (no client wraps the plain ERC-20 calls).
    ctx.mint([fund.address], plan.total)
    ctx.session.sender_for(fund).transact(token.functions.approve(governance.address, plan.total))

    ctx.step(DOMAIN, "officer proposes the round; manager publishes and funds it")
    proposed = governance.as_account(officer).propose_round(programme_id, plan, DECISION)
    round_id = int(proposed.event("RoundProposed")["roundId"])
    start = ctx.now()
    published = governance.as_account(manager).publish_round(
        round_id, start, start + VETO_WINDOW + CLAIM_WINDOW
    )
    claimable_at = int(published.event("RoundPublished")["claimableAt"])

    ctx.step(DOMAIN, f"fraud report: officer revokes entry {FRAUD_INDEX} before any payment")
    revoked = governance.as_account(officer).revoke(round_id, plan, FRAUD_INDEX, FRAUD)

    ctx.step(DOMAIN, "veto window passes without a veto; claims open")
    ctx.travel_to(claimable_at)

    self_claiming = list(range(BENEFICIARIES - SELF_CLAIMING, BENEFICIARIES))
    agent_index = self_claiming[0]
    family = families[agent_index]
    authorisation = governance.authorize_claim(
        family,
        round_id,
        plan.entitlement(agent_index),
        agent=agency.address,
        deadline=ctx.now() + 7 * DAY,
    )
    agent_claim = governance.as_account(agency).claim_with_authorization(authorisation, plan)
    relayer_client = governance.as_account(relayer)
    claimed_by_relayer = self_claiming[1:SELF_CLAIMS]
    for done, index in enumerate(claimed_by_relayer, start=1):
        relayer_client.claim(round_id, plan, index)
        ctx.count(DOMAIN, done, len(claimed_by_relayer), "claims sent through the relayer")

    to_push = [i for i in range(BENEFICIARIES - SELF_CLAIMING) if i != FRAUD_INDEX]
    payer_client = governance.as_account(payer)
    batch_hashes = []
    for start_at in range(0, len(to_push), BATCH):
        batch = to_push[start_at : start_at + BATCH]
        batch_hashes.append(payer_client.batch_pay(round_id, plan, batch).tx_hash)
        ctx.count(DOMAIN, start_at + len(batch), len(to_push), "families paid in batches")

    ctx.step(DOMAIN, "claim window ends; the unclaimed remainder returns to the fund")
    ctx.travel_to(int(published.event("RoundPublished")["end"]) + 1)
    clawback = governance.as_account(manager).clawback(round_id)
    report = governance.reconcile(round_id)
    ctx.step(
        DOMAIN,
        f"reconciled round {round_id}: funded {report.funded:,} = claimed {report.claimed:,} "
        f"+ revoked {report.revoked:,} + clawed back {report.clawed_back:,}",
    )

    return DomainResult(
        DOMAIN,
        highlights=[
            Highlight(
                f"Programme {programme_id} “Child benefit”: its fund, manager and eligibility "
                "officer",
                f"/records/programme/{programme_id}",
            ),
            Highlight(
                f"Round {round_id}: {BENEFICIARIES:,} families, paid, claimed, one revoked for "
                "fraud, the rest returned",
                f"/records/round/{round_id}",
            ),
            Highlight(
                f"One transaction paying {BATCH} families at once, proven by one multiproof",
                f"/tx/{batch_hashes[0]}",
            ),
            Highlight(
                "A care agency claiming for a parent with the parent's signed authorisation",
                f"/tx/{agent_claim.tx_hash}",
            ),
            Highlight(
                f"Entry {FRAUD_INDEX} revoked for fraud before payment, its money back in the fund",
                f"/tx/{revoked.tx_hash}",
            ),
            Highlight(
                "What nobody collected by the deadline, returned to the fund",
                f"/tx/{clawback.tx_hash}",
            ),
        ],
        facts={
            "programme_id": programme_id,
            "round_id": round_id,
            "beneficiaries": BENEFICIARIES,
            "fund": fund.address,
            "payer": payer.address,
            "agent": agency.address,
            "agent_index": agent_index,
            "relayer_claim_indexes": claimed_by_relayer,
            "revoked_index": FRAUD_INDEX,
            "batch_paid": len(to_push),
            "batches": len(batch_hashes),
            "unclaimed_indexes": self_claiming[SELF_CLAIMS:],
            "paid_families": len(to_push) + SELF_CLAIMS,
            "funded": report.funded,
            "claimed": report.claimed,
            "revoked": report.revoked,
            "clawed_back": report.clawed_back,
            "balanced": report.balanced,
        },
    )
