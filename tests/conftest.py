"""Shared fixtures: the compiled project, one anvil per test session, snapshots around tests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from govchain.accounts import dev_accounts
from govchain.chain import AnvilProcess, Chain, _web3_http, node_file, start_anvil
from govchain.compiler import compile_project
from govchain.project import Project
from govchain.session import Session, registries

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["secret_watch", "fuzz_profile"]  # fuzz_profile: inert unless make fuzz


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository itself, compiled once."""
    project = Project.load(ROOT)
    compile_project(project)
    return project


def make_project(base: Path, source: Project, *, copy_contracts: bool = False) -> Project:
    """A throwaway project sharing the repository's contracts, node_modules and warm build."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(source.root / "govchain.yaml", base / "govchain.yaml")
    (base / "node_modules").symlink_to(source.node_modules)
    if copy_contracts:
        shutil.copytree(
            source.contracts_dir, base / "contracts", ignore=shutil.ignore_patterns(".*")
        )
    else:
        (base / "contracts").symlink_to(source.contracts_dir)
    shutil.copytree(source.build_dir, base / "build")
    return Project.load(base)


@pytest.fixture(scope="session")
def ape_leaves_no_cache() -> Iterator[None]:
    """ape copies OpenZeppelin into contracts/.cache and may leave it there: clean up after it."""
    cache = ROOT / "contracts" / ".cache"
    existed = cache.exists()
    yield
    if not existed:
        shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture
def tmp_project(tmp_path: Path, project: Project) -> Project:
    return make_project(tmp_path / "proj", project)


@pytest.fixture(scope="session")
def anvil(project: Project) -> Iterator[AnvilProcess]:
    process = start_anvil(project)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def _anvil_chain(anvil: AnvilProcess) -> Chain:
    return Chain("local", _web3_http(anvil.url), list(dev_accounts()), url=anvil.url)


@pytest.fixture
def chain(_anvil_chain: Chain) -> Iterator[Chain]:
    """The session's anvil, reverted to a snapshot after each test."""
    snapshot = _anvil_chain.rpc("evm_snapshot")
    yield _anvil_chain
    assert _anvil_chain.rpc("evm_revert", snapshot) is True


@pytest.fixture
def session(project: Project, chain: Chain) -> Session:
    errors, events = registries(project)
    return Session(project, chain, errors, events)


@pytest.fixture
def devnet_project(
    tmp_project: Project, anvil: AnvilProcess, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> Project:
    """The temporary project, with the session's anvil advertised as its running devnet."""
    path = node_file(tmp_project)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pid": anvil.pid, "port": anvil.port, "url": anvil.url}))
    monkeypatch.setenv("GOVCHAIN_PROJECT", str(tmp_project.root))
    return tmp_project


@pytest.fixture
def token(session: Session) -> object:
    """A freshly deployed PaymentToken (2 decimals); accounts[0] is admin and minter."""
    admin = session.chain.accounts[0].address
    return session.deploy("PaymentToken", "Public Unit", "PUB", 2, admin, admin)


@pytest.fixture
def suite_session(devnet_project: Project, chain: Chain) -> Session:
    """The suite (govchain.yaml) deployed on the session's anvil, recorded in a tmp project."""
    from govchain.deploy import deploy_suite

    errors, events = registries(devnet_project)
    session = Session(devnet_project, chain, errors, events)
    deploy_suite(devnet_project, chain, session.sender)
    return session


@pytest.fixture
def demo_context(suite_session: Session) -> object:
    """A :class:`govchain.demo.DemoContext` on the deployed suite (silent progress)."""
    from govchain.demo import DemoContext

    return DemoContext(suite_session)
