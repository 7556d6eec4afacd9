"""Small JSON files written atomically (caches next to the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional


def dump_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def load_json(path: Path) -> Optional[Any]:
    """The parsed file, or None when it is missing or not JSON (caches are rebuilt, never trusted)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
