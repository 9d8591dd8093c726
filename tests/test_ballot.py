"""Ballot through its Python client: every rule, every named error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballot_env import BallotEnv, make_ballot_env
from govchain.chain import Chain
from govchain.session import Session


@pytest.fixture
def env(session: Session, chain: Chain, tmp_path: Path) -> BallotEnv:
    return make_ballot_env(session, chain, tmp_path / "receipts")


def test_secret_ballots_are_counted_once_and_recount_matches(env: BallotEnv) -> None:
    election_id = env.create()
    env.to_commit(election_id)
    choices = [0, 1, 0, 2, 0]
    receipts = [env.vote(v, election_id, c) for v, c in zip(env.voters, choices, strict=False)]
    changed = env.vote(env.voters[1], election_id, 0)  # the last commitment counts
    env.to_reveal(election_id)
    for receipt in [*receipts[:1], changed, *receipts[2:4]]:  # voter 4 never reveals
        env.relayer.reveal(receipt)
    env.to_close(election_id)
    env.relayer.finalize(election_id)
    result = env.authority.result(election_id)
    assert result.tallies == [3, 0, 1]
    assert (result.turnout, result.revealed, result.unrevealed) == (5, 4, 1)
    assert result.finalized and result.quorum_met
    recount = env.relayer.recount(election_id)
    assert recount.matches
    assert env.relayer.counted_choice(election_id, env.voters[1].sender.address) == 0
    assert env.relayer.counted_choice(election_id, env.voters[4].sender.address) is None
