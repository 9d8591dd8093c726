"""What every test environment does with the devnet: read and move its clock, read balances."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, settings

from govchain.chain import Chain


class DevnetClock:
    """Mixed into each ``<domain>_env`` dataclass, which provides ``chain`` (and ``token``)."""

    chain: Chain
    token: Any

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        """Mine the next block at ``timestamp`` (anvil time travel, no waiting)."""
        self.chain.rpc("evm_setNextBlockTimestamp", timestamp)
        self.chain.rpc("evm_mine")

    def balance(self, address: str) -> int:
        """``address``'s balance of the environment's payment token."""
        return int(self.token.functions.balanceOf(address).call())


class MachineClock:
    """Mixed into a state machine that owns a devnet snapshot: undo it after each example, read
    and move the clock, remembering the last timestamp read in ``latest``."""

    snapshot: Any
    latest: int

    @property
    def devnet(self) -> Chain:
        chain: Chain = self.world.chain  # type: ignore[attr-defined]
        return chain

    def teardown(self) -> None:
        assert self.devnet.rpc("evm_revert", self.snapshot) is True

    def now(self) -> int:
        self.latest = int(self.devnet.w3.eth.get_block("latest")["timestamp"])
        return self.latest

    def travel_by(self, seconds: int) -> None:
        self.devnet.rpc("evm_increaseTime", seconds)
        self.devnet.rpc("evm_mine")
        self.now()

    def travel_to(self, timestamp: int) -> None:
        """Mine the next block at exactly ``timestamp``."""
        self.devnet.rpc("evm_setNextBlockTimestamp", timestamp)
        self.devnet.rpc("evm_mine")
        assert self.now() == timestamp


def machine_settings(max_examples: int, steps: int) -> settings:
    """Settings of a chain-backed state machine: derandomised, and a failing example reported as
    found, since shrinking a chain-backed run can take minutes."""
    return settings(
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        max_examples=max_examples,
        stateful_step_count=steps,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
