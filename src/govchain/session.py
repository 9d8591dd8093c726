"""One object for scripts: a project, a connected chain, a sender and the deployment record.

>>> from govchain import connect
>>> with connect("local") as gc:
...     token = gc.contract("PaymentToken")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govchain.chain import Chain
from govchain.chain import connect as connect_chain
from govchain.compiler import compile_project, load_artifact, load_manifest
from govchain.deploy import DeploymentRecord, require_fresh
from govchain.errors import DeploymentError
from govchain.events import EventRegistry
from govchain.project import Project
from govchain.revert import ErrorRegistry
from govchain.sender import Sender

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract


def registries(project: Project) -> tuple[ErrorRegistry, EventRegistry]:
    """Error and event decoders over every compiled contract of the project."""
    errors, events = ErrorRegistry(), EventRegistry()
    for name in load_manifest(project)["artifacts"]:
        artifact = load_artifact(project, name)
        # Abstract bases and libraries have no code: their errors belong to what inherits them.
        owner = name if len(artifact["deployedBytecode"]) > 2 else None
        errors.add_abi(artifact["abi"], owner)
        events.add_abi(artifact["abi"], owner)
    return errors, events


@dataclass
class Session:
    """A project connected to a network."""

    project: Project
    chain: Chain
    errors: ErrorRegistry
    events: EventRegistry
    labels: dict[str, str] = field(default_factory=dict, repr=False)
    _senders: dict[str, Sender] = field(default_factory=dict, repr=False)
    _checked_record: DeploymentRecord | None = field(default=None, repr=False)

    @property
    def network(self) -> str:
        return self.chain.name

    @property
    def sender(self) -> Sender:
        """The sender of the chain's first account (the deployer)."""
        return self.sender_for(self.chain.deployer)

    def sender_for(self, account: LocalAccount) -> Sender:
        """A sender for ``account``, shared so that its nonces stay consistent."""
        sender = self._senders.get(account.address)
        if sender is None:
            sender = Sender(
                self.chain.w3,
                account,
                errors=self.errors,
                events=self.events,
                confirmations=self.chain.confirmations,
                labels=self.labels,
            )
            self._senders[account.address] = sender
        return sender

    def record(self) -> DeploymentRecord:
        record = DeploymentRecord.load(self.project, self.network)
        if record is None:
            raise DeploymentError(
                f"nothing deployed on {self.network}: "
                f"run `govchain deploy --network {self.network}`"
            )
        if record != self._checked_record:
            # Checking against the chain costs a few RPCs per contract: once per record content.
            require_fresh(record, self.chain, self.project)
            self._checked_record = record
        return record

    def contract(self, name: str, address: str | None = None) -> Contract:
        """A web3 contract for suite member ``name`` at its recorded (or the given) address."""
        if address is None:
            record = self.record()
            artifact = load_artifact(self.project, record.contracts[name].contract)
            address = record.address(name)
        else:
            artifact = load_artifact(self.project, name)
        from eth_utils import to_checksum_address

        contract: Contract = self.chain.w3.eth.contract(
            address=to_checksum_address(address), abi=artifact["abi"]
        )
        self.labels[contract.address] = name
        return contract

    def deploy(self, name: str, *args: Any) -> Contract:
        """Deploy a fresh instance of compiled contract ``name`` (not recorded) and return it."""
        artifact = load_artifact(self.project, name)
        receipt = self.sender.deploy(artifact["bytecode"], artifact["abi"], *args)
        assert receipt.contract_address is not None
        return self.contract(name, receipt.contract_address)

    def close(self) -> None:
        self.chain.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(
    network: str = "local",
    *,
    project: Project | None = None,
    account: str | None = None,
    password: str | None = None,
) -> Session:
    """Connect the project (found from the working directory) to ``network``."""
    project = project or Project.discover()
    compile_project(project)
    chain = connect_chain(project, network, account=account, password=password)
    errors, events = registries(project)
    return Session(project, chain, errors, events)
