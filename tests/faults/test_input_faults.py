"""Input: files and paths that cannot be ingested, and articles no answer could show whole.

`dossier ingest` runs in this process (``bot.cli.main``) against a private copy of the
seeded store: each bad input is one line with its own reason, the counts still print,
the exit status is 1, and the store is exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.bot.cli import main
from dossier.index.engine import Engine
from dossier.index.parse import MAX_SENTENCE_CHARS, load_article
from dossier.index.settings import Settings
from conftest import assert_verbatim


def ingest_json(paths: list[Path], home: Path, monkeypatch, capsys) -> tuple[int, dict, str]:
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    status = main(["ingest", "--json", *map(str, paths)])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def snapshot(home: Path, embedder) -> list[tuple[str, str]]:
    engine = Engine.open(Settings(home=home, _env_file=None), embedder=embedder)
    return [(m.doc_id, m.sha256) for m in engine.sources()]


def test_bad_files(seeded_store, embedder, tmp_path, monkeypatch, capsys):
    """A binary, non-UTF-8, empty or oversized file given to dossier ingest -> each skipped with its own reason, counts printed, exit 1, store unchanged"""
    files = {"image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
             "latin1.txt": ("Le ministre a dit caf\u00e9.".encode("latin-1"), "not UTF-8"),
             "empty.md": (b"", "empty file"),
             "huge.txt": (b"The minister spoke at length. " * 80_000, "too large")}
    for name, (content, _) in files.items():
        (tmp_path / name).write_bytes(content)
    before = snapshot(seeded_store, embedder)
    status, report, err = ingest_json([tmp_path / n for n in files], seeded_store, monkeypatch, capsys)
    assert status == 1 and err.count("\n") == 1 and "4 path(s) could not be ingested" in err
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert all(reason in reasons[name] for name, (_, reason) in files.items()), reasons
    assert report["added"] == [] and report["updated"] == []
    assert snapshot(seeded_store, embedder) == before


def test_paths_that_do_not_lead_to_files(seeded_store, embedder, tmp_path, monkeypatch, capsys):
    """A missing path, a symbolic link loop, a dangling link and a path through a file -> one reason each, exit 1"""
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "plain.txt").write_text("A short article. It has two sentences.\n", encoding="utf-8")
    named = [tmp_path / "missing.txt", tmp_path / "loop_a", tmp_path / "dangling.txt", tmp_path / "plain.txt" / "x"]
    status, report, err = ingest_json(named, seeded_store, monkeypatch, capsys)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert status == 1 and "4 path(s)" in err
    assert reasons == {"missing.txt": "no such file or directory", "loop_a": "symbolic link loop",
                       "dangling.txt": "broken symbolic link", "x": "cannot be read (Not a directory)"}


def ingest_json_without_root_powers(paths: list[Path], home: Path) -> tuple[int, dict, str]:
    """``dossier ingest --json`` in a process that lacks root's power to read any file.

    As root (CI runs as root), file modes bind only without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH; dropping them from the bounding set makes the child obey modes."""
    done = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m",
                           "dossier", "ingest", "--json", *map(str, paths)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "DOSSIER_HOME": str(home)})
    return done.returncode, json.loads(done.stdout), done.stderr


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="as root, a test of file modes needs setpriv to drop root's read-anything capability")
def test_unreadable_directory_and_file(seeded_store, embedder, tmp_path, monkeypatch, capsys):
    """A directory or a subdirectory that cannot be listed, a file that cannot be read -> each named with "permission denied", exit 1"""
    folder = tmp_path / "articles"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text("Hidden text. Never read.\n", encoding="utf-8")
    (folder / "secret.txt").write_text("Private text. Never read.\n", encoding="utf-8")
    closed = tmp_path / "closed"
    closed.mkdir()
    for path, mode in ((folder / "locked", 0), (folder / "secret.txt", 0), (closed, 0)):
        path.chmod(mode)
    try:
        if os.geteuid() == 0:
            status, report, err = ingest_json_without_root_powers([folder, closed], seeded_store)
        else:
            status, report, err = ingest_json([folder, closed], seeded_store, monkeypatch, capsys)
    finally:
        for path in (folder / "locked", folder / "secret.txt", closed):
            path.chmod(0o700)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert status == 1
    assert "permission denied" in reasons["locked"] and "permission denied" in reasons["closed"]
    assert "Permission denied" in reasons["secret.txt"]


def unpunctuated(size: int) -> str:
    """An article body of ``size`` characters with no full stop anywhere (a pasted transcript)."""
    words = ("the minister told reporters on the quay that the harbour would stay open while the "
             "storm passed and that the ferries would run again as soon as the wind dropped").split()
    out, total, i = [], 0, 0
    while total < size:
        word = words[i % len(words)] + ("," if i % 37 == 36 else "")
        out.append(word)
        total += len(word) + 1
        i += 1
    return "Harbour stays open in the storm\n\n" + " ".join(out) + "\n"


def test_huge_article_without_a_full_stop_is_split(tmp_path):
    """A 1.85 MB article with no full stop -> sentences of at most MAX_SENTENCE_CHARS, each still a verbatim span"""
    path = tmp_path / "transcript.txt"
    path.write_text(unpunctuated(1_850_000), encoding="utf-8")
    assert path.stat().st_size >= 1_850_000
    document = load_article(path, 2_000_000)
    assert len(document.sentences) > 3000
    assert max(s.end - s.start for s in document.sentences) <= MAX_SENTENCE_CHARS
    text = path.read_text(encoding="utf-8")
    assert all(" ".join(text[s.start:s.end].split()) == s.text for s in document.sentences)
    covered = sum(len(s.text) for s in document.sentences) + len(document.sentences)
    assert covered >= len(text) - len("Harbour stays open in the storm") - 10  # no text lost


def test_answer_from_an_article_without_a_full_stop(fresh_engine, tmp_path):
    """An article with no full stop, asked about -> an answer within DOSSIER_MAX_ANSWER_CHARS, cut at a word with "…", its citation a verbatim (bounded) span"""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "transcript.txt").write_text(unpunctuated(12_000), encoding="utf-8")
    fresh_engine.ingest([folder])
    settings = Settings(home=fresh_engine.settings.home, max_answer_chars=150, _env_file=None)
    engine = Engine.open(settings, embedder=fresh_engine.embedder)
    answer = engine.ask("What did the minister tell reporters about the harbour and the ferries?")
    assert not answer.refused and len(answer.answer) <= 150, answer.answer
    assert "\u2026" in answer.answer and answer.answer.rstrip().endswith("]")
    shown = answer.answer.split("\u2026")[0]
    assert all(len(c.quote) <= MAX_SENTENCE_CHARS for c in answer.citations)
    assert any(" ".join(c.quote.split()).startswith(shown.strip()) for c in answer.citations)
    assert_verbatim(answer.citations, engine)
