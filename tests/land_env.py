"""A deployed LandRegistry with its officials and funded citizens, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from devnet_clock import DevnetClock
from govchain.chain import Chain
from govchain.clients.land import LandClient, ParcelSpec, geometry_hash, parcel_id
from govchain.revert import revert_data_from_exception
from govchain.sender import Receipt
from govchain.session import Session

DAY = 86_400
CITIZEN_FUNDS = 10**12
DEED = keccak(text="deed of first registration")


@dataclass
class LandEnv(DevnetClock):
    session: Session
    chain: Chain
    token: Any
    governance: LandClient
    registrar: LandClient
    lender: LandClient
    court: LandClient
    citizens: list[LandClient]
    treasury: str

    def call(self, function: Any) -> Any:
        """A view call (``contract.functions.f(args)``); a revert raises its decoded error."""
        try:
            return function.call()
        except Exception as exc:
            data = revert_data_from_exception(exc)
            if data is None:
                raise
            raise self.session.errors.decode(data) from exc

    def register(
        self, number: str, owner: LandClient, area: int = 1_000, land_use: int = 110
    ) -> Receipt:
        return self.registrar.register(
            number, owner.sender.address, spec(number, area, land_use), DEED
        )

    def offer(
        self, number: str, seller: LandClient, buyer: LandClient, price: int, days: int = 30
    ) -> int:
        """Offer ``number`` to ``buyer`` in the env's token; the offer's deadline."""
        deadline = self.now() + days * DAY
        seller.offer_sale(number, buyer.sender.address, self.token.address, price, deadline)
        return deadline

    def accept_raw(
        self,
        buyer: LandClient,
        number: str,
        price: int,
        token: str | None = None,
        deed: bytes = DEED,
        *,
        allowance: int | None = None,
    ) -> Receipt:
        """``acceptSale`` sent as is (no look-up of the offer), after approving ``allowance``."""
        token = self.token.address if token is None else token
        allowance = price if allowance is None else allowance
        buyer.sender.transact(self.token.functions.approve(buyer.address, allowance))
        return buyer.sender.transact(
            buyer.contract.functions.acceptSale(parcel_id(number), token, price, deed)
        )


def spec(number: str, area: int, land_use: int = 110) -> ParcelSpec:
    """A parcel record whose geometry hash is derived from its number."""
    return ParcelSpec(geometry_hash(f'{{"parcel": "{number}"}}'), area, land_use)


@dataclass(frozen=True)
class LandDeployment:
    """Addresses of a deployed, staffed and funded registry (see :func:`deploy_land`)."""

    token: str
    land: str


def deploy_land(session: Session, chain: Chain) -> LandDeployment:
    """Deploy the token and the registry, grant the officials' roles, fund the citizens."""
    accounts = chain.accounts
    admin, registrar, lender, court = accounts[:4]
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
    session.sender.wait_all(
        session.sender.send_many(
            [token.functions.mint(a.address, CITIZEN_FUNDS) for a in accounts[5:9]]
        )
    )
    return LandDeployment(token=str(token.address), land=str(land.address))


def land_env_at(session: Session, chain: Chain, deployment: LandDeployment) -> LandEnv:
    """The environment of an existing deployment (sends nothing)."""
    accounts = chain.accounts
    admin, registrar, lender, court, treasury = accounts[:5]
    token = session.contract("PaymentToken", deployment.token)
    governance = LandClient(
        session, session.contract("LandRegistry", deployment.land), session.sender
    )
    return LandEnv(
        session=session,
        chain=chain,
        token=token,
        governance=governance,
        registrar=governance.as_account(registrar),
        lender=governance.as_account(lender),
        court=governance.as_account(court),
        citizens=[governance.as_account(a) for a in accounts[5:9]],
        treasury=treasury.address,
    )


def make_land_env(session: Session, chain: Chain) -> LandEnv:
    """A fresh deployment and its environment."""
    return land_env_at(session, chain, deploy_land(session, chain))
