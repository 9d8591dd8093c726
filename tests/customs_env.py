"""A deployed Customs with its officials, funded traders and a tariff schedule in force."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak, to_checksum_address

from devnet_clock import DevnetClock
from govchain.chain import Chain
from govchain.clients.customs import CustomsClient, DeclarationLine, TariffLine
from govchain.session import Session

DAY = 86_400
TRADER_FUNDS = 10**12
INVOICE = keccak(text="invoice 2026-0042 and bill of lading")
CARS, TEA, STEEL = 870380, 90230, 720851
GERMANY, KENYA, CHINA = 276, 404, 156
# A fresh address with no tokens: exporters are paid here, so their balance shows every payment.
EXPORTER = to_checksum_address(keccak(text="exporter")[12:])
# Margin between reading the latest block and the block a scheduled rate takes effect in: anvil
# stamps blocks from the wall clock, so a few seconds may pass between read and inclusion.
SCHEDULE_MARGIN = 60


@dataclass
class CustomsEnv(DevnetClock):
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
    funder: CustomsClient  # funds trade-finance escrows (a bank)
    base_start: int = 0  # when the schedule a test module set up took effect, if any

    def held(self) -> int:
        """What the Customs contract itself holds (refund pool and escrows)."""
        return self.balance(self.governance.address)

    def schedule(self, lines: list[TariffLine], vat_bps: int | None = None) -> int:
        """Set ``lines`` (and VAT) effective shortly after now, and move to that instant."""
        start = self.now() + SCHEDULE_MARGIN
        tariffs = [TariffLine(line.hs_code, line.rate_bps, start, line.origin) for line in lines]
        if tariffs:
            self.authority.load_schedule(tariffs)
        if vat_bps is not None:
            self.authority.set_vat_rate(vat_bps, start)
        self.travel_to(start)
        return start

    def file(self, trader: CustomsClient, lines: list[DeclarationLine]) -> int:
        return int(trader.file(lines, INVOICE).event("DeclarationFiled")["declarationId"])

    def bind(self, session: Session, chain: Chain | None = None) -> CustomsEnv:
        """The same deployment driven through ``session`` (fresh nonce tracking, e.g. after a
        revert to a snapshot)."""
        contract = session.contract("Customs", self.governance.address)

        def rebind(client: CustomsClient) -> CustomsClient:
            return CustomsClient(session, contract, session.sender_for(client.sender.account))

        return dataclasses.replace(
            self,
            session=session,
            chain=chain or session.chain,
            token=session.contract("PaymentToken", self.token.address),
            governance=CustomsClient(session, contract, session.sender),
            authority=rebind(self.authority),
            registrar=rebind(self.registrar),
            officer=rebind(self.officer),
            appeals=rebind(self.appeals),
            traders=[rebind(t) for t in self.traders],
            broker=rebind(self.broker),
            treasury=rebind(self.treasury),
            funder=rebind(self.funder),
        )


def make_customs_env(session: Session, chain: Chain) -> CustomsEnv:
    accounts = chain.accounts
    admin, authority, registrar, officer, appeals, treasury, broker = accounts[:7]
    funder = accounts[9]
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
    funded.append(funder.address)
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
        funder=governance.as_account(funder),
    )
    for trader in traders:
        env.registrar.set_trader(trader.sender.address)
    return env
