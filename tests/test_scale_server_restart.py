"""A Chroma server that dies in the middle of a multi-file ingest.

The ingest must give up after bounded retries with one readable line and a non-zero
exit (no traceback, no hang), leave only complete documents visible, and the next
ingest against the restarted server (same data path) must finish the job."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from dossier.bot.cli import main
from dossier.index.settings import SEEDS_DIR
from tests.test_chroma_server import start_chroma

# Small embedding batches, so the ingest commits documents many times before it ends (about
# one commit per document: the server is killed after the first of some fifteen).
SMALL_BATCHES = {"DOSSIER_INGEST_BATCH_SENTENCES": "16"}
# The killed writer's lease must expire before the repair ingest can write: a short lease
# (renewed every third of it while the writer lives) keeps that wait to seconds, not 30.
SHORT_LEASE = {"DOSSIER_CHROMA_LEASE_SECONDS": "4"}


def make_corpus(target: Path, copies: int = 3) -> int:
    target.mkdir()
    for copy in range(copies):
        for seed in sorted(SEEDS_DIR.glob("*.txt")):
            shutil.copy(seed, target / f"c{copy}_{seed.name}")
    return copies * 5


def committed_state(port: int) -> tuple[dict, dict]:
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    manifest = {m["doc_id"]: m for m in client.get_collection("dossier_documents").get(include=["metadatas"])["metadatas"]}
    counts = {}
    for kind in ("chunks", "sentences"):
        for meta in client.get_collection(f"dossier_{kind}").get(include=["metadatas"])["metadatas"]:
            key = (kind, meta["document_id"], meta["version"])
            counts[key] = counts.get(key, 0) + 1
    return manifest, counts


def test_server_killed_mid_ingest_leaves_only_complete_documents(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    corpus = tmp_path / "corpus"
    total = make_corpus(corpus)
    process, port = start_chroma(data)
    env = {**os.environ, "DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(port),
           "DOSSIER_HOME": str(tmp_path / "home")}
    ingest = subprocess.Popen([sys.executable, "-m", "dossier", "ingest", str(corpus)], env={**env, **SMALL_BATCHES, **SHORT_LEASE},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
        deadline = time.monotonic() + 120
        committed = 0
        while time.monotonic() < deadline and ingest.poll() is None:
            try:
                committed = client.get_collection("dossier_documents").count()
            except Exception:
                committed = 0
            if committed:
                break
            time.sleep(0.05)
        assert committed and ingest.poll() is None, "the ingest never committed a document while running"
        process.kill()  # the server goes away mid-run
        process.wait(timeout=20)
        started = time.monotonic()
        out, err = ingest.communicate(timeout=120)
        assert time.monotonic() - started < 60
    finally:
        if ingest.poll() is None:
            ingest.kill()
        if process.poll() is None:
            process.kill()
    assert ingest.returncode != 0 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Chroma" in lines[0], err

    process, port = start_chroma(data)  # the same data path, a new port
    env = {"DOSSIER_CHROMA_HOST": "127.0.0.1", "DOSSIER_CHROMA_PORT": str(port), "DOSSIER_HOME": str(tmp_path / "home")}
    try:
        manifest, counts = committed_state(port)
        assert 0 < len(manifest) < total
        for doc_id, meta in manifest.items():  # every visible document is whole
            assert counts.get(("chunks", doc_id, meta["version"])) == meta["n_chunks"]
            assert counts.get(("sentences", doc_id, meta["version"])) == meta["n_sentences"]
        # The repair ingest and the reads around it through main(), here: the killed run above is
        # the process this test is about (tests/test_chroma_server.py runs `dossier ingest`
        # through a server as a new process).
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        assert main(["sources", "--json"]) == 0, capsys.readouterr().err
        assert sorted(d["doc_id"] for d in json.loads(capsys.readouterr().out)) == sorted(manifest)

        assert main(["ingest", "--json", str(corpus)]) == 0, capsys.readouterr().err
        manifest, counts = committed_state(port)
        assert len(manifest) == total
        # Nothing uncommitted is left over: every record belongs to a committed version.
        assert all(manifest.get(doc) and manifest[doc]["version"] == version for _, doc, version in counts)
        assert main(["ask", "--json", "How many missiles did North Korea fire toward the Sea of Japan?"]) == 0, \
            capsys.readouterr().err
    finally:
        process.terminate()
        process.wait(timeout=20)
