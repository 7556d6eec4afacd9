"""The scale-out path: the same engine against a real `chroma run` server."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import start_chroma as bench_start_chroma
from dossier.index.engine import Engine
from dossier.index.settings import SEEDS_DIR, Settings


def start_chroma(data: Path) -> tuple[subprocess.Popen, int]:
    """A real `chroma run` on a free loopback port (the benchmarks' starter), within 60 s."""
    return bench_start_chroma(data, timeout=60)


def test_ingest_and_ask_through_http_client(chroma_server, embedder, tmp_path):
    settings = Settings(home=tmp_path / "local", chroma_host="127.0.0.1", chroma_port=chroma_server,
                        collection="served", _env_file=None)
    engine = Engine.open(settings, embedder=embedder)
    assert type(engine.store.client).__name__ != "PersistentClient"
    report = engine.ingest([SEEDS_DIR])
    assert len(report.added) == 5
    assert not (tmp_path / "local" / "chroma").exists()  # nothing went to the embedded store
    answer = engine.ask("How many missiles did North Korea fire toward the Sea of Japan?")
    assert answer.citations[0].doc_id == "002_4e57d263a0889e77" and "at least 10 missiles" in answer.citations[0].quote
    # A second engine with its own local data dir sees the same store through the server.
    other = Engine.open(Settings(home=tmp_path / "other", chroma_host="127.0.0.1", chroma_port=chroma_server,
                                 collection="served", _env_file=None), embedder=embedder)
    assert [m.doc_id for m in other.sources()] == [m.doc_id for m in engine.sources()]
    assert other.ask("Which air routes did South Korea close?").citations


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **env})


def test_two_processes_share_the_server_store(chroma_server, embedder, tmp_path):
    base = {"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(chroma_server),
            "DOSSIER_COLLECTION": "shared-cli"}
    seeds = Settings(home=tmp_path / "seeder", chroma_host="127.0.0.1", chroma_port=chroma_server,
                     collection="shared-cli", _env_file=None)
    assert len(Engine.open(seeds, embedder=embedder).ingest([SEEDS_DIR]).added) == 5  # this process writes
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "ferry.txt").write_text("Ferry strike\n\nThe harbour union said the ferry strike would last nine days.\n",
                                     encoding="utf-8")
    assert run_cli({**base, "DOSSIER_HOME": str(tmp_path / "writer")}, "ingest", str(extra)).returncode == 0
    reader = run_cli({**base, "DOSSIER_HOME": str(tmp_path / "reader")}, "ask", "--json",
                     "How long would the ferry strike last?")
    assert reader.returncode == 0, reader.stderr
    answer = json.loads(reader.stdout)
    assert answer["citations"][0]["doc_id"] == "ferry" and "nine days" in answer["citations"][0]["quote"]


def test_server_gone_is_one_line_and_no_hang(embedder, tmp_path):
    process, port = start_chroma(tmp_path / "data")
    env = {"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(port), "DOSSIER_HOME": str(tmp_path)}
    try:  # the store is filled from this process (the CLI's ingest through a server is tested above)
        settings = Settings(home=tmp_path, chroma_host="127.0.0.1", chroma_port=port, _env_file=None)
        assert len(Engine.open(settings, embedder=embedder).ingest([SEEDS_DIR]).added) == 5
    finally:
        process.terminate()
        process.wait(timeout=20)
    started = time.monotonic()
    result = run_cli(env, "ask", "What did Kirby say about the quantity of shells?")
    assert time.monotonic() - started < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Chroma" in lines[0], result.stderr
