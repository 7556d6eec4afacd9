"""Opening Chroma, and calling it with bounded retries, deadlines and one-line errors.

One code path for both stores: ``connect`` returns a ``Connection`` around a
``PersistentClient`` under DOSSIER_HOME or an ``HttpClient`` when DOSSIER_CHROMA_HOST is
set. Every call into Chroma goes through ``Connection.call``, which retries what may pass
(a dropped connection), stops at what will not (a deadline, a bad request), and turns the
failure into a ``StoreError`` whose one line says what to do. For the embedded store a
failure is first checked against the files (``damage``), so a damaged database is named
as such instead of surfacing as Chroma's internal error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ..errors import DossierError, StoreError, StoreUnavailable
from ..settings import Settings
from .damage import diagnose, inspect_files

T = TypeVar("T")

# Failures worth another try: the connection broke before an answer came. A timeout is not
# among them: the deadline is the user's bound on the whole call, retrying would multiply it.
TRANSIENT = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, ConnectionError)
ATTEMPTS = 3


@dataclass
class Connection:
    """A Chroma client and where it points, with the one way Dossier calls it."""

    client: Any
    where: str  # "the Chroma server at host:port" or the store directory, for messages
    path: Optional[Path] = None  # the embedded store's directory; None for a server
    timeout: Optional[float] = None  # the server deadline in seconds; None for the embedded store

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def call(self, action: Callable[[], T], what: str) -> T:
        """Run one Chroma call: transient failures retried with backoff, others reported."""
        try:
            for attempt in Retrying(stop=stop_after_attempt(ATTEMPTS), reraise=True,
                                    wait=wait_exponential(multiplier=0.2, max=2.0),
                                    retry=retry_if_exception_type(TRANSIENT)):
                with attempt:
                    return action()
        except DossierError:
            raise
        except Exception as exc:
            raise self.explain(exc, what) from None
        raise AssertionError("unreachable")  # Retrying either returns or raises

    def explain(self, exc: BaseException, what: str) -> StoreError:
        """The one-line error for a failed call: damage and deadlines first, then Chroma's words."""
        if self.path is not None:
            damaged = diagnose(self.path)
            if damaged is not None:
                return damaged
        if isinstance(exc, httpx.TimeoutException) or _caused_by(exc, httpx.TimeoutException):
            return StoreUnavailable(
                f"{self.where} did not answer within {self.timeout:g} s while {what}; check that it is running "
                "and healthy, or raise DOSSIER_CHROMA_TIMEOUT")
        if isinstance(exc, TRANSIENT) or _caused_by(exc, TRANSIENT) or _refused(exc):
            return StoreUnavailable(f"cannot reach {self.where} ({type(exc).__name__}); "
                                    "start it with `chroma run` or unset DOSSIER_CHROMA_HOST")
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return StoreError(f"Chroma failed while {what}: {type(exc).__name__}: {first}".rstrip(": "))


def _caused_by(exc: BaseException, kinds: Any) -> bool:
    seen = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, kinds):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refused(exc: BaseException) -> bool:
    # chromadb's HttpClient turns a refused connection into a plain ValueError with this text.
    return isinstance(exc, ValueError) and "could not connect" in str(exc).lower()


def connect(settings: Settings) -> Connection:
    """The embedded store under DOSSIER_HOME, or the server named by DOSSIER_CHROMA_HOST."""
    if settings.chroma_host:
        return _connect_server(settings)
    return _connect_embedded(settings.home / "chroma")


def store_path(settings: Settings) -> Path:
    return settings.home / "chroma"


def _chroma_settings(**values: Any) -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, **values)


def _connect_embedded(path: Path) -> Connection:
    import chromadb

    inspect_files(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {path} ({exc.strerror}); set DOSSIER_HOME") from None
    connection = Connection(client=None, where=f"the store at {path}", path=path)
    try:
        connection.client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        forget_clients()  # a half-built client stays cached by path and fails every later open
        raise connection.explain(exc, "opening the store") from None
    return connection


def _connect_server(settings: Settings) -> Connection:
    from .http import open_http_client

    where = f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    connection = Connection(client=None, where=where, timeout=settings.chroma_timeout)
    try:
        connection.client = connection.call(lambda: open_http_client(
            settings.chroma_host, settings.chroma_port, settings.chroma_ssl, settings.chroma_timeout), "connecting")
    except StoreError:
        forget_clients()
        raise
    return connection


def forget_clients() -> None:
    """Drop chromadb's per-path client cache (after a failed open, or files moved aside)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
