"""One `govchain <group> …` command group driven in-process, as the CLI tests drive each domain."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from govchain.cli import main

Arg = str | int | Path


class GroupRunner:
    """Run commands of one group and assert how they ended."""

    def __init__(self, group: str) -> None:
        self.group = group

    def invoke(self, *args: Arg) -> Result:
        return CliRunner().invoke(main, [self.group, *map(str, args)])

    def run(self, *args: Arg) -> str:
        """A command that must succeed; its output."""
        result = self.invoke(*args)
        assert result.exit_code == 0, result.output
        return result.output

    def refused(self, *args: Arg) -> str:
        """A command refused by the contract or for its input: one line, exit code 1."""
        result = self.invoke(*args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        return result.output

    def usage_error(self, *args: Arg) -> str:
        """Bad command-line input: click's usage error, exit code 2."""
        result = self.invoke(*args)
        assert result.exit_code == 2, result.output
        return result.output
