"""Running the explorer: in the foreground (``govchain explorer``) or beside the devnet (``up``)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govchain.explorer.indexer import ExplorerError

if TYPE_CHECKING:
    import uvicorn

    from govchain.explorer.indexer import SyncReport
    from govchain.session import Session

HOST = "127.0.0.1"
START_TIMEOUT = 30.0


def default_database(session: Session) -> str:
    """``sqlite:///<project>/.govchain/explorer-<network>.db``."""
    folder = Path(session.project.root) / ".govchain"
    folder.mkdir(exist_ok=True)
    return f"sqlite:///{folder / f'explorer-{session.network}.db'}"


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


@dataclass
class PreparedExplorer:
    """An explorer whose index has caught up with the chain, ready to serve."""

    server: uvicorn.Server
    database: str
    report: SyncReport

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.config.port}/"


def prepare(
    session: Session, port: int, database: str | None = None, sync_every: float = 2.0
) -> PreparedExplorer:
    """Index the chain up to its head and build the server (not started)."""
    import uvicorn

    from govchain.explorer.app import MAX_REQUEST_HEAD, Explorer, create_app
    from govchain.explorer.indexer import Indexer
    from govchain.explorer.store import Store

    if not port_is_free(port):
        raise ExplorerError(f"port {port} on {HOST} is in use: choose another with --port")
    database = database or default_database(session)
    store = Store(database)
    state = Explorer(session, store, Indexer(session, store))
    report = state.indexer.sync()
    config = uvicorn.Config(
        create_app(state, sync_every=sync_every),
        host=HOST,
        port=port,
        log_level="warning",
        # h11 refuses request lines over 16 KB with a bare "Invalid HTTP request": let the app
        # answer an absurdly long address with its own clear 414 page instead.
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
    )
    return PreparedExplorer(uvicorn.Server(config), database, report)


class BackgroundExplorer:
    """The explorer served from a thread of this process, stopped with :meth:`stop`."""

    def __init__(self, prepared: PreparedExplorer) -> None:
        self.prepared = prepared
        self._thread = threading.Thread(target=prepared.server.run, daemon=True)

    @property
    def url(self) -> str:
        return self.prepared.url

    def start(self) -> BackgroundExplorer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        # uvicorn sets `started` once its socket listens; poll that flag, not the network.
        while not self.prepared.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ExplorerError(f"the explorer failed to start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.prepared.server.should_exit = True
        self._thread.join(timeout=10)
