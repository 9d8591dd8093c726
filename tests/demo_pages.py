"""Checks shared by the demo tests: every highlight opens in an explorer indexed from the chain."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from govchain.demo import Highlight
from govchain.explorer.app import Explorer, create_app
from govchain.explorer.indexer import Indexer
from govchain.explorer.store import Store
from govchain.session import Session


def assert_highlights_open(session: Session, highlights: list[Highlight], tmp_path: Path) -> None:
    """Each highlight's API page answers 200: a mined transaction, or a record with history."""
    store = Store(f"sqlite:///{tmp_path / 'explorer.db'}")
    explorer = Explorer(session, store, Indexer(session, store))
    explorer.sync()
    with TestClient(create_app(explorer, sync_every=None)) as client:
        for highlight in highlights:
            page = client.get(f"/api{highlight.path}")
            assert page.status_code == 200, highlight
            if highlight.path.startswith("/tx/"):
                assert page.json()["transaction"]["status"] == 1, highlight
            else:
                assert page.json()["history"], highlight
