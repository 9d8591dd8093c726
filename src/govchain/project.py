"""Where a govchain project lives on disk, and its configuration file ``govchain.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from govchain.errors import ConfigError

CONFIG_FILE = "govchain.yaml"
PROJECT_ENV = "GOVCHAIN_PROJECT"


@dataclass(frozen=True)
class Project:
    """A project root: ``contracts/``, ``build/``, ``deployments/``, ``.govchain/`` and config."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def discover(cls, start: Path | None = None) -> Project:
        """Find the project from ``$GOVCHAIN_PROJECT`` or by walking up to ``govchain.yaml``."""
        if env := os.environ.get(PROJECT_ENV):
            return cls.load(Path(env))
        here = (start or Path.cwd()).resolve()
        for directory in (here, *here.parents):
            if (directory / CONFIG_FILE).is_file():
                return cls.load(directory)
        raise ConfigError(
            f"no {CONFIG_FILE} found in {here} or any parent; run govchain inside a project "
            f"or set {PROJECT_ENV}"
        )

    @classmethod
    def load(cls, root: Path) -> Project:
        """Load the project rooted at ``root``."""
        root = root.resolve()
        path = root / CONFIG_FILE
        if not path.is_file():
            raise ConfigError(f"{path} does not exist")
        import yaml  # deferred: keeps `govchain compile` on a warm cache fast

        try:
            config = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
        if not isinstance(config, dict):
            raise ConfigError(f"{path}: top level must be a mapping")
        return cls(root=root, config=config)

    @property
    def contracts_dir(self) -> Path:
        return self.root / "contracts"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def deployments_dir(self) -> Path:
        return self.root / "deployments"

    @property
    def state_dir(self) -> Path:
        """Local, git-ignored state: devnet state files, keystores, explorer databases."""
        return self.root / ".govchain"

    @cached_property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    def network_config(self, name: str) -> dict[str, Any]:
        """The ``networks.<name>`` section, or an empty mapping."""
        networks = self.config.get("networks") or {}
        section = networks.get(name) or {}
        if not isinstance(section, dict):
            raise ConfigError(f"{CONFIG_FILE}: networks.{name} must be a mapping")
        return section
