"""chromadb's HTTP client with connect and read deadlines.

chromadb builds its httpx session with no timeout, so a server that accepts a connection
and never answers would hold every command forever. The session's deadline is set right
after the client exists; the three requests chromadb makes while it is being built are
covered by a heartbeat first, with the deadline: a server that does not answer that is
reported before chromadb is asked to talk to it."""

from __future__ import annotations

from typing import Any

import httpx


def open_http_client(host: str, port: int, ssl: bool, timeout: float) -> Any:
    import chromadb
    from chromadb.api.fastapi import FastAPI
    from chromadb.config import Settings as ChromaSettings

    deadline = httpx.Timeout(timeout, connect=timeout)
    url = FastAPI.resolve_url(chroma_server_host=host, chroma_server_http_port=port,
                              chroma_server_ssl_enabled=ssl, default_api_path="/api/v2")
    httpx.get(f"{url}/heartbeat", timeout=deadline)  # any answer will do: the server is there and talks
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False))
    # The session is chromadb's own (no public setter): every later request gets the deadline.
    client._server._session.timeout = deadline
    return client
