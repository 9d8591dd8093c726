"""A deployed Customs with its officials, funded traders and a tariff schedule in force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from govchain.chain import Chain
from govchain.clients.customs import CustomsClient, DeclarationLine, TariffLine
from govchain.session import Session

DAY = 86_400
TRADER_FUNDS = 10**12
INVOICE = keccak(text="invoice 2026-0042 and bill of lading")
CARS, TEA, STEEL = 870380, 90230, 720851
GERMANY, KENYA, CHINA = 276, 404, 156


@dataclass
class CustomsEnv:
    session: Session
    chain: Chain
    token: Any
    governance: CustomsClient
    authority: CustomsClient
    registrar: CustomsClient
    officer: CustomsClient
    appeals: CustomsClient
    traders: list[CustomsClient]
    broker: CustomsClient
    treasury: CustomsClient

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        self.chain.rpc("evm_setNextBlockTimestamp", timestamp)
        self.chain.rpc("evm_mine")

    def balance(self, address: str) -> int:
        return int(self.token.functions.balanceOf(address).call())

    def schedule(self, lines: list[TariffLine], vat_bps: int | None = None) -> int:
        """Set ``lines`` (and VAT) effective at the next second, and move past it."""
        start = self.now() + 1
        for line in lines:
            self.authority.set_tariff(TariffLine(line.hs_code, line.rate_bps, start, line.origin))
        if vat_bps is not None:
            self.authority.set_vat_rate(vat_bps, start)
        self.travel_to(max(start, self.now() + 1))
        return start

    def file(self, trader: CustomsClient, lines: list[DeclarationLine]) -> int:
        return int(trader.file(lines, INVOICE).event("DeclarationFiled")["declarationId"])


def make_customs_env(session: Session, chain: Chain) -> CustomsEnv:
    accounts = chain.accounts
    admin, authority, registrar, officer, appeals, treasury, broker = accounts[:7]
    token = session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin.address, admin.address)
    customs = session.deploy("Customs", admin.address, token.address, treasury.address)
    governance = CustomsClient(session, customs, session.sender)
    for role, account in [
        ("TARIFF_AUTHORITY_ROLE", authority),
        ("TRADER_REGISTRAR_ROLE", registrar),
        ("CUSTOMS_OFFICER_ROLE", officer),
        ("APPEALS_OFFICER_ROLE", appeals),
        ("PAUSER_ROLE", admin),
    ]:
        governance.grant_role(role, account.address)
    traders = [governance.as_account(a) for a in accounts[7:9]]
    funded = [t.sender.address for t in traders] + [treasury.address, broker.address]
    session.sender.wait_all(
        session.sender.send_many([token.functions.mint(a, TRADER_FUNDS) for a in funded])
    )
    env = CustomsEnv(
        session=session,
        chain=chain,
        token=token,
        governance=governance,
        authority=governance.as_account(authority),
        registrar=governance.as_account(registrar),
        officer=governance.as_account(officer),
        appeals=governance.as_account(appeals),
        traders=traders,
        broker=governance.as_account(broker),
        treasury=governance.as_account(treasury),
    )
    for trader in traders:
        env.registrar.set_trader(trader.sender.address)
    return env
