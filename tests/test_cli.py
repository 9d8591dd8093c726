"""The command line and the agency scripts, run as a user would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govchain.cli import main
from govchain.project import Project
from secret_watch import register

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def in_project(tmp_project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("GOVCHAIN_PROJECT", str(tmp_project.root))
    return tmp_project


def test_up_starts_devnet_deploys_and_reports_then_is_idempotent(in_project: Project) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["up", "--no-serve", "--no-demo"])
    assert first.exit_code == 0, first.output
    assert "deployed PaymentToken at 0x" in first.output
    assert "code matches build" in first.output
    record = json.loads((in_project.deployments_dir / "local.json").read_text())
    address = record["contracts"]["PaymentToken"]["address"]
    # The devnet was stopped and its state kept: a second `up` finds everything in place.
    second = runner.invoke(main, ["up", "--no-serve", "--no-demo"])
    assert second.exit_code == 0, second.output
    assert "Nothing to deploy: 6 contracts unchanged on local" in second.output
    assert f"PaymentToken        {address}  code matches build" in second.output


def test_accounts_new_import_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCHAIN_KEYSTORE_DIR", str(tmp_path))
    monkeypatch.delenv("GOVCHAIN_PASSWORD", raising=False)
    password = "s3cret-of-the-clerk"  # at least 8 characters, so that secret_watch watches it
    key = "0x" + "5a" * 32
    register(password)
    register(key)
    runner = CliRunner()
    created = runner.invoke(main, ["accounts", "new", "clerk"], input=f"{password}\n{password}\n")
    assert created.exit_code == 0, created.output
    assert "created clerk: 0x" in created.output
    answers = f"{key}\n{password}\n{password}\n"
    imported = runner.invoke(main, ["accounts", "import", "treasury"], input=answers)
    assert imported.exit_code == 0, imported.output
    assert key not in imported.output  # the key prompt is hidden
    listing = runner.invoke(main, ["accounts", "list"])
    assert [line.split()[0] for line in listing.output.splitlines()] == ["clerk", "treasury"]
    again = runner.invoke(main, ["accounts", "import", "treasury"], input=answers)
    assert again.exit_code == 1
    assert "error: keystore 'treasury' already exists" in again.output


def test_deploy_to_unknown_network_prints_a_one_line_error(in_project: Project) -> None:
    result = CliRunner().invoke(main, ["deploy", "--network", "atlantis"])
    assert result.exit_code == 1
    assert result.output.startswith("error: unknown network 'atlantis'")


def test_deploy_script_runs_as_an_agency_would(in_project: Project) -> None:
    env = {**os.environ, "GOVCHAIN_PROJECT": str(in_project.root)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "deploy.py"), "--network", "embedded"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "PaymentToken" in result.stdout and "(deployed now)" in result.stdout
    assert (in_project.deployments_dir / "embedded.json").is_file()


@pytest.mark.slow
def test_deploy_script_runs_under_ape_on_apes_local_network(
    tmp_path: Path, ape_leaves_no_cache: None
) -> None:
    ape = BIN / "ape"
    if not ape.exists() or shutil.which("node") is None:
        pytest.skip("ape is not installed in this environment")
    env = {
        **os.environ,
        "APE_DATA_FOLDER": str(tmp_path / "ape-data"),
        "GOVCHAIN_PROJECT": str(ROOT),
    }
    result = subprocess.run(
        [str(ape), "run", "deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PaymentToken" in result.stdout and "(deployed now)" in result.stdout


def test_node_serves_the_devnet_for_other_tools_and_stops_cleanly_on_sigterm(
    in_project: Project,
) -> None:
    from govchain.chain import connect, free_port, local_state_file, node_file, running_node_url

    port = free_port()
    env = {**os.environ, "GOVCHAIN_PROJECT": str(in_project.root)}
    node = subprocess.Popen(
        [str(BIN / "govchain"), "node", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert node.stdout is not None
        banner = node.stdout.readline()  # printed once anvil answers
        assert f"devnet (anvil, chain id 31337) at http://127.0.0.1:{port}" in banner
        assert running_node_url(in_project) == f"http://127.0.0.1:{port}"
        with connect(in_project, "local") as chain:
            assert chain.anvil is None and chain.url == f"http://127.0.0.1:{port}"
        node.send_signal(signal.SIGTERM)
        assert node.wait(timeout=30) == 0
    finally:
        if node.poll() is None:
            node.kill()
    assert not node_file(in_project).exists()
    assert local_state_file(in_project).is_file()
