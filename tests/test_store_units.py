"""Unit tests of the store's parts that need no Chroma: the lock, the retry policy, the damage
checks and the revision metadata (the whole store is exercised by test_ingest and tests/faults)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from dossier.index.errors import StoreBusy, StoreDamaged, StoreError, StoreUnavailable
from dossier.index.store import revision
from dossier.index.store.client import Connection
from dossier.index.store.damage import diagnose, inspect_files, move_aside
from dossier.index.store.lock import FileWriteLock


def test_one_file_lock_holder_at_a_time_and_a_stale_owner_file_is_no_holder(tmp_path):
    first, second = (FileWriteLock(tmp_path / "ingest.lock", "the store") for _ in range(2))
    first.acquire()
    try:
        assert f"pid {os.getpid()}" in (second.holder() or "")
        with pytest.raises(StoreBusy, match=f"another ingest \\(pid {os.getpid()}"):
            second.acquire(wait=False)
    finally:
        first.release()
    assert second.holder() is None
    (tmp_path / "ingest.lock.owner").write_text("pid 1 on a-dead-host since 00:00:00", encoding="utf-8")
    assert second.holder() is None, "an owner file left by a killed writer names nobody"
    second.acquire(wait=False)
    second.release()


def test_transient_failures_are_retried_and_others_are_one_line(tmp_path):
    connection = Connection(client=None, where="the Chroma server at db:8000", timeout=2.0)
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("connection reset")
        return "ok"

    assert connection.call(flaky, "reading") == "ok" and len(attempts) == 3

    def bad_request():
        attempts.append(1)
        raise ValueError("bad where clause\nwith a second line")

    attempts.clear()
    with pytest.raises(StoreError) as error:
        connection.call(bad_request, "reading chunks")
    assert len(attempts) == 1 and str(error.value) == "Chroma failed while reading chunks: ValueError: bad where clause"

    def hang():
        attempts.append(1)
        raise httpx.ReadTimeout("timed out")

    attempts.clear()
    with pytest.raises(StoreUnavailable, match="db:8000 did not answer within 2 s while querying"):
        connection.call(hang, "querying")
    assert len(attempts) == 1, "a deadline is not multiplied by retries"


def _database(path: Path) -> Path:
    path.mkdir()
    database = path / "chroma.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("create table t (x text)")
        connection.executemany("insert into t values (?)", [("row %d " % i * 40,) for i in range(2000)])
    return database


@pytest.mark.parametrize("how,reason", [("header", "not an SQLite database"), ("empty", "0 bytes"),
                                        ("half", "malformed")])
def test_damage_is_found_and_named(tmp_path, how, reason):
    database = _database(tmp_path / "chroma")
    inspect_files(database.parent)  # sound
    assert diagnose(database.parent) is None
    size = database.stat().st_size
    with database.open("r+b") as handle:
        if how == "header":
            handle.write(b"garbage" * 4)
        else:
            handle.truncate(0 if how == "empty" else size // 2)
    problem = diagnose(database.parent)
    assert isinstance(problem, StoreDamaged) and reason in str(problem) and str(database) in str(problem)
    if how != "half":  # a truncated file keeps a sound header: only the full check finds it
        with pytest.raises(StoreDamaged, match=reason):
            inspect_files(database.parent)
    moved = move_aside(database.parent)
    assert moved is not None and (moved / "chroma.sqlite3").exists() and not database.parent.exists()


def test_revision_metadata_keeps_every_key_and_an_old_store_counts_as_dirty():
    assert revision.is_dirty({}) and not revision.was_written({})
    start = revision.initial_metadata("model-a")
    assert not revision.is_dirty(start) and revision.revision_of(start) > 0
    dirty = revision.updated(start, "model-a", dirty=True, written=True)
    assert revision.is_dirty(dirty) and revision.was_written(dirty)
    assert revision.revision_of(dirty) == revision.revision_of(start)
    bumped = revision.updated(dirty, "model-a", revision=revision.revision_of(start) + 1, dirty=False)
    assert revision.was_written(bumped) and not revision.is_dirty(bumped)
    with pytest.raises(StoreError, match="dossier ingest --reset"):
        revision.check_model(bumped, "model-b")


def test_threads_sharing_one_lock_object_are_serialised_too(tmp_path):
    lock = FileWriteLock(tmp_path / "ingest.lock", "the store")
    lock.acquire()
    try:
        with pytest.raises(StoreBusy, match="this process"):
            lock.acquire(wait=False)  # the file lock alone would let the same object in again
        assert lock.holder() is not None
    finally:
        lock.release()
    lock.acquire(wait=False)
    lock.release()
    assert lock.holder() is None


def test_a_store_file_with_several_damaged_pages_is_named_in_one_line(tmp_path):
    """SQLite reports each damaged page on a line of its own; the error stays one line."""
    import sqlite3

    from dossier.index.store.damage import _integrity_problem

    database = tmp_path / "chroma.sqlite3"
    connection = sqlite3.connect(database)
    connection.execute("create table t(a text)")
    connection.executemany("insert into t values(?)", [(f"row {i} " + "x" * 300,) for i in range(3000)])
    connection.commit()
    connection.close()
    pages = database.stat().st_size // 4096
    with open(database, "r+b") as handle:
        for page in (pages // 3, 2 * pages // 3):  # a leaf page header claiming impossible free space
            handle.seek(page * 4096)
            handle.write(b"\x0d\x00\x00\x00\xff\xff\xff\xff")
    problem = _integrity_problem(database)
    assert problem is not None and problem.startswith("integrity check:")
    assert "\n" not in problem and problem.count("Page ") == 2
