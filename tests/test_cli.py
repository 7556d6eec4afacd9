"""The `dossier` command: output shapes, --help everywhere, and one-line errors."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_verbatim, copy_store
from dossier.bot.cli import build_parser, main

SAMPLE = "What did Kirby say about the quantity of shells?"


def run_cli(*args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def run_main(capsys, monkeypatch, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``main`` in this process, its result shaped like ``run_cli``'s. The process-level checks
    (nothing else reaches stderr) are the subprocess tests; these check each error's line."""
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    status = main(list(args))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["dossier", *args], status, captured.out, captured.err)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dossier: error: ")
    return lines[0]


def test_ask_json_on_an_empty_store_ingests_seeds_and_prints_one_object():
    result = run_cli("ask", "--json", SAMPLE)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # exactly one JSON document, nothing else on stdout
    assert set(data) == {"question", "answer", "mode", "status", "refused", "citations", "timings_ms"}
    assert data["mode"] == "extractive" and data["refused"] is False and data["citations"]
    assert data["status"] == "answered"
    for citation in data["citations"]:
        assert set(citation) == {"n", "doc_id", "title", "outlet", "date", "quote", "start", "end"}
    assert_verbatim(data["citations"])
    assert "ingesting" in result.stderr


def test_ask_plain_and_sources(capsys):
    assert main(["ingest"]) == 0
    assert "added 5" in capsys.readouterr().out
    assert main(["ingest"]) == 0
    assert capsys.readouterr().out.startswith("added 0, updated 0, unchanged 5, skipped 0")
    assert main(["ask", SAMPLE]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "Sources:" in out and "Kirby" in out
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") >= 10 and "Sputnik News Agency" in out and "Tyler Durden" in out
    assert "(title derived from first sentence)" in out
    assert main(["sources", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5


def test_refusal_in_json(capsys, seeded_home, tmp_path):
    copy_store(seeded_home, tmp_path / "home")  # DOSSIER_HOME: a store that already holds the seeds
    assert main(["ask", "--json", "What is the price of a barrel of oil?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused"] is True and data["citations"] == []


def test_ingest_reports_skips_with_reasons(capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf8")
    # Exit status 1: not everything named was ingested (issue 11 point 8); the counts still print.
    assert main(["ingest", "--json", str(bad), str(tmp_path / "missing.md")]) == 1
    data = json.loads(capsys.readouterr().out)
    reasons = {Path(s["path"]).name: s["reason"] for s in data["skipped"]}
    assert "not UTF-8" in reasons["bad.txt"] and "no such file" in reasons["missing.md"]


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["sources"], ["repl"], ["discord"], ["eval"]])
def test_help_on_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: dossier" in capsys.readouterr().out


def test_every_subcommand_has_help_text():
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"][0]
    for name, sub in actions.choices.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, f"{name} {action.dest}"


def test_empty_question_is_one_line_error():
    assert "question is empty" in one_line_error(run_cli("ask", "   "))


def test_huge_question_is_one_line_error():
    assert "limit" in one_line_error(run_cli("ask", "why " * 2000))


def test_bad_setting_is_one_line_error():
    assert "DOSSIER_TOP_K" in one_line_error(run_cli("sources", env={"DOSSIER_TOP_K": "many"})).upper()


def test_unreachable_chroma_server_is_one_line_error(capsys, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    line = one_line_error(run_main(capsys, monkeypatch, "sources", env={"DOSSIER_CHROMA_HOST": "127.0.0.1",
                                                                       "DOSSIER_CHROMA_PORT": str(port)}))
    assert "Chroma" in line and str(port) in line


def test_unwritable_home_is_one_line_error(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    line = one_line_error(run_main(capsys, monkeypatch, "sources", env={"DOSSIER_HOME": str(blocker / "sub")}))
    assert "DOSSIER_HOME" in line


def test_discord_without_token_is_one_line_error(capsys, monkeypatch):
    line = one_line_error(run_main(capsys, monkeypatch, "discord", env={"DISCORD_TOKEN": ""}))
    assert "DISCORD_TOKEN" in line
