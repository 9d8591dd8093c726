"""The demo scenario ``govchain up`` seeds a devnet with: the five public processes, end to end.

Every domain runs through the public clients only, the same calls an agency's script makes.
A domain that finished is recorded in ``.govchain/local/demo.json`` (with the chain's genesis
hash and the suite's addresses), so a second ``govchain up`` finds it and seeds nothing; a domain
interrupted half-way runs again from its start and creates fresh records.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from eth_account import Account
from eth_utils import keccak

from govchain.errors import GovchainError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract

    from govchain.session import Session

DOMAINS = ("procurement", "welfare", "land", "customs", "ballot")
ACTOR_ETH = 10 * 10**18  # gas money for each demo actor: far more than the scenario spends
DEMO_FILE = "demo.json"


class DemoError(GovchainError):
    """The demo cannot run here (not a devnet, suite not deployed…)."""


@dataclass(frozen=True)
class Highlight:
    """A record worth looking at, and where the explorer shows it."""

    label: str  # "Tender 1: awarded to supplier-2, two milestones paid"
    path: str  # "/records/tender/1"


@dataclass
class DomainResult:
    """What one domain's demo created: highlights for people, facts for tests."""

    domain: str
    highlights: list[Highlight] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DomainResult:
        return cls(
            data["domain"],
            [Highlight(**h) for h in data.get("highlights", [])],
            dict(data.get("facts", {})),
        )


class Progress(Protocol):
    """Where the demo reports what it is doing."""

    def step(self, domain: str, message: str) -> None:
        """A new step has started."""

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        """``done`` of ``total`` items of the current step are finished."""


class ConsoleProgress:
    """One line per step; counters rewrite their line on a terminal, print milestones otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._tty = self.stream.isatty()
        self._last_percent = -1

    def step(self, domain: str, message: str) -> None:
        self._last_percent = -1
        self.stream.write(f"  {domain:<12} {message}\n")
        self.stream.flush()

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        percent = 100 * done // max(total, 1)
        if self._tty:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r  {domain:<12} {message} {done:,}/{total:,}{end}")
        elif percent // 25 != self._last_percent // 25 or done >= total:
            self.stream.write(f"  {domain:<12} {message} {done:,}/{total:,}\n")
        self._last_percent = percent
        self.stream.flush()


class RecordingProgress:
    """Progress kept as ``domain: message`` lines (counters as ``message done/total``), for
    callers that report elsewhere and for tests."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def step(self, domain: str, message: str) -> None:
        self.lines.append(f"{domain}: {message}")

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        self.lines.append(f"{domain}: {message} {done}/{total}")


class SilentProgress:
    def step(self, domain: str, message: str) -> None:
        pass

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        pass


@dataclass
class DemoContext:
    """What a domain's demo needs: the session, named actors with gas money, time travel."""

    session: Session
    progress: Progress = field(default_factory=SilentProgress)
    _funded: set[str] = field(default_factory=set, repr=False)

    @property
    def admin(self) -> LocalAccount:
        """The deployer: admin and governance of every suite contract, minter of the token."""
        return self.session.chain.deployer

    @property
    def workdir(self) -> Path:
        """Files the demo writes (round plans, sealed bids, vote receipts)."""
        path = self.session.project.state_dir / self.session.network / "demo"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def actor(self, name: str) -> LocalAccount:
        """The demo account called ``name`` (the same key every run), funded with gas money."""
        return self.actors([name])[0]

    def actors(self, names: Sequence[str]) -> list[LocalAccount]:
        """Several named accounts, funded in one batch of transfers."""
        accounts = [demo_account(name) for name in names]
        unfunded = [a for a in accounts if a.address not in self._funded]
        w3 = self.session.chain.w3
        needy = [a for a in unfunded if w3.eth.get_balance(a.address) < ACTOR_ETH // 2]
        sender = self.session.sender
        pending = [sender.send(a.address, b"", value=ACTOR_ETH, gas=21_000) for a in needy]
        sender.wait_all(pending)
        self._funded.update(a.address for a in unfunded)
        return accounts

    def token(self) -> Contract:
        """The suite's PaymentToken (2 decimals)."""
        return self.session.contract("PaymentToken")

    def mint(self, recipients: Sequence[str], amount: int) -> None:
        """Mint ``amount`` (token units) to each recipient, as the treasury."""
        token = self.token()
        sender = self.session.sender
        sender.wait_all(sender.send_many([token.functions.mint(r, amount) for r in recipients]))

    def now(self) -> int:
        """The latest block's timestamp."""
        return int(self.session.chain.w3.eth.get_block("latest")["timestamp"])

    def travel(self, seconds: int) -> None:
        """Move the devnet's clock forward and mine a block there (anvil's time travel)."""
        self.session.chain.rpc("evm_increaseTime", seconds)
        self.session.chain.rpc("evm_mine")

    def travel_to(self, timestamp: int) -> None:
        """Mine the next block at ``timestamp`` or later."""
        gap = timestamp - self.now()
        if gap > 0:
            self.travel(gap)

    def step(self, domain: str, message: str) -> None:
        self.progress.step(domain, message)

    def count(self, domain: str, done: int, total: int, message: str) -> None:
        self.progress.count(domain, done, total, message)


def demo_account(name: str) -> LocalAccount:
    """A deterministic devnet-only key for the demo actor ``name``. Never use it elsewhere."""
    account: LocalAccount = Account.from_key(keccak(text=f"govchain demo actor: {name}"))
    return account


DomainRunner = Callable[[DemoContext], DomainResult]


def domain_runner(domain: str) -> DomainRunner:
    if domain not in DOMAINS:
        raise DemoError(f"unknown demo domain {domain!r}: one of {', '.join(DOMAINS)}")
    module = importlib.import_module(f"govchain.demo.{domain}")
    runner: DomainRunner = module.run
    return runner


@dataclass
class DemoState:
    """What has been seeded on this chain (``.govchain/<network>/demo.json``)."""

    genesis: str
    suite: dict[str, str]
    results: dict[str, DomainResult] = field(default_factory=dict)

    @staticmethod
    def path(session: Session) -> Path:
        return session.project.state_dir / session.network / DEMO_FILE

    @classmethod
    def load(cls, session: Session) -> DemoState:
        """The state for this chain and deployment; an empty one if either changed."""
        genesis = session.chain.genesis_hash
        suite = {name: e.address for name, e in session.record().contracts.items()}
        path = cls.path(session)
        if path.is_file():
            data = json.loads(path.read_text())
            if data.get("genesis") == genesis and data.get("suite") == suite:
                results = {k: DomainResult.from_json(v) for k, v in data["results"].items()}
                return cls(genesis, suite, results)
        return cls(genesis, suite)

    def save(self, session: Session) -> None:
        path = self.path(session)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "genesis": self.genesis,
            "suite": self.suite,
            "results": {k: v.to_json() for k, v in self.results.items()},
        }
        path.write_text(json.dumps(data, indent=2) + "\n")


@dataclass
class DemoOutcome:
    seeded: list[str]  # domains run now
    skipped: list[str]  # domains found already seeded
    results: dict[str, DomainResult]


def run_demo(
    session: Session,
    progress: Progress | None = None,
    domains: Sequence[str] = DOMAINS,
) -> DemoOutcome:
    """Seed every domain not yet seeded on this chain; record each as it finishes."""
    if not session.chain.is_devnet:
        raise DemoError(
            f"the demo scenario only runs on a devnet; {session.network} has chain id "
            f"{session.chain.chain_id}"
        )
    state = DemoState.load(session)
    context = DemoContext(session, progress or SilentProgress())
    seeded: list[str] = []
    skipped: list[str] = []
    for domain in domains:
        if domain in state.results:
            skipped.append(domain)
            continue
        runner = domain_runner(domain)
        context.step(domain, "starting")
        state.results[domain] = runner(context)
        state.save(session)
        seeded.append(domain)
    return DemoOutcome(seeded, skipped, {d: state.results[d] for d in domains})
