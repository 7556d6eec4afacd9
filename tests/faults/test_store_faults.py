"""Store: the ingest lock, damaged and read-only stores, safe resets, Chroma deadlines, the demo corpus.

Races are driven deterministically: the first writer stops at a named checkpoint of its
run (``Engine.ingest(checkpoint=...)``) and the second is started only then; the first is
let go once the second has said it waits. Damage is done to the real chroma.sqlite3.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from dossier.bot.cli import main
from dossier.index.engine import Engine
from dossier.index.errors import StoreBusy, StoreDamaged
from dossier.index.settings import SEEDS_DIR, Settings
from dossier.index.store import Store
from dossier.index.store.lock import LEASE_ID
from conftest import copy_store
from harness import Run, dossier, dossier_here, dossier_started
from openai_server import FakeOpenAIServer, SilentServer

POINTS = ("locked", "uncommitted", "committed", "publishing")
WAIT = 120  # seconds: a bound on events that come in well under a second, never a sleep


# ---- helpers -------------------------------------------------------------------------------------


def article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def second_corpus(root: Path) -> Path:
    folder = root / "second"
    article(folder, "okapi", "Okapi talks", "The okapi envoy said the talks in the valley had collapsed on Monday.")
    article(folder, "ferry", "Ferry strike", "The harbour union said the ferry strike would last nine days.")
    return folder


class PausedWriter:
    """An ingest in a thread that stops at ``point`` until ``resume``."""

    def __init__(self, engine: Engine, paths: list[Path], point: str, occurrence: int = 1) -> None:
        self.reached, self.go = threading.Event(), threading.Event()
        self.point, self.error = point, None
        self.left = occurrence  # pause the n-th time the writer passes the point (one per batch)
        self.report = None
        self.thread = threading.Thread(target=self._run, args=(engine, paths), daemon=True)

    def _checkpoint(self, name: str) -> None:
        if name != self.point or self.reached.is_set():
            return
        self.left -= 1
        if self.left == 0:
            self.reached.set()
            assert self.go.wait(WAIT), "the paused writer was never resumed"

    def _run(self, engine: Engine, paths: list[Path]) -> None:
        try:
            self.report = engine.ingest(paths, checkpoint=self._checkpoint)
        except BaseException as error:  # reported by finish()
            self.error = error

    def start(self) -> "PausedWriter":
        self.thread.start()
        assert self.reached.wait(WAIT), f"the writer never reached {self.point!r}"
        return self

    def finish(self):
        self.go.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        if self.error is not None:
            raise self.error
        return self.report


def assert_visible_complete(store: Store) -> dict:
    """Every committed document has all its chunks and sentences, each sentence with its span."""
    records = store.documents.get(include=["metadatas"])["metadatas"]
    for record in records:
        doc, version = record["doc_id"], record["version"]
        chunk_ids = [f"{doc}:{version}:c{i}" for i in range(record["n_chunks"])]
        sentence_ids = [f"{doc}:{version}:s{i}" for i in range(record["n_sentences"])]
        assert len(store.chunks.get(ids=chunk_ids)["ids"]) == len(chunk_ids), doc
        assert len(store.get_sentences(sentence_ids)) == len(sentence_ids), doc
    return {r["doc_id"]: r["version"] for r in records}


def assert_complete(store: Store) -> dict:
    """Every committed document is whole and nothing uncommitted is left behind."""
    committed = assert_visible_complete(store)
    for collection in (store.chunks, store.sentences):
        for meta in collection.get(include=["metadatas"])["metadatas"]:
            assert committed.get(meta["document_id"]) == meta["version"], "an uncommitted record was left behind"
    return committed


def assert_answers(engine: Engine) -> None:
    okapi = engine.ask("What did the okapi envoy say about the talks?")
    assert okapi.citations and okapi.citations[0].doc_id == "okapi"
    seeds = engine.ask("How many missiles did North Korea fire toward the Sea of Japan?")
    assert seeds.citations and seeds.citations[0].doc_id == "002_4e57d263a0889e77"


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("dossier: error: "), stderr
    return lines[0]


# ---- 1. one writer at a time ---------------------------------------------------------------------


@pytest.mark.parametrize("point,occurrence", [*((p, 1) for p in POINTS), ("uncommitted", 3), ("committed", 4)])
def test_second_ingest_during_a_write_waits_and_loses_nothing(embedder, corpus, tmp_path, point, occurrence):
    """A second ingest started while another writes (at each point of its run, between batches too) -> it waits with a message; every document complete"""
    # Small batches: the first writer commits documents several times, so it can be paused
    # with some of its documents committed and others half-written.
    settings = Settings(home=tmp_path / "home", ingest_batch_sentences=10, _env_file=None)  # a batch per article
    first = PausedWriter(Engine.open(settings, embedder=embedder), [corpus], point, occurrence).start()
    told, done = threading.Event(), threading.Event()
    second_engine = Engine.open(settings, embedder=embedder)
    messages: list[str] = []
    second: dict = {}

    def run_second() -> None:
        try:
            second["report"] = second_engine.ingest([second_corpus(tmp_path)],
                                                    notify=lambda m: (messages.append(m), told.set()))
        finally:
            done.set()

    thread = threading.Thread(target=run_second, daemon=True)
    thread.start()
    assert told.wait(WAIT), "the second writer did not say it waits"
    assert not done.is_set()
    reader = Engine.open(settings, embedder=embedder)  # meanwhile a reader sees whole documents or none
    visible = assert_visible_complete(reader.store)
    assert {m.doc_id for m in reader.sources()} == set(visible) and len(visible) <= 5
    assert (len(visible) == 0) == (point in ("locked", "uncommitted") and occurrence == 1)
    assert "another ingest" in messages[0] and f"pid {os.getpid()}" in messages[0] and "waiting" in messages[0]
    assert len(first.finish().added) == 5
    thread.join(WAIT)
    assert set(second["report"].added) == {"okapi", "ferry"}
    committed = assert_complete(second_engine.store)
    assert len(committed) == 7
    assert_answers(Engine.open(settings, embedder=embedder))


def test_no_wait_fails_at_once_while_another_ingest_writes(embedder, corpus, tmp_path):
    """An ingest run with --no-wait while another ingest writes -> exit 1, one line naming the other writer; the first completes"""
    settings = Settings(home=tmp_path / "home", _env_file=None)
    first = PausedWriter(Engine.open(settings, embedder=embedder), [corpus], "uncommitted").start()
    with pytest.raises(StoreBusy, match="another ingest"):
        Engine.open(settings, embedder=embedder).ingest([second_corpus(tmp_path)], wait=False)
    run = dossier("ingest", "--no-wait", str(second_corpus(tmp_path)), home=settings.home)
    assert run.status == 1
    assert "another ingest" in one_line(run.stderr) and "--no-wait" in run.stderr
    assert len(first.finish().added) == 5
    assert len(assert_complete(Engine.open(settings, embedder=embedder).store)) == 5


def test_a_killed_writer_leaves_nothing_visible_and_the_next_ingest_repairs(embedder, corpus, tmp_path):
    """An ingest killed (kill -9) between writing chunks and committing -> nothing half visible; the next ingest collects the leftovers"""
    home = tmp_path / "home"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from dossier.index.engine import Engine\n"
        "from dossier.index.settings import Settings\n"
        "def stop(name):\n"
        "    if name == 'uncommitted':\n"
        "        print('PAUSED', flush=True)\n"
        "        time.sleep(600)\n"
        f"Engine.open(Settings(home=Path({str(home)!r}), _env_file=None)).ingest([Path({str(corpus)!r})], checkpoint=stop)\n")
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "PAUSED"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(WAIT)
    engine = Engine.open(Settings(home=home, _env_file=None), embedder=embedder)
    assert engine.sources() == [] and engine.store.count_chunks() > 0  # written, never committed
    status = engine.ensure_corpus()  # the dead writer's lock is gone with it, its leftovers are not seeds' business
    assert status.action == "lost" and "not added" in status.message
    report = engine.ingest([corpus, second_corpus(tmp_path)])  # the lock died with its process: no wait
    assert report.repaired and len(report.added) == 7
    assert len(assert_complete(engine.store)) == 7
    assert_answers(engine)


# ---- 1. the same through a Chroma server (a lease record) -----------------------------------------


@pytest.fixture
def chroma_port(chroma_server):
    """The session's `chroma run` (tests/conftest.py); these tests keep to their own collections."""
    return chroma_server


def server_settings(home: Path, port: int, collection: str) -> Settings:
    return Settings(home=home, chroma_host="127.0.0.1", chroma_port=port, collection=collection, _env_file=None)


def server_env(port: int, collection: str) -> dict[str, str]:
    return {"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(port), "DOSSIER_COLLECTION": collection}


@pytest.mark.parametrize("point", ("uncommitted", "committed"))
def test_second_ingest_through_a_server_waits_for_the_lease(embedder, corpus, tmp_path, chroma_port, point):
    """A second ingest (a separate process, through chroma run) while another writes -> it waits for the lease with a message; every document complete"""
    collection = f"race-{point}"
    settings = server_settings(tmp_path / "writer", chroma_port, collection)
    first = PausedWriter(Engine.open(settings, embedder=embedder), [corpus], point).start()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DOSSIER_", "OPENAI_"))}
    environment.update(server_env(chroma_port, collection), DOSSIER_HOME=str(tmp_path / "other"))
    second = subprocess.Popen([sys.executable, "-m", "dossier", "ingest", str(second_corpus(tmp_path))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        line = second.stderr.readline()
        assert "another ingest" in line and "waiting" in line, line
        assert second.poll() is None
        assert len(first.finish().added) == 5
        out, err = second.communicate(timeout=WAIT)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, err
    assert "added 2" in out
    engine = Engine.open(settings, embedder=embedder)
    assert len(assert_complete(engine.store)) == 7
    assert_answers(engine)


def test_a_crashed_server_writers_lease_expires(embedder, corpus, tmp_path, chroma_port):
    """A lease left by a crashed writer on the server -> the next ingest waits until it expires, then writes"""
    settings = server_settings(tmp_path / "home", chroma_port, "lease").model_copy(update={"chroma_lease_seconds": 7})
    engine = Engine.open(settings, embedder=embedder)
    leases = engine.store.client.get_or_create_collection("lease_lock", embedding_function=None)
    leases.add(ids=[LEASE_ID], embeddings=[[1.0]],
               metadatas=[{"owner": "pid 1 on a-dead-host [dead]", "expires": time.time() + 1.5, "since": "00:00:00"}])
    with pytest.raises(StoreBusy, match="a-dead-host"):
        engine.ingest([corpus], wait=False)
    messages: list[str] = []
    report = engine.ingest([corpus], notify=messages.append)
    assert len(report.added) == 5 and "expire" in messages[0]
    assert "(7 s after it stops renewing" in messages[0], messages  # DOSSIER_CHROMA_LEASE_SECONDS reaches the lease
    assert not leases.get(ids=[LEASE_ID])["ids"], "the lease is released after the ingest"


# ---- 2. deadlines on the Chroma server -------------------------------------------------------------


def test_a_chroma_server_that_never_answers_gives_one_line_within_the_deadline(tmp_path):
    """A Chroma server that accepts connections and never answers -> ask, sources, ingest and repl each print one line within the deadline"""
    deadline = 0.5  # seconds, DOSSIER_CHROMA_TIMEOUT (short: every command waits it out)
    commands = (("ask", "Who said what?"), ("sources",), ("ingest", str(SEEDS_DIR)), ("repl",))
    with SilentServer() as silent:
        env = {"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(silent.port),
               "DOSSIER_CHROMA_TIMEOUT": str(deadline)}
        # Each command in its own (empty) home, timed on its own clock. `ask` waits on the silent
        # server as a user runs it, a new process (nothing but the one line reaches stderr), and
        # beside it the same start-up without any wait: a command against a closed port. Started
        # together, they share the machine alike, so the bound below holds however slow or busy
        # the machine is. The other three fail on the same connection the same way; they run
        # meanwhile through main() in this process (a new process each only repeats the imports).
        for name in ("closed", *(args[0] for args in commands)):
            (tmp_path / name).mkdir()
        closed = dossier_started("sources", home=tmp_path / "closed", timeout=120,
                                 env={"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": "9"})
        asked = dossier_started(*commands[0], home=tmp_path / commands[0][0], env=env, timeout=120)
        here = [dossier_here(*args, home=tmp_path / args[0], env=env, timeout=120) for args in commands[1:]]
        closed, runs = closed(), [asked(), *here]
    assert closed.status == 1 and "cannot reach the Chroma server" in one_line(closed.stderr)
    for args, run in zip(commands, runs):
        assert run.status == 1, (args, run.stderr)
        assert f"127.0.0.1:{silent.port} did not answer within {deadline} s" in one_line(run.stderr)
        # A refused connection is the same process start-up without any wait: the hang adds
        # at most the deadline (once; a timeout is not retried), with room for a slow machine.
        assert run.seconds <= closed.seconds + 2 * deadline + 10, (args, run.seconds, closed.seconds)


def test_a_chroma_server_that_never_answers_stops_the_bot_at_startup(tmp_path, capsys, monkeypatch):
    """A Chroma server that accepts connections and never answers while dossier discord starts -> one error line within the deadline"""
    import discord

    from dossier.bot.discord_bot import run_discord

    async def login(self, token: str) -> None:  # Discord itself is the network edge faked here
        await self.setup_hook()

    monkeypatch.setattr(discord.Client, "login", login)
    deadline = 0.5  # seconds, DOSSIER_CHROMA_TIMEOUT (short: every command waits it out)
    with SilentServer() as silent:
        settings = Settings(home=tmp_path / "home", chroma_host="127.0.0.1", chroma_port=silent.port,
                            chroma_timeout=deadline, discord_token="x.y.z", _env_file=None)
        clock = time.monotonic()
        status = run_discord(settings)
        seconds = time.monotonic() - clock
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and err.startswith("dossier: error: "), err
    assert f"127.0.0.1:{silent.port} did not answer within {deadline} s" in err
    # Without a deadline the bot would wait on the socket for ever; with one, once (not retried).
    assert seconds < 2 * deadline + 10, seconds


# ---- 3. damaged and read-only stores ----------------------------------------------------------------


def damage(database: Path, how: str) -> None:
    size = database.stat().st_size
    with database.open("r+b") as handle:
        if how == "header":
            handle.write(b"not a database! " * 8)
        elif how == "middle":
            handle.seek(size // 2)
            handle.write(b"\xde\xad\xbe\xef" * (size // 32))
        elif how == "half":
            handle.truncate(size // 2)
        elif how == "empty":
            handle.truncate(0)


DAMAGE = ("header", "middle", "half", "empty")


# A bad header and an empty file are refused before Chroma opens anything, by the same check
# and with the same error line, so the empty file is asked through main() in this process and
# the garbage header as a user runs it, in a new one. Damage that Chroma itself meets (a sound
# header over bad pages) is read only in processes of their own: it must not reach ours.
IN_THIS_PROCESS = ("empty",)


@pytest.fixture(scope="module")
def damaged(seeded_home, tmp_path_factory) -> dict[str, tuple[Path, Run]]:
    """A copy of the seeded store damaged each way, and `dossier ask` run on it: how -> (home, run).
    The processes run side by side (each its own store); each test reads only its own."""
    root = tmp_path_factory.mktemp("damaged")
    homes = {how: copy_store(seeded_home, root / how / "home") for how in DAMAGE}
    for how, home in homes.items():
        damage(home / "chroma" / "chroma.sqlite3", how)
    started = {how: dossier_started("ask", "Who is John Kirby?", home=homes[how])
               for how in DAMAGE if how not in IN_THIS_PROCESS}
    runs = {how: dossier_here("ask", "Who is John Kirby?", home=homes[how]) for how in IN_THIS_PROCESS}
    runs.update({how: result() for how, result in started.items()})
    return {how: (homes[how], runs[how]) for how in DAMAGE}


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_store_is_named_and_a_reset_recovers_it(embedder, damaged, corpus, how, monkeypatch, capsys):
    """A damaged chroma.sqlite3 (garbage header or middle, truncated to half or to 0 bytes) -> one line naming the file and the way out; ingest --reset recovers, keeping the damaged files"""
    seeded_store, run = damaged[how]
    database = seeded_store / "chroma" / "chroma.sqlite3"
    assert run.status == 1
    line = one_line(run.stderr)
    assert str(database) in line and "damaged" in line and "dossier doctor --repair" in line
    assert "dossier ingest --reset" in line
    if how == "header":  # the reset as a user runs it, once; the other kinds through the same main()
        reset = dossier("ingest", "--reset", str(corpus), home=seeded_store)
        assert reset.status == 0, reset.stderr
    else:
        monkeypatch.setenv("DOSSIER_HOME", str(seeded_store))
        assert main(["ingest", "--reset", str(corpus)]) == 0, capsys.readouterr().err
    kept = [p for p in seeded_store.iterdir() if p.name.startswith("chroma.damaged-")]
    assert len(kept) == 1 and (kept[0] / "chroma.sqlite3").exists()
    engine = Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)
    assert len(engine.sources()) == 5
    assert engine.ask("How many missiles did North Korea fire toward the Sea of Japan?").citations


def test_doctor_repair_moves_a_damaged_store_aside(embedder, seeded_home, seeded_store, tmp_path, monkeypatch, capsys):
    """The doctor command on a damaged store -> one line naming the file; doctor --repair moves it aside and the store is usable again"""
    database = seeded_store / "chroma" / "chroma.sqlite3"
    twin = copy_store(seeded_home, tmp_path / "twin")  # the same store left healthy, checked beside it
    damage(database, "header")
    sick = dossier("doctor", home=seeded_store)  # as a user runs it: one line on stderr, nothing else
    monkeypatch.setenv("DOSSIER_HOME", str(twin))  # the healthy twin and the repair through main(), here
    assert main(["doctor"]) == 0
    assert "5 documents" in capsys.readouterr().out
    assert sick.status == 1 and str(database) in one_line(sick.stderr)
    monkeypatch.setenv("DOSSIER_HOME", str(seeded_store))
    status = main(["doctor", "--repair"])
    repaired = capsys.readouterr()
    assert status == 0 and "moved the damaged store" in repaired.out, repaired.err
    assert [p.name for p in seeded_store.iterdir() if p.name.startswith("chroma.damaged-")]
    engine = Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)
    assert engine.sources() == []
    status = engine.ensure_corpus()  # the user's articles were in the damaged store: no demo corpus instead
    assert status.action == "lost" and engine.sources() == []


def test_a_missing_database_beside_its_index_folders_is_damage(embedder, seeded_store):
    """The database chroma.sqlite3 deleted while the store's index folders remain -> StoreDamaged naming it; no new empty store"""
    database = seeded_store / "chroma" / "chroma.sqlite3"
    database.unlink()
    with pytest.raises(StoreDamaged, match="missing"):
        Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)
    assert not database.exists()


def test_an_empty_database_file_is_damage_never_an_empty_store(embedder, seeded_store):
    """A chroma.sqlite3 truncated to 0 bytes -> StoreDamaged; the demo corpus is never ingested into it"""
    (seeded_store / "chroma" / "chroma.sqlite3").write_bytes(b"")
    with pytest.raises(StoreDamaged, match="0 bytes"):
        Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)
    assert (seeded_store / "chroma" / "chroma.sqlite3").stat().st_size == 0


@contextlib.contextmanager
def read_only(home: Path) -> Iterator[Path]:
    """``home`` seen read-only. Permission bits do not stop root, so as root the directory is
    bind-mounted read-only instead (what a read-only volume or network share gives)."""
    if os.geteuid() != 0:
        paths = [home, *home.rglob("*")]
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield home
        finally:
            for path in paths:
                path.chmod(0o755 if path.is_dir() else 0o644)
        return
    view = home.with_name(home.name + "-read-only")
    view.mkdir()
    subprocess.run(["mount", "--bind", str(home), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True)


def test_a_read_only_store_says_so_in_one_line(seeded_store):
    """A read-only data directory -> one line naming the store and the way out (no Chroma internals)"""
    with read_only(seeded_store) as home:
        run = dossier("ask", "Who is John Kirby?", home=home)
    assert run.status == 1
    line = one_line(run.stderr)
    assert "read-only" in line and str(home / "chroma") in line and "DOSSIER_HOME" in line


# ---- 4. --reset is safe ---------------------------------------------------------------------------


def test_a_reset_whose_embeddings_fail_leaves_the_old_store_intact(embedder, seeded_store, corpus):
    """An ingest --reset whose OpenAI-compatible embeddings server fails -> one line saying the store is unchanged; old store answers"""
    with FakeOpenAIServer() as server:
        env = {"DOSSIER_EMBEDDINGS": "openai", "OPENAI_BASE_URL": f"{server.url}/broken/v1",
               "OPENAI_API_KEY": "sk-test-reset"}
        run = dossier("ingest", "--reset", str(corpus), home=seeded_store, env=env)
    assert run.status == 1
    line = one_line(run.stderr)
    assert "existing store is unchanged" in line and "sk-test-reset" not in line
    engine = Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)
    assert len(engine.sources()) == 5
    assert engine.ask("How many missiles did North Korea fire toward the Sea of Japan?").citations
    assert not [c.name for c in engine.store.client.list_collections() if "reset" in c.name]


def test_a_reset_swaps_the_new_store_in_only_at_the_end(embedder, seeded_copy, tmp_path):
    """A reader during ingest --reset -> sees the old store until the new one is complete, then the new one"""
    readers = Engine.open(seeded_copy.settings, embedder=embedder)
    resetting = Engine.open(seeded_copy.settings, embedder=embedder, reset=True)
    writer = PausedWriter(resetting, [second_corpus(tmp_path)], "publishing").start()
    assert len(readers.sources()) == 5
    writer.finish()
    assert sorted(m.doc_id for m in readers.sources()) == ["ferry", "okapi"]
    assert readers.ask("What did the okapi envoy say about the talks?").citations[0].doc_id == "okapi"


# ---- 7. the demo corpus ---------------------------------------------------------------------------


def test_the_demo_corpus_goes_only_into_a_store_that_never_held_anything(embedder, tmp_path):
    """A store whose first ingest died before committing, or whose documents were pruned -> reported, never refilled with the demo corpus"""
    corpus = second_corpus(tmp_path)  # the user's own articles (two short ones: cheap to embed twice)
    new = Engine.open(Settings(home=tmp_path / "new", _env_file=None), embedder=embedder)
    seeded = new.ensure_corpus()
    assert seeded.action == "seeded" and "never held" in seeded.message and len(seeded.report.added) == 5
    assert new.ensure_corpus().action == "ready"

    killed = Engine.open(Settings(home=tmp_path / "killed", _env_file=None), embedder=embedder)

    def die(name: str) -> None:
        if name == "uncommitted":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        killed.ingest([corpus], checkpoint=die)
    status = killed.ensure_corpus()
    assert status.action == "lost" and "not added" in status.message and killed.sources() == []
    run = dossier_here("ask", "Who is John Kirby?", home=tmp_path / "killed")  # its status and its words
    assert run.status == 1 and "not added" in run.stderr and "empty" in run.stderr
    assert killed.sources() == []

    pruned = Engine.open(Settings(home=tmp_path / "pruned", _env_file=None), embedder=embedder)
    pruned.ingest([corpus])
    for path in corpus.glob("*.txt"):
        path.unlink()
    pruned.ingest([corpus], prune=True)
    assert pruned.ensure_corpus().action == "lost" and pruned.sources() == []
