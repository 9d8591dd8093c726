"""`govchain up` end to end, as a newcomer runs it: a real process in a temporary copy."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import make_project
from govchain.chain import free_port
from govchain.project import Project

BIN = Path(sys.executable).parent
UP_TIMEOUT = 600.0  # the whole demo scenario; it takes about a minute on two cores


class Lines:
    """A process's merged output, read line by line from a thread (no blocking reads in tests)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._queue.put(line)
        self._queue.put(None)

    def until(self, marker: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            if line is None:
                break
            self.seen.append(line)
            if marker in line:
                return "".join(self.seen)
        raise AssertionError(f"{marker!r} never appeared; output:\n{''.join(self.seen)}")

    def rest(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            if line is None:
                return "".join(self.seen)
            self.seen.append(line)
        raise AssertionError("the process did not finish its output")


def status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        code: int = response.status
        return code


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every practical purpose; only its parent's wait() remains.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


@pytest.fixture
def copy(tmp_path: Path, project: Project) -> Iterator[Project]:
    yield make_project(tmp_path / "newcomer", project)


def govchain(copy: Project, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVCHAIN_PROJECT": str(copy.root)}
    return subprocess.run(
        [str(BIN / "govchain"), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_up_seeds_once_serves_the_explorer_and_stops_cleanly(copy: Project) -> None:
    port = free_port()
    env = {**os.environ, "GOVCHAIN_PROJECT": str(copy.root), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(BIN / "govchain"), "up", "--explorer-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = Lines(process)
    try:
        output = lines.until("Ctrl-C stops the devnet and the explorer", UP_TIMEOUT)
        node = json.loads((copy.state_dir / "local" / "node.json").read_text())

        # The deployment record, and every domain's demo on this chain.
        record = json.loads((copy.deployments_dir / "local.json").read_text())
        assert set(record["contracts"]) >= {"WelfareDisbursement", "Ballot", "Customs"}
        demo = json.loads((copy.state_dir / "local" / "demo.json").read_text())
        assert list(demo["results"]) == ["procurement", "welfare", "land", "customs", "ballot"]
        for domain in ("procurement", "welfare", "land", "customs", "ballot"):
            assert f"  {domain:<12} starting" in output  # the progress display
        assert f"explorer  http://127.0.0.1:{port}/" in output

        # The explorer serves the records the summary points at.
        paths = [h["path"] for r in demo["results"].values() for h in r["highlights"]]
        assert len(paths) >= 10
        for path in paths:
            assert f"http://127.0.0.1:{port}{path}" in output
        for path in ["/", *paths, "/verify/contracts"]:
            assert status(f"http://127.0.0.1:{port}{path}") == 200, path

        # Anyone can recount the demo election against the running devnet.
        election = demo["results"]["ballot"]["facts"]["election_id"]
        recount = govchain(copy, "ballot", "recount", str(election))
        assert recount.returncode == 0, recount.stdout + recount.stderr
        assert "MATCH" in recount.stdout and "MISMATCH" not in recount.stdout
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    tail = lines.rest(10)
    assert process.returncode == 0, tail
    assert "devnet stopped; its state is kept in .govchain/local" in tail
    assert not alive(int(node["pid"])), "anvil outlived `govchain up`"
    assert not (copy.state_dir / "local" / "node.json").exists()
    with pytest.raises(urllib.error.URLError):  # connection refused: the explorer is gone
        status(f"http://127.0.0.1:{port}/")

    # A second `up` restarts the devnet from its state: nothing deployed, nothing re-seeded.
    again = govchain(copy, "up", "--no-serve", timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to deploy: 6 contracts unchanged on local" in again.stdout
    assert "already seeded on this chain: nothing to do" in again.stdout
    assert "starting" not in again.stdout
