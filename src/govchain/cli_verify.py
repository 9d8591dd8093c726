"""``govchain verify-bundle``: (re)write the verification bundles of a deployment record.

``govchain deploy`` writes them itself; this command is for records written before bundles
existed, or to rewrite them (``--overwrite``). It reads the record and the build only: no node.
"""

from __future__ import annotations

import click

from govchain.cli_options import handle_errors, network_option


@click.command("verify-bundle")
@network_option
@click.option("--overwrite", is_flag=True, help="Rewrite bundles that are already present.")
@handle_errors
def verify_bundle(network: str, overwrite: bool) -> None:
    """Write deployments/<network>/verify/<Name>/ for each contract of the record."""
    from govchain.deploy import DeploymentRecord
    from govchain.errors import DeploymentError
    from govchain.project import Project
    from govchain.verification import write_bundles

    project = Project.discover()
    record = DeploymentRecord.load(project, network)
    if record is None:
        raise DeploymentError(
            f"no deployment record for {network}: run `govchain deploy --network {network}`"
        )
    for bundle in write_bundles(project, record, overwrite=overwrite):
        verb = "wrote" if bundle.written else "kept "
        click.echo(f"{verb} {bundle.directory.relative_to(project.root)}")
