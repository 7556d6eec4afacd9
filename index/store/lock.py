"""One writer at a time: the ingest lock.

Two ingests writing at once used to destroy documents: the second collected the first's
uncommitted records as leftovers. Every ingest now holds the store's write lock from its
first read of the manifest to its last write, so the records an ingest finds uncommitted
belong to a writer that is gone, and collecting them is safe.

* Embedded store: a file lock (``filelock``) in DOSSIER_HOME, next to (not inside) the
  store directory, so moving a damaged store aside keeps it. The operating system drops
  the lock when its process dies, whatever the way.
* Chroma server: a lease record in the store itself (``<prefix>_lock``) with an owner and
  an expiry that the holder renews in the background. A crashed writer's lease expires
  (DOSSIER_CHROMA_LEASE_SECONDS) and the next writer takes it. Taking it is an insert that Chroma
  ignores when the id exists, then a read-back: only one writer sees its own name.

Threads of one process that share a lock object (the Discord bot's uploads share one engine)
queue on a thread lock first: the file lock and the lease both let their own holder in again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

from ..errors import StoreBusy, StoreError

Notify = Callable[[str], None]
POLL_SECONDS = 0.5
LEASE_ID = "ingest"


def _owner() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


def _busy_message(holder: Optional[str], where: str) -> str:
    who = f" ({holder})" if holder else ""
    return f"another ingest{who} is writing to {where}"


def _not_waiting(message: str) -> StoreBusy:
    return StoreBusy(f"{message}; try again when it has finished (or drop --no-wait to wait)")


def _take_thread_lock(lock: threading.Lock, wait: bool, notify: Optional[Notify], where: str) -> None:
    if lock.acquire(blocking=False):
        return
    message = _busy_message(f"pid {os.getpid()}, this process", where)
    if not wait:
        raise _not_waiting(message)
    if notify:
        notify(f"{message}; waiting for it to finish")
    lock.acquire()


class _ThreadsFirst:
    """Threads sharing one engine (the Discord bot's uploads) queue on a thread lock before
    the lock between processes (``_take``), which re-admits its own holder."""

    where: str
    _threads: threading.Lock

    def acquire(self, wait: bool = True, notify: Optional[Notify] = None) -> None:
        _take_thread_lock(self._threads, wait, notify, self.where)
        try:
            self._take(wait, notify)
        except BaseException:
            self._threads.release()
            raise

    def _take(self, wait: bool, notify: Optional[Notify]) -> None:
        raise NotImplementedError


class WriteLock(Protocol):
    def acquire(self, wait: bool = True, notify: Optional[Notify] = None) -> None: ...
    def release(self) -> None: ...
    def holder(self) -> Optional[str]: ...
    def check(self) -> None: ...


class FileWriteLock(_ThreadsFirst):
    """The embedded store's lock: ``<home>/ingest.lock``, the holder named in ``ingest.lock.owner``."""

    def __init__(self, path: Path, where: str) -> None:
        from filelock import FileLock

        self.path, self.where = path, where
        self.owner_file = path.with_name(path.name + ".owner")
        self._lock = FileLock(str(path), thread_local=False)
        # The file lock is re-entrant for its own object: threads sharing one engine (the
        # Discord bot's uploads) are serialised here first.
        self._threads = threading.Lock()

    def _take(self, wait: bool, notify: Optional[Notify]) -> None:
        from filelock import Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=0)
        except Timeout:
            message = _busy_message(self._owner(), self.where)
            if not wait:
                raise _not_waiting(message) from None
            if notify:
                notify(f"{message}; waiting for it to finish (Ctrl-C stops waiting)")
            self._lock.acquire(poll_interval=POLL_SECONDS)
        except OSError as exc:
            raise StoreError(f"cannot create the ingest lock {self.path} ({exc.strerror}); "
                             "make DOSSIER_HOME writable") from None
        try:
            self.owner_file.write_text(f"{_owner()} since {time.strftime('%H:%M:%S')}", encoding="utf-8")
        except OSError:
            pass  # the name of the holder is a courtesy

    def release(self) -> None:
        try:
            self.owner_file.unlink(missing_ok=True)
        except OSError:
            pass
        try:
            self._lock.release()
        finally:
            self._threads.release()

    def holder(self) -> Optional[str]:
        """Who holds the lock now, or None when nobody does (the owner file of a writer that
        was killed stays behind; the lock itself does not)."""
        from filelock import Timeout

        if self._threads.locked():
            return self._owner() or "this process"
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return self._owner() or "another process"
        except OSError:
            return None
        self._lock.release()
        return None

    def _owner(self) -> Optional[str]:
        try:
            return self.owner_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def check(self) -> None:
        """A file lock cannot be lost while its process lives."""


class LeaseWriteLock(_ThreadsFirst):
    """A Chroma server's lock: a lease record with owner and expiry, renewed while held."""

    def __init__(self, connection: Any, name: str, seconds: float) -> None:
        self.connection, self.name, self.seconds = connection, name, seconds
        self.where = connection.where
        self.me = f"{_owner()} [{uuid.uuid4().hex[:8]}]"
        self._stop = threading.Event()
        self._renewer: Optional[threading.Thread] = None
        self._lost = False
        self._threads = threading.Lock()  # the lease names this object: its threads queue here first

    def _collection(self) -> Any:
        client = self.connection.client
        return self.connection.call(lambda: client.get_or_create_collection(self.name, embedding_function=None),
                                    "opening the ingest lease")

    def _try_take(self, collection: Any) -> Optional[dict]:
        """Take the lease if it is free or expired; returns the lease record now in force."""
        now = time.time()
        call = self.connection.call
        call(lambda: collection.delete(ids=[LEASE_ID], where={"expires": {"$lt": now}}), "clearing an expired lease")
        lease = {"owner": self.me, "expires": now + self.seconds, "since": time.strftime("%H:%M:%S")}
        call(lambda: collection.add(ids=[LEASE_ID], embeddings=[[1.0]], metadatas=[lease]), "taking the ingest lease")
        found = call(lambda: collection.get(ids=[LEASE_ID], include=["metadatas"]), "reading the ingest lease")
        return found["metadatas"][0] if found["ids"] else None

    def _take(self, wait: bool, notify: Optional[Notify]) -> None:
        collection = self._collection()
        told = False
        while True:
            lease = self._try_take(collection)
            if lease and lease.get("owner") == self.me:
                break
            holder = f"{lease['owner']}, since {lease.get('since')}" if lease else None
            message = _busy_message(holder, self.where)
            if not wait:
                raise _not_waiting(message)
            if notify and not told:
                notify(f"{message}; waiting for it to finish or for its lease to expire "
                       f"({self.seconds:g} s after it stops renewing; Ctrl-C stops waiting)")
                told = True
            time.sleep(POLL_SECONDS)
        self._lost = False
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, args=(collection,), name="dossier-lease", daemon=True)
        self._renewer.start()

    def _renew(self, collection: Any) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                found = collection.get(ids=[LEASE_ID], include=["metadatas"])
                if not found["ids"] or found["metadatas"][0].get("owner") != self.me:
                    self._lost = True
                    return
                lease = dict(found["metadatas"][0], expires=time.time() + self.seconds)
                collection.update(ids=[LEASE_ID], metadatas=[lease])
            except Exception:
                continue  # the next renewal tries again; the lease outlives a few failures

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        try:
            collection = self._collection()
            self.connection.call(lambda: collection.delete(ids=[LEASE_ID], where={"owner": self.me}),
                                 "releasing the ingest lease")
        finally:
            self._threads.release()

    def holder(self) -> Optional[str]:
        collection = self._collection()
        found = self.connection.call(lambda: collection.get(ids=[LEASE_ID], include=["metadatas"]),
                                     "reading the ingest lease")
        if not found["ids"] or float(found["metadatas"][0].get("expires", 0)) < time.time():
            return None
        return str(found["metadatas"][0].get("owner"))

    def check(self) -> None:
        """Stop a writer whose lease expired under it (it stalled longer than the lease):
        another writer may hold the store now, and writing on would mix their records."""
        if self._lost:
            raise StoreError(f"this ingest lost its lease on {self.where} (it stalled for more than "
                             f"{self.seconds:g} s); nothing it wrote was committed, run it again")
