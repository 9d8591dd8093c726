"""Files that hold a secret (a bid's or ballot's salt): written once, owner-only, synced."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_once(path: str | Path, data: Any) -> Path:
    """Write ``data`` as JSON to a new file readable by its owner only, synced to disk.

    Raises :class:`FileExistsError` rather than overwrite: the existing file may hold the only
    copy of another secret.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return target
