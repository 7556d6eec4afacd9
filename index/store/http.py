"""chromadb's HTTP client with connect and read deadlines (it ships with none: a server that
accepts a connection and never answers would hold every command forever)."""

from __future__ import annotations

from typing import Any

import httpx
from chromadb.api.fastapi import FastAPI
from chromadb.config import Settings as ChromaSettings


class DeadlineSettings(ChromaSettings):  # type: ignore[misc]
    """chromadb's settings plus the deadline, so it reaches the HTTP layer with them."""

    dossier_http_timeout: float = 5.0


class DeadlineFastAPI(FastAPI):
    def __init__(self, system: Any) -> None:
        super().__init__(system)
        seconds = float(getattr(system.settings, "dossier_http_timeout", 5.0))
        self._session.timeout = httpx.Timeout(seconds, connect=seconds)


def deadline_settings(host: str, port: int, ssl: bool, timeout: float) -> DeadlineSettings:
    return DeadlineSettings(anonymized_telemetry=False, chroma_api_impl=f"{__name__}.DeadlineFastAPI",
                            chroma_server_host=host, chroma_server_http_port=port,
                            chroma_server_ssl_enabled=ssl, dossier_http_timeout=timeout)
