"""Settings are declared once; every one is documented where users look."""

import re
from pathlib import Path

import pytest

from dossier.index.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# That every setting is documented (README's settings table with its default, .env.example)
# is checked with the commands and options in tests/test_docs.py.


def test_environment_and_dotenv(monkeypatch, tmp_path):
    monkeypatch.setenv("DOSSIER_TOP_K", "9")
    (tmp_path / ".env").write_text("DOSSIER_MAX_ANSWER_CHARS=450\nOPENAI_BASE_URL=http://127.0.0.1:1/v1\n",
                                   encoding="utf-8")
    settings = Settings()
    assert settings.top_k == 9 and settings.max_answer_chars == 450
    assert settings.llm_configured and settings.answer_mode == "generated"
    assert settings.home == tmp_path / "home"


def test_defaults_are_offline_and_extractive(monkeypatch):
    monkeypatch.delenv("DOSSIER_HOME")
    settings = Settings(_env_file=None)
    assert not settings.llm_configured and settings.answer_mode == "extractive"
    assert settings.embeddings == "local" and settings.chroma_host is None
    assert "dossier" in str(settings.home)


def test_api_key_is_never_shown(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    settings = Settings(_env_file=None)
    assert "sk-secret-value" not in repr(settings) and "sk-secret-value" not in str(settings.model_dump())


def test_env_file_is_ignored_by_git():
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_a_bad_env_line_is_warned_once_with_the_file(tmp_path, caplog):
    import logging

    env = tmp_path / ".env"
    env.write_text("DOSSIER_TOP_K=3\nnot a setting at all\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert Settings(_env_file=env).top_k == 3
    warnings = [r.getMessage() for r in caplog.records if "KEY=VALUE" in r.getMessage()]
    assert warnings == [f"{env.resolve()} line 2 is not KEY=VALUE and was ignored: not a setting at all"]


def test_a_non_utf8_env_names_the_file(tmp_path):
    from dossier.index.errors import ConfigError

    env = tmp_path / ".env"
    env.write_bytes(b"DOSSIER_TOP_K=3\nOPENAI_API_KEY=caf\xe9\n")
    with pytest.raises(ConfigError, match=rf"{re.escape(str(env.resolve()))} is not UTF-8 text"):
        Settings(_env_file=env)


def test_empty_values_mean_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("DOSSIER_TOP_K", "")
    settings = Settings(_env_file=None)
    assert settings.openai_api_key is None and not settings.llm_configured and settings.top_k == 6
