"""A deployed LandRegistry with its officials and funded citizens, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from govchain.chain import Chain
from govchain.clients.land import LandClient, ParcelSpec, geometry_hash
from govchain.session import Session

DAY = 86_400
CITIZEN_FUNDS = 10**12
DEED = keccak(text="deed of first registration")


@dataclass
class LandEnv:
    session: Session
    chain: Chain
    token: Any
    governance: LandClient
    registrar: LandClient
    lender: LandClient
    court: LandClient
    citizens: list[LandClient]
    treasury: str

    def now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def travel_to(self, timestamp: int) -> None:
        self.chain.rpc("evm_setNextBlockTimestamp", timestamp)
        self.chain.rpc("evm_mine")

    def balance(self, address: str) -> int:
        return int(self.token.functions.balanceOf(address).call())

    def register(
        self, number: str, owner: LandClient, area: int = 1_000, land_use: int = 110
    ) -> None:
        spec = ParcelSpec(geometry_hash(f'{{"parcel": "{number}"}}'), area, land_use)
        self.registrar.register(number, owner.sender.address, spec, DEED)

    def offer(
        self, number: str, seller: LandClient, buyer: LandClient, price: int, days: int = 30
    ) -> None:
        seller.offer_sale(
            number, buyer.sender.address, self.token.address, price, self.now() + days * DAY
        )


def make_land_env(session: Session, chain: Chain) -> LandEnv:
    accounts = chain.accounts
    admin, registrar, lender, court, treasury = accounts[:5]
    token = session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin.address, admin.address)
    land = session.deploy("LandRegistry", admin.address)
    governance = LandClient(session, land, session.sender)
    for role, account in [
        ("REGISTRAR_ROLE", registrar),
        ("LENDER_ROLE", lender),
        ("COURT_ROLE", court),
        ("PAUSER_ROLE", admin),
    ]:
        governance.grant_role(role, account.address)
    citizens = [governance.as_account(a) for a in accounts[5:9]]
    session.sender.wait_all(
        session.sender.send_many(
            [token.functions.mint(c.sender.address, CITIZEN_FUNDS) for c in citizens]
        )
    )
    return LandEnv(
        session=session,
        chain=chain,
        token=token,
        governance=governance,
        registrar=governance.as_account(registrar),
        lender=governance.as_account(lender),
        court=governance.as_account(court),
        citizens=citizens,
        treasury=treasury.address,
    )
