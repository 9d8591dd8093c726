"""What every contract client shares: the deployed contract, who signs, and event queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from govchain.events import Event
from govchain.sender import Receipt, Sender
from govchain.session import Session

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract
    from web3.contract.contract import ContractFunction

LOG_CHUNK_BLOCKS = 10_000  # public RPC endpoints cap eth_getLogs ranges; stay well inside


def topic(value: int) -> str:
    """An ``indexed uint256`` as a log topic."""
    return "0x" + value.to_bytes(32, "big").hex()


def address_topic(address: str) -> str:
    """An ``indexed address`` as a log topic."""
    return "0x" + bytes.fromhex(address.removeprefix("0x")).rjust(32, b"\x00").hex()


@dataclass(frozen=True)
class ContractClient:
    """A deployed suite contract bound to the account that signs for it."""

    session: Session
    contract: Contract
    sender: Sender
    deploy_block: int = 0

    contract_name = ""  # the suite name in govchain.yaml / deployments/<network>.json

    @classmethod
    def connect(cls, session: Session, address: str | None = None) -> Any:
        """The client of the deployed contract (or of the one at ``address``)."""
        if address is None:
            entry = session.record().contracts[cls.contract_name]
            contract = session.contract(cls.contract_name)
            deploy_block = entry.block_number or 0
        else:
            contract = session.contract(cls.contract_name, address)
            deploy_block = 0
        return cls(session, contract, session.sender, deploy_block)

    def as_account(self, account: LocalAccount) -> Any:
        """The same client, signing as ``account``."""
        return replace(self, sender=self.session.sender_for(account))

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def grant_role(self, role: str, account: str) -> Receipt:
        """Grant the role named ``role`` (e.g. ``"PAYER_ROLE"``) to ``account`` (its admin only)."""
        from eth_utils import keccak

        # AccessControl's DEFAULT_ADMIN_ROLE is 0x00, not the hash of its name.
        role_id = b"\x00" * 32 if role == "DEFAULT_ADMIN_ROLE" else keccak(text=role)
        return self._transact(self.contract.functions.grantRole(role_id, account))

    def _view_struct(self, function: str, *args: Any) -> dict[str, Any]:
        """Call a view returning one struct; its fields by their Solidity names."""
        abi: dict[str, Any] = next(
            dict(item)
            for item in self.contract.abi
            if item.get("type") == "function" and item.get("name") == function
        )
        names = [c["name"] for c in abi["outputs"][0]["components"]]
        values = self._call(self.contract.functions[function](*args))
        return dict(zip(names, values, strict=True))

    def _call(self, call: ContractFunction) -> Any:
        """A view's result; its revert raised as the contract's named error, as for transactions."""
        from web3.exceptions import ContractLogicError

        from govchain.revert import revert_data_from_exception

        try:
            return call.call()
        except ContractLogicError as exc:
            data = revert_data_from_exception(exc)
            if data is None:
                raise
            raise self.session.errors.decode(data, contract=self.contract_name) from None

    def _transact(self, call: ContractFunction) -> Receipt:
        return self.sender.transact(call)

    def _events(
        self, topics: Sequence[str | list[str] | None], from_block: int | None = None
    ) -> Iterator[Event]:
        """This contract's decoded events matching ``topics``, oldest first.

        ``topics`` starts with topic0; a list in a position matches any of its values.
        """
        w3 = self.session.chain.w3
        start = self.deploy_block if from_block is None else from_block
        head = int(w3.eth.block_number)
        while start <= head:
            end = min(start + LOG_CHUNK_BLOCKS - 1, head)
            logs = w3.eth.get_logs(
                {
                    "address": self.contract.address,
                    "fromBlock": start,
                    "toBlock": end,
                    "topics": list(topics),
                }
            )
            for log in logs:
                event = self.session.events.decode(log)
                if event is not None:
                    yield event
            start = end + 1
