"""Settings: a .env file that is malformed, not UTF-8, or leaves a key blank.

`dossier` runs as a user runs it: a new process in a folder holding the .env (where the test
checks what reaches stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

from dossier.index.settings import Settings
from harness import dossier, dossier_here


def project(tmp_path: Path, content: bytes) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".env").write_bytes(content)
    return folder


def test_malformed_env_warns_once(seeded_store, tmp_path):
    """A .env line that is not KEY=VALUE -> one warning naming the file and the line (not one per read), the command still runs"""
    folder = project(tmp_path, b"DOSSIER_TOP_K=4\nthis line is not a setting\n")
    run = dossier("ask", "--json", "How many missiles did North Korea fire?", home=seeded_store, cwd=folder)
    assert run.status == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.strip()]
    assert warnings == [f"WARNING dossier.settings: {folder / '.env'} line 2 is not KEY=VALUE and was ignored: "
                        "this line is not a setting"]
    assert json.loads(run.stdout)["citations"]


def test_env_not_utf8(seeded_store, tmp_path):
    """A .env that is not UTF-8 -> exit 1, one line naming the file and what to do"""
    folder = project(tmp_path, "DOSSIER_TOP_K=4\nOPENAI_BASE_URL=http://h\u00f4te/v1\n".encode("latin-1"))
    run = dossier("sources", home=seeded_store, cwd=folder)
    assert run.status == 1 and run.stdout == ""
    assert run.stderr == (f"dossier: error: {folder / '.env'} is not UTF-8 text (invalid byte at offset 40); "
                          "save it as UTF-8 or remove it\n")


def test_blank_api_key_is_unset(seeded_store, tmp_path):
    """OPENAI_API_KEY= left blank in .env -> treated as unset: extractive answers at once, no wait on an unreachable host"""
    folder = project(tmp_path, b"OPENAI_API_KEY=\nDOSSIER_LLM_TIMEOUT=30\n")
    settings = Settings(_env_file=folder / ".env")
    assert settings.openai_api_key is None and not settings.llm_configured
    assert settings.answer_mode == "extractive"
    # What a process shows of a .env (its warning lines, its errors) is checked above; here only
    # the answer counts, through main() in this process, reading the .env from the same folder.
    run = dossier_here("ask", "--json", "How many missiles did North Korea fire?", home=seeded_store, cwd=folder)
    answer = json.loads(run.stdout)
    assert run.status == 0 and answer["mode"] == "extractive" and "notice" not in answer
    assert "llm" not in answer["timings_ms"]
