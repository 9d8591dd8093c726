"""What every test environment does with the devnet: read and move its clock, read balances."""

from __future__ import annotations

from typing import Any

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
