"""The explorer's indexer: follows the suite's events, resumes, and survives reorganisations."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from govchain.chain import Chain
from govchain.cli import main
from govchain.clients.land import LandClient, ParcelSpec
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.project import Project
from govchain.session import Session, registries

DEED = b"\x11" * 32


def _session(project: Project, chain: Chain) -> Session:
    errors, events = registries(project)
    return Session(project, chain, errors, events)


def _land(project: Project, chain: Chain) -> LandClient:
    deployed = CliRunner().invoke(main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    session = _session(project, chain)
    land: LandClient = LandClient.connect(session)
    land.grant_role("REGISTRAR_ROLE", chain.accounts[1].address)
    return land.as_account(chain.accounts[1])


def test_indexes_events_as_sentences_and_resumes(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    registrar = _land(devnet_project, chain)
    owner = chain.accounts[5].address
    registrar.register("0042-17", owner, ParcelSpec(b"\x01" * 32, 1_250, 110), DEED)
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    indexer = Indexer(registrar.session, store)
    first = indexer.sync()
    assert first.events >= 1 and first.reorg_depth == 0
    rows = store.events(kind="parcel", record="0042-17")
    assert [r.name for r in rows] == ["ParcelRegistered"]
    assert rows[0].sentence == f"Parcel 0042-17 (1,250 m²) registered to {owner[:6]}…{owner[-4:]}"
    registrar.register("0042-18", owner, ParcelSpec(b"\x02" * 32, 900, 110), DEED)
    again = Indexer(registrar.session, store).sync()  # a new process resumes from the cursor
    assert again.indexed_from == first.head + 1 and again.events == 1
    assert store.records("parcel") == ["0042-17", "0042-18"]


def test_a_reorganisation_removes_orphaned_records(
    devnet_project: Project, chain: Chain, tmp_path: Path
) -> None:
    registrar = _land(devnet_project, chain)
    owner = chain.accounts[5].address
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    indexer = Indexer(registrar.session, store)
    indexer.sync()
    fork = chain.rpc("evm_snapshot")
    registrar.register("0042-17", owner, ParcelSpec(b"\x01" * 32, 1_250, 110), DEED)
    indexer.sync()
    assert store.records("parcel") == ["0042-17"]
    assert chain.rpc("evm_revert", fork) is True  # the branch with 0042-17 is gone
    # A fresh session: the old sender's local nonces belong to the orphaned branch.
    other = LandClient.connect(_session(devnet_project, chain)).as_account(chain.accounts[1])
    other.register("0099-01", owner, ParcelSpec(b"\x03" * 32, 500, 110), DEED)
    report = indexer.sync()
    assert report.reorg_depth >= 1 and report.dropped >= 1
    assert store.records("parcel") == ["0099-01"]


def test_indexes_an_in_process_chain_without_json_rpc_batches(tmp_project: Project) -> None:
    """eth-tester has no JSON-RPC batches: the indexer asks one call at a time, same rows."""
    from govchain.deploy import deploy_suite
    from govchain.session import connect

    with connect("embedded", project=tmp_project) as session:
        assert not hasattr(session.chain.w3.provider, "make_batch_request")
        deploy_suite(tmp_project, session.chain, session.sender)
        land: LandClient = LandClient.connect(session)
        land.grant_role("REGISTRAR_ROLE", session.chain.accounts[1].address)
        owner = session.chain.accounts[5].address
        land.as_account(session.chain.accounts[1]).register(
            "0042-17", owner, ParcelSpec(b"\x01" * 32, 1_250, 110), DEED
        )
        store = Store(f"sqlite:///{tmp_project.root / 'explorer.db'}")
        report = Indexer(session, store).sync()
        rows = store.events(kind="parcel", record="0042-17")
        assert [r.sentence for r in rows] == [
            f"Parcel 0042-17 (1,250 m²) registered to {owner[:6]}…{owner[-4:]}"
        ]
        assert report.events == len(store.events())
        registration = store.transaction(rows[0].tx_hash)
        assert registration is not None
        assert registration["sender"] == session.chain.accounts[1].address
        assert registration["recipient"] == land.address and registration["status"] == 1
