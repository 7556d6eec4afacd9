"""Every setting Dossier reads, declared once with its help text.

Values come from the environment (``DOSSIER_*``, plus the standard
``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``) and from a ``.env`` file in the
current directory. The settings object is built once by a front end and passed
down explicitly; nothing in the engine reads the environment on its own.
"""

from __future__ import annotations

import io
import logging
import os
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .errors import ConfigError

log = logging.getLogger("dossier.settings")



def _package_dir(name: str) -> Path:
    """A data folder shipped in the package (``dossier.seeds``, ``dossier.prompts``, ``dossier.eval``).

    Read through importlib.resources so an installed wheel and an editable checkout
    find the same files; both are plain directories (the wheel is not zip-imported)."""
    return Path(str(resources.files(f"dossier.{name}")))


SEEDS_DIR = _package_dir("seeds")
PROMPTS_DIR = _package_dir("prompts")
EVAL_DIR = _package_dir("eval")


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("dossier", appauthor=False))


class Settings(BaseSettings):
    """Dossier's configuration. Field descriptions double as documentation."""

    model_config = SettingsConfigDict(
        env_prefix="DOSSIER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # "OPENAI_API_KEY=" (a template's blank line) means unset, not an empty key that
        # would switch generated answers on; the same for every setting.
        env_ignore_empty=True,
    )

    home: Path = Field(
        default_factory=_default_home,
        description="Data directory: the Chroma store, the BM25 index and REPL history.",
    )
    collection: str = Field(
        default="dossier",
        description="Name prefix of the Chroma collections (chunks, sentences, documents).",
    )
    chroma_host: Optional[str] = Field(
        default=None,
        description="Chroma server host. When set, Dossier uses HttpClient instead of the embedded store.",
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    chroma_ssl: bool = Field(default=False, description="Use HTTPS to reach the Chroma server.")
    chroma_timeout: float = Field(
        default=5.0, gt=0,
        description="Seconds to wait for the Chroma server to connect and to answer one request.",
    )
    chroma_lease_seconds: float = Field(
        default=30.0, gt=0,
        description="Seconds an ingest's write lease on a Chroma server lasts unless renewed: how long a "
                    "crashed writer keeps other ingests waiting.",
    )

    embeddings: Literal["local", "openai"] = Field(
        default="local",
        description="Embedding backend: 'local' (offline ONNX all-MiniLM-L6-v2) or 'openai'.",
    )
    openai_embed_model: str = Field(
        default="text-embedding-3-small",
        description="Embedding model used when DOSSIER_EMBEDDINGS=openai.",
    )

    openai_api_key: Optional[SecretStr] = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "DOSSIER_OPENAI_API_KEY"),
        description="API key for OpenAI or a compatible server. Enables generated answers.",
    )
    openai_base_url: Optional[str] = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "DOSSIER_OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp). Enables generated answers.",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model for generated answers.")
    llm_timeout: float = Field(
        default=30.0, gt=0,
        description="Seconds the LLM may take for one answer in all (a follow-up's rewrite and every retry "
                    "included) before the answer falls back to extractive; also bounds each embeddings request.",
    )
    llm_max_retries: int = Field(
        default=1, ge=0, description="Retries of a failed LLM or embeddings request, inside DOSSIER_LLM_TIMEOUT.",
    )
    mode: Literal["auto", "extractive", "generated"] = Field(
        default="auto",
        description="Answer mode. 'auto' generates when an LLM is configured, else extracts.",
    )

    top_k: int = Field(default=6, ge=1, le=50, description="Chunks retrieved per question (after fusion).")
    max_answer_chars: int = Field(
        default=600, ge=100,
        description="Longest answer shown, in characters: whole lines are left out first, and a single longer "
                    "line is cut at a word with '\u2026' (its citation still quotes the whole sentence).",
    )
    max_question_chars: int = Field(default=1000, ge=10, description="Longest question accepted.")
    max_file_bytes: int = Field(default=2_000_000, ge=1, description="Largest article file ingested.")
    ingest_batch_sentences: int = Field(
        default=2048, ge=1,
        description="Sentences an ingest embeds and writes per batch: bounds its memory whatever the folder's "
                    "size (smaller batches also commit documents more often).",
    )
    refusal_threshold: float = Field(
        default=0.55,
        description="Minimum best sentence relevance (cosine + weighted term overlap) to answer; calibrated, see README.",
    )
    refusal_min_cosine: float = Field(
        default=0.38,
        description="Minimum best sentence cosine to answer, unless term overlap reaches DOSSIER_REFUSAL_MIN_OVERLAP.",
    )
    refusal_min_overlap: float = Field(
        default=0.64,
        description="Term overlap (0-1) that lets a question with a low cosine be answered; calibrated, see README.",
    )

    discord_token: Optional[SecretStr] = Field(
        default=None,
        validation_alias=AliasChoices("DISCORD_TOKEN", "DOSSIER_DISCORD_TOKEN"),
        description="Bot token for `dossier discord` (Discord developer portal). Never logged.",
    )
    discord_answer_mentions: bool = Field(
        default=True,
        description="Answer when the bot is mentioned (needs the privileged message content intent).",
    )
    discord_rate_limit: int = Field(
        default=5, ge=1, description="Questions one Discord user may ask per rate window.",
    )
    discord_rate_window: float = Field(
        default=60.0, gt=0, description="Length of the Discord rate-limit window, in seconds.",
    )
    discord_guild_id: Optional[int] = Field(
        default=None,
        description="Sync slash commands to this server only (instant); unset = global sync (can take an hour).",
    )

    # --- links and feeds (issue 15) ---
    fetch_timeout: float = Field(
        default=20.0, gt=0,
        description="Seconds one link or feed may take to fetch in all (connecting, redirects, download) "
                    "before it is skipped.",
    )
    fetch_max_bytes: int = Field(
        default=5_000_000, ge=1,
        description="Largest page or feed downloaded, in bytes; a larger one is skipped without reading the rest.",
    )
    fetch_max_redirects: int = Field(
        default=5, ge=0, description="Redirects followed per link or feed; each new address is checked again.",
    )
    allow_private_urls: bool = Field(
        default=False,
        description="Fetch links that lead to private or loopback addresses (an intranet, a local test server). "
                    "Off by default: such links are refused, after redirects too (SSRF); link-local and multicast "
                    "addresses are refused either way.",
    )

    # --- Discord: a corpus per server, sharding, health (issue 15) ---
    discord_corpus: Literal["shared", "per-server"] = Field(
        default="shared",
        description="'shared': every server answers from one corpus; 'per-server': each server gets its own "
                    "collections, and /ingest in one never changes another's answers.",
    )
    discord_seed_new_servers: bool = Field(
        default=True,
        description="With DOSSIER_DISCORD_CORPUS=per-server, copy the demo articles into a server's corpus on "
                    "its first use; false starts it empty.",
    )
    discord_shard_count: Optional[int] = Field(
        default=None, ge=1,
        description="Total number of Discord shards across all bot processes; set it to scale out.",
    )
    discord_shard_ids: Annotated[Optional[list[int]], NoDecode] = Field(
        default=None,
        description="The shards this process runs, e.g. '0,1' (needs DOSSIER_DISCORD_SHARD_COUNT); "
                    "unset with a shard count: all of them.",
    )
    health_port: Optional[int] = Field(
        default=None, ge=0, le=65535,
        description="Port of `dossier discord`'s /healthz and /metrics (0: any free port, logged); unset: off.",
    )
    health_host: str = Field(
        default="127.0.0.1",
        description="Address /healthz and /metrics listen on (0.0.0.0 exposes them beyond this machine).",
    )

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: object) -> object:
        """'0,1' (an environment variable) as [0, 1]; a list is left for pydantic to check."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError(f"expected shard numbers separated by commas, like 0,1; got {value!r}")
            return [int(part) for part in parts] or None
        return value

    @model_validator(mode="after")
    def _check_shards(self) -> "Settings":
        """discord.py needs the total to place shard ids; an id must be below it. ConfigError, not
        ValueError: the message names both settings, which pydantic's wrapping would lose."""
        ids, count = self.discord_shard_ids, self.discord_shard_count
        if ids is not None and count is None:
            raise ConfigError("DOSSIER_DISCORD_SHARD_IDS needs DOSSIER_DISCORD_SHARD_COUNT "
                              "(the total across processes)")
        if ids is not None and count is not None and any(i >= count for i in ids):
            raise ConfigError(f"DOSSIER_DISCORD_SHARD_IDS {ids} must be below DOSSIER_DISCORD_SHARD_COUNT {count}")
        return self

    # --- generated answers (issue 13) ---
    llm_chunks: int = Field(
        default=4, ge=1, le=50,
        description="Retrieved chunks put in the model's prompt (at most DOSSIER_TOP_K): fewer means a shorter "
                    "prompt, which small local models read faster and follow better.",
    )

    def __init__(self, **values: Any) -> None:
        # Checked first: pydantic-settings reads the file as soon as it builds its sources.
        env_file = values.get("_env_file", type(self).model_config.get("env_file"))
        for name in [env_file] if isinstance(env_file, (str, os.PathLike)) else list(env_file or ()):
            check_dotenv(Path(name))
        super().__init__(**values)

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser()
        return value

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or bool(self.openai_base_url)

    @property
    def answer_mode(self) -> Literal["extractive", "generated"]:
        if self.mode == "auto":
            return "generated" if self.llm_configured else "extractive"
        return self.mode


# ---- the .env file ------------------------------------------------------------------------------

# Lines already reported, so a process that builds settings (or lets chromadb read the same
# .env) many times says each once: (resolved path, line number, line text).
_reported: set[tuple[str, int, str]] = set()


class _SilenceDotenv(logging.Filter):
    """python-dotenv warns "could not parse statement" without naming the file, once per
    read; Dossier reports each bad line itself, once, with the file's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


logging.getLogger("dotenv.main").addFilter(_SilenceDotenv())


def check_dotenv(path: Path) -> None:
    """Raise ConfigError when ``path`` cannot be read as UTF-8; warn once per line that python-dotenv
    cannot parse (the rest of the file still applies, as python-dotenv reads it)."""
    from dotenv.parser import parse_stream

    if not path.is_file():
        return
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.resolve()} is not UTF-8 text (invalid byte at offset {exc.start}); "
                          "save it as UTF-8 or remove it") from None
    except OSError as exc:
        raise ConfigError(f"{path.resolve()} cannot be read ({exc.strerror or exc})") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            key = (str(path.resolve()), binding.original.line, binding.original.string.strip())
            if key not in _reported:
                _reported.add(key)
                log.warning("%s line %d is not KEY=VALUE and was ignored: %s", key[0], key[1], key[2][:80])
