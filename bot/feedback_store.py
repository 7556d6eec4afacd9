"""What users thought of the answers they were shown, kept in SQLite under ``DOSSIER_HOME``.

Every answer a front end shows is recorded with an id (the Discord buttons carry it in their
``custom_id``), so that a vote cast after a restart still finds its answer. A vote belongs to
one user and one answer and can be changed. Users are known only by an opaque id: Discord's
numeric id, or a local name such as "repl"; no names, no tokens, no message contents beyond
the question and the answer. Each answer keeps the Discord server it was given in (its numeric
id; none for direct messages and the REPL): with a corpus per server, what one server's
articles are missing is not another's.

This is front-end state, not the engine's: it lives in bot/. Each thread keeps its own
connection, so the event loop's thread and the REPL's never share one; WAL lets the report
read while a bot writes. Every failure of the database (damaged, locked, unwritable)
is a ``FeedbackError`` with one line that names the file; callers decide what it costs (an
answer is still shown, without buttons).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Literal, Optional, Union

from dossier.index.errors import DossierError
from dossier.index.models import Answer, Citation
from dossier.index.settings import Settings

FILE_NAME = "feedback.sqlite3"
# 1: answers and votes; 2: answers.server_id (a version-1 file gains the column, its rows kept).
SCHEMA_VERSION = 2
# The Discord front end writes on its event loop (one small insert, no fsync per commit in WAL
# with synchronous=NORMAL); a database another process keeps locked is reported after this
# long rather than waited for, so a stuck writer cannot stall every answer.
BUSY_SECONDS = 0.25
Vote = Literal["up", "down"]
VOTE_VALUES = {"up": 1, "down": -1}
VOTE_NAMES = {1: "up", -1: "down"}
VOTE_WORDS = {"up": "helpful", "down": "not helpful"}
# Which answers a report covers: None every answer, a server's numeric id that server's, and
# NO_SERVER those given outside any server (direct messages, the REPL).
NO_SERVER = "none"
ServerChoice = Union[int, Literal["none"], None]

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    source TEXT NOT NULL,
    question TEXT NOT NULL,
    resolved TEXT,
    normalized TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    server_id INTEGER
);
CREATE INDEX IF NOT EXISTS answers_by_status ON answers (status, created);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers (id),
    user_id TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    updated TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
"""


class FeedbackError(DossierError):
    """The feedback database could not be used; the message is one line naming the file."""


@dataclass(frozen=True)
class RecordedAnswer:
    """An answer as it was shown, read back by its id (e.g. for "show sources" after a restart)."""

    answer_id: str
    created: str
    source: str
    question: str
    resolved: Optional[str]
    answer: str
    citations: tuple[Citation, ...]
    mode: str
    status: str
    server_id: Optional[int] = None  # the Discord server it was given in; None outside one


@dataclass(frozen=True)
class VoteResult:
    """What a vote did: ``previous`` is the user's earlier vote on that answer, None if first."""

    answer_id: str
    vote: Vote
    previous: Optional[Vote]


def vote_text(result: VoteResult) -> str:
    """What the voter is told, in Discord and in the REPL."""
    word = VOTE_WORDS[result.vote]
    if result.previous is None:
        return f"Thanks: recorded as {word}."
    if result.previous == result.vote:
        return f"You had already marked this answer as {word}."
    return f"Changed your vote to {word}."


def normalized_question(text: str) -> str:
    """The question as a grouping key: case, punctuation and spacing do not make another question."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the second; compares correctly as text, which the report relies on."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _citation(data: dict) -> Citation:
    return Citation(**{name: data.get(name) for name in Citation.__dataclass_fields__})


def server_clause(server: ServerChoice, column: str = "server_id") -> tuple[str, tuple]:
    """The SQL condition (to follow AND) and its parameters that pick a report's answers."""
    if server is None:
        return "1", ()
    if server == NO_SERVER:
        return f"{column} IS NULL", ()
    return f"{column} = ?", (server,)


class FeedbackStore:
    """The answers shown and the votes on them, in one SQLite file."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self._ready = False
        self._local = threading.local()

    @classmethod
    def at(cls, settings: Settings, clock: Callable[[], datetime] = utc_now) -> "FeedbackStore":
        """The store of a data directory; nothing is opened until it is used."""
        return cls(settings.home / FILE_NAME, clock)

    # ---- connections -------------------------------------------------------------------------

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """This thread's connection inside one transaction (committed on success; a writer takes
        the write lock at once, so a read-then-write cannot be overtaken), every sqlite failure
        turned into one line that says what to do. After a failure the connection is dropped,
        so a file that was repaired or moved aside is opened afresh next time."""
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self.close()
            raise FeedbackError(self._explain(error)) from None
        except OSError as error:
            self.close()
            raise FeedbackError(f"the feedback database {self.path} cannot be opened "
                                f"({error.strerror or error})") from None
        except FeedbackError:
            self.close()
            raise

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread, kept open: opening one costs tens of milliseconds (the
        WAL index is set up again), a transaction on an open one a fraction of a millisecond."""
        connection: Optional[sqlite3.Connection] = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._local.connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS,
                                                                  isolation_level=None)
            connection.execute("PRAGMA synchronous = NORMAL")
            if not self._ready:
                self._create(connection)
        return connection

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except sqlite3.Error:  # closing a broken connection: nothing left to keep
                pass

    def _create(self, connection: sqlite3.Connection) -> None:
        """A new file gets WAL (readers never wait for a writer; it stays set in the file) and
        the tables, an older one the columns it lacks; a current one is only checked, so
        opening it writes nothing."""
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FeedbackError(f"the feedback database {self.path} was written by a newer Dossier "
                                f"(schema {version}); upgrade Dossier, or move the file aside")
        if version < SCHEMA_VERSION:
            connection.execute("PRAGMA journal_mode = WAL")  # not allowed inside a transaction
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._upgrade(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        self._ready = True

    @staticmethod
    def _upgrade(connection: sqlite3.Connection) -> None:
        """Create or upgrade the tables under the write lock. Another process may have done it
        since the version was read, so what exists is looked at again here, not assumed."""
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(answers)")}
        if "server_id" not in columns:  # a version-1 file: its answers were given before servers were kept
            connection.execute("ALTER TABLE answers ADD COLUMN server_id INTEGER")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _explain(self, error: sqlite3.Error) -> str:
        text = " ".join(str(error).split()) or type(error).__name__
        if "locked" in text or "busy" in text:
            return (f"the feedback database {self.path} is locked by another process ({text}); "
                    "try again when it is done")
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
            return f"the feedback database {self.path} is damaged ({text}); move it aside and a new one is started"
        return f"the feedback database {self.path} cannot be used ({text})"

    # ---- writing -----------------------------------------------------------------------------

    def record(self, answer: Answer, source: str, server_id: Optional[int] = None) -> str:
        """Keep an answer as it is shown (in Discord server ``server_id``, None outside one);
        returns its new id (32 hex digits)."""
        answer_id = secrets.token_hex(16)
        citations = json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False)
        asked = answer.resolved or answer.question
        with self._connect(write=True) as db:
            db.execute("INSERT INTO answers (id, created, source, question, resolved, normalized, answer, citations,"
                       " mode, status, server_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (answer_id, timestamp(self.clock()), source, answer.question, answer.resolved,
                        normalized_question(asked), answer.answer, citations, answer.mode, answer.status,
                        server_id))
        return answer_id

    def vote(self, answer_id: str, user_id: str, vote: Vote) -> Optional[VoteResult]:
        """Set ``user_id``'s vote on an answer, replacing an earlier one; None when the answer
        is not in the database (recorded elsewhere, or the file was replaced)."""
        value = VOTE_VALUES[vote]
        with self._connect(write=True) as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return None
            row = db.execute("SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?",
                             (answer_id, user_id)).fetchone()
            db.execute("INSERT INTO votes (answer_id, user_id, vote, updated) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, "
                       "updated = excluded.updated",
                       (answer_id, user_id, value, timestamp(self.clock())))
        return VoteResult(answer_id, vote, VOTE_NAMES[row[0]] if row else None)

    # ---- reading -----------------------------------------------------------------------------

    def answer(self, answer_id: str) -> Optional[RecordedAnswer]:
        with self._connect() as db:
            row = db.execute("SELECT id, created, source, question, resolved, answer, citations, mode, status,"
                             " server_id FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return None if row is None else _recorded(row)

    def votes(self, answer_id: str) -> dict[str, Vote]:
        """Each user's vote on one answer."""
        with self._connect() as db:
            rows = db.execute("SELECT user_id, vote FROM votes WHERE answer_id = ?", (answer_id,)).fetchall()
        return {user: VOTE_NAMES[value] for user, value in rows}

    def voted_down(self, since: Optional[datetime] = None, server: ServerChoice = None) -> list["DownVoted"]:
        """Questions whose answers were voted down (by votes cast since ``since``, on answers
        given where ``server`` says), the most down votes first; the same question asked in
        other words (case, punctuation) is one."""
        where, parameters = server_clause(server, "a.server_id")
        with self._connect() as db:
            rows = db.execute(
                "SELECT a.id, a.created, a.source, a.question, a.resolved, a.answer, a.citations, a.mode, a.status,"
                " a.server_id, a.normalized, SUM(v.vote = -1), SUM(v.vote = 1), MAX(v.updated) "
                f"FROM answers a JOIN votes v ON v.answer_id = a.id WHERE v.updated >= ? AND {where} "
                "GROUP BY a.id HAVING SUM(v.vote = -1) > 0 ORDER BY MAX(v.updated)",
                (timestamp(since) if since else "", *parameters)).fetchall()
        groups: dict[str, DownVoted] = {}
        for row in rows:  # oldest vote first, so the last answer kept per question is the latest
            answer = _recorded(row[:10])
            key = row[10]
            earlier = groups.get(key)
            down, up, answers = row[11], row[12], 1
            if earlier is not None:
                down, up, answers = down + earlier.down, up + earlier.up, answers + earlier.answers
            groups[key] = DownVoted(answer.resolved or answer.question, down, up, answers, row[13], answer)
        return sorted(groups.values(), key=lambda g: (-g.down, _descending(g.last_vote), g.question))

    def unanswered(self, since: Optional[datetime] = None, server: ServerChoice = None) -> list["Unanswered"]:
        """Questions answered ``related`` or ``refused`` (asked since ``since``, where ``server``
        says): what the articles are missing, the most often asked first."""
        where, parameters = server_clause(server)
        with self._connect() as db:
            rows = db.execute("SELECT COALESCE(resolved, question), normalized, status, created, server_id "
                              "FROM answers WHERE status IN ('related', 'refused') AND created >= ? "
                              f"AND {where} ORDER BY created",
                              (timestamp(since) if since else "", *parameters)).fetchall()
        groups: dict[str, Unanswered] = {}
        for question, key, status, created, server_id in rows:
            earlier = groups.get(key, Unanswered(question, 0, 0, 0, created))
            servers = earlier.servers if server_id in earlier.servers else (*earlier.servers, server_id)
            groups[key] = Unanswered(question, earlier.asked + 1, earlier.related + (status == "related"),
                                     earlier.refused + (status == "refused"), created, servers)
        return sorted(groups.values(), key=lambda g: (-g.asked, _descending(g.last_asked), g.question))


@dataclass(frozen=True)
class DownVoted:
    """One question whose answers were voted down: vote totals, and its latest such answer."""

    question: str  # as last asked (a follow-up as it was understood)
    down: int
    up: int
    answers: int  # how many of its answers got a down vote
    last_vote: str
    latest: RecordedAnswer


@dataclass(frozen=True)
class Unanswered:
    """One question the articles did not answer, and how often it was asked."""

    question: str  # as last asked
    asked: int
    related: int
    refused: int
    last_asked: str
    servers: tuple[Optional[int], ...] = ()  # where it was asked, first asked first; None: outside a server


def _recorded(row: tuple) -> RecordedAnswer:
    citations = tuple(_citation(c) for c in json.loads(row[6]))
    return RecordedAnswer(row[0], row[1], row[2], row[3], row[4], row[5], citations, row[7], row[8], row[9])


def _descending(text: str) -> tuple[int, ...]:
    """A sort key that puts later timestamps first."""
    return tuple(-ord(c) for c in text)
