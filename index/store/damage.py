"""Telling a damaged or unwritable embedded store from a healthy one, and moving it aside.

Chroma reports damage in its own words (an internal error, "Failed to pull logs from the
log store", or a half-built client that fails later with an AttributeError), and it
opens a zero-byte database as a new empty store. Dossier checks the files itself: before
opening (cheap: size, permissions, the SQLite header) and after any failure (SQLite's
own ``quick_check``), so the user is told which file is damaged and how to recover.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Optional

from ..errors import StoreDamaged, StoreError

DATABASE = "chroma.sqlite3"
SQLITE_MAGIC = b"SQLite format 3\x00"
WAY_OUT = ("move it aside with `dossier doctor --repair` and ingest again, or run `dossier ingest --reset PATH` "
           "(both keep the damaged files beside the new store)")


def damaged(file: Path, reason: str) -> StoreDamaged:
    return StoreDamaged(f"the store file {file} is damaged ({reason}); {WAY_OUT}")


def inspect_files(path: Path) -> None:
    """Raise before opening a store whose files cannot be a healthy, writable store."""
    database = path / DATABASE
    if not database.exists():
        if path.is_dir() and any(child.is_dir() for child in path.iterdir()):
            # Index folders without their database: Chroma would start an empty store over them.
            raise damaged(database, "missing, while the store's index folders remain")
        return
    if not os.access(database, os.R_OK):
        raise StoreDamaged(f"the store file {database} cannot be read (permission denied); make it readable "
                           f"(chmod u+rw) or move the store aside with `dossier doctor --repair`")
    _check_writable(path, database)
    problem = _header_problem(database)
    if problem:
        raise damaged(database, problem)


def _check_writable(path: Path, database: Path) -> None:
    # Chroma writes on every open (its log and segment files), so a read-only store cannot
    # even be read; say so instead of failing inside Chroma.
    for item in (path, database):
        if not os.access(item, os.W_OK):
            raise StoreError(f"the store at {path} is read-only ({item} is not writable); make it writable "
                             "(chmod -R u+w) or point DOSSIER_HOME at a writable directory")


def _header_problem(database: Path) -> Optional[str]:
    try:
        with database.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    if not header:
        return "empty file, 0 bytes"
    if header != SQLITE_MAGIC:
        return "not an SQLite database"
    return None


def diagnose(path: Path) -> Optional[StoreDamaged]:
    """After a failure: the damage that explains it, or None when the files look sound."""
    database = path / DATABASE
    if not database.exists():
        return None
    problem = _header_problem(database)
    if problem is None:
        problem = _integrity_problem(database)
    return damaged(database, problem) if problem else None


def _integrity_problem(database: Path) -> Optional[str]:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return _one_line(str(exc))
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return None  # a writer holds it: busy, not damaged
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return _one_line(str(exc))
    finally:
        connection.close()
    if rows and rows[0][0] != "ok":
        return f"integrity check: {_one_line(str(rows[0][0]))[:120]}"  # SQLite lists one damaged page a line
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def move_aside(path: Path) -> Optional[Path]:
    """Rename the store directory to ``chroma.damaged-<time>`` (kept, never deleted)."""
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    suffix = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{suffix}")
        suffix += 1
    path.rename(target)
    return target
