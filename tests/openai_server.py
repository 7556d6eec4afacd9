"""A small, real OpenAI-compatible HTTP server for tests.

It listens on 127.0.0.1 (a free port) and answers ``POST /v1/chat/completions``
(and ``/chat/completions``) from a scripted queue, so tests exercise the real
``openai`` client (chat and embeddings) over real HTTP:

* ``enqueue(content)``           a normal reply (streamed as SSE when the request asks for it);
* ``enqueue_error(status)``      an HTTP error with an OpenAI-style error body;
* ``enqueue_hang(seconds)``      a reply that only starts after ``seconds``;
* ``enqueue_reply(compose)``     a reply computed from the request body (a model that reads its prompt);
* ``enqueue_raw(body)``          a 200 reply whose body is ``body`` as it is (not a chat completion);
* ``enqueue_numbered(template)`` a reply written against the sources the prompt numbered, as a
  model reads them: ``{src:PHRASE}`` becomes the number of the source whose text holds PHRASE,
  ``{not:PHRASE}`` the number of one that does not (the wrong marker a small model writes);
  ``{title:PHRASE}`` the title of the source holding PHRASE.

An empty queue answers 500, so a test that forgot to script a reply fails loudly.
Every request is recorded in ``requests`` (path, parsed JSON body, headers); ``answer_requests()``
and ``rewrite_requests()`` tell the answer prompts from the follow-up rewriter's (prompts/condense.txt).
``POST /v1/embeddings`` returns deterministic unit vectors (sha256 of the text
seeds them), honouring ``encoding_format: base64`` as the openai client sends it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import numpy as np

EMBEDDING_DIM = 64
CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
EMBEDDING_PATHS = ("/v1/embeddings", "/embeddings")


@dataclass(frozen=True)
class Scripted:
    """One scripted reply: content, or an HTTP error status, after an optional delay."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    compose: Optional[Callable[[dict], str]] = None  # content from the request body
    raw: Optional[bytes] = None  # sent as the body instead of a chat completion


@dataclass(frozen=True)
class Received:
    path: str
    body: dict
    headers: dict

    def messages_text(self) -> str:
        """All message contents of a chat request, joined, for prompt assertions."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))

    @property
    def is_rewrite(self) -> bool:
        """The follow-up rewriter's request (prompts/condense.txt), not an answer's."""
        return "Follow-up question:" in self.messages_text()


class FakeOpenAIServer:
    """The server plus its script; use ``start()``/``close()`` or a ``with`` block."""

    def __init__(self, model: str = "test-model") -> None:
        self.model = model
        self.requests: list[Received] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # close() waits up to one poll interval; serve_forever's default (0.5 s) cost every test that.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-openai", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; hanging replies are released at once instead of sleeping on."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---- the script ---------------------------------------------------------------------------

    def enqueue(self, content: str) -> None:
        self._push(Scripted(content=content))

    def enqueue_error(self, status: int) -> None:
        self._push(Scripted(status=status))

    def enqueue_hang(self, seconds: float, content: str = "Too late.") -> None:
        self._push(Scripted(content=content, delay=seconds))

    def enqueue_reply(self, compose: Callable[[dict], str]) -> None:
        self._push(Scripted(compose=compose))

    def enqueue_raw(self, body: bytes) -> None:
        self._push(Scripted(raw=body))

    def enqueue_numbered(self, template: str) -> None:
        self._push(Scripted(compose=lambda body: numbered(template, body)))

    def reset(self) -> None:
        """Forget the script and the recorded requests (between tests sharing one server)."""
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def chat_requests(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path in CHAT_PATHS]

    def answer_requests(self) -> list[Received]:
        return [r for r in self.chat_requests() if not r.is_rewrite]

    def rewrite_requests(self) -> list[Received]:
        return [r for r in self.chat_requests() if r.is_rewrite]

    def _push(self, item: Scripted) -> None:
        with self._lock:
            self._script.append(item)

    def _pop(self) -> Optional[Scripted]:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _record(self, path: str, body: dict, headers: dict) -> None:
        with self._lock:
            self.requests.append(Received(path=path, body=body, headers=headers))

    def _wait(self, seconds: float) -> None:
        self._closing.wait(seconds)


def fake_embedding(text: str, dim: int = EMBEDDING_DIM) -> np.ndarray:
    """A deterministic unit vector for ``text``: same text, same vector."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / float(np.linalg.norm(vector))


_SOURCE = re.compile(r'<source id="(\d+)">\s*\[\d+\] Title: (.*?)\n.*?Text: (.*?)</source>', re.S)
_PLACEHOLDER = re.compile(r"\{(src|not|title):([^}]+)\}")


def prompt_sources(body: dict) -> dict[int, tuple[str, str]]:
    """The sources an answer prompt numbered: number -> (title, text), as the model sees them."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    return {int(n): (title.strip(), text.strip()) for n, title, text in _SOURCE.findall(prompt)}


def numbered(template: str, body: dict) -> str:
    """``template`` with its placeholders filled from the prompt's sources (``enqueue_numbered``).
    A phrase no source holds is written out as such, so the test's assertions show it."""
    sources = prompt_sources(body)

    def fill(match: re.Match) -> str:
        kind, phrase = match.group(1), match.group(2).lower()
        holding = [n for n, (_, text) in sources.items() if phrase in text.lower()]
        if kind == "not":
            others = [n for n in sources if n not in holding]
            return str(others[0]) if others else f"(every source holds {phrase!r})"
        if not holding:
            return f"(no source holds {phrase!r})"
        return sources[holding[0]][0] if kind == "title" else str(holding[0])

    return _PLACEHOLDER.sub(fill, template)


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json(400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
                return
            path = self.path.split("?", 1)[0]
            server._record(path, body, dict(self.headers.items()))
            try:
                if path in CHAT_PATHS:
                    self._chat(body)
                elif path in EMBEDDING_PATHS:
                    self._embeddings(body)
                else:
                    self._json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

        def _chat(self, body: dict) -> None:
            item = server._pop()
            if item is None:
                self._json(500, {"error": {"message": "no scripted reply", "type": "server_error"}})
                return
            if item.delay:
                server._wait(item.delay)
            content = item.compose(body) if item.compose else item.content
            if item.status != 200:
                self._json(item.status, {"error": {"message": f"scripted {item.status}", "type": "server_error"}})
            elif item.raw is not None:
                self._send(200, "text/html", item.raw)
            elif body.get("stream"):
                self._stream(content)
            else:
                self._json(200, _completion(server.model, content))

        def _stream(self, content: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            pieces = [content[i:i + 12] for i in range(0, len(content), 12)] or [""]
            for index, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
                self._event(_chunk(server.model, delta, None))
            self._event(_chunk(server.model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _event(self, data: dict) -> None:
            self.wfile.write(f"data: {json.dumps(data)}\n\n".encode("utf-8"))
            self.wfile.flush()

        def _embeddings(self, body: dict) -> None:
            texts = body.get("input", [])
            texts = [texts] if isinstance(texts, str) else [str(t) for t in texts]
            as_base64 = body.get("encoding_format") == "base64"
            data = []
            for index, text in enumerate(texts):
                vector = fake_embedding(text)
                value: Any = base64.b64encode(vector.tobytes()).decode("ascii") if as_base64 else vector.tolist()
                data.append({"object": "embedding", "index": index, "embedding": value})
            self._json(200, {"object": "list", "data": data, "model": body.get("model", server.model),
                             "usage": {"prompt_tokens": 0, "total_tokens": 0}})

        def _json(self, status: int, payload: dict) -> None:
            self._send(status, "application/json", json.dumps(payload).encode("utf-8"))

        def _send(self, status: int, content_type: str, raw: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


def _completion(model: str, content: str) -> dict:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _chunk(model: str, delta: dict, finish: Optional[str]) -> dict:
    return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class SilentServer:
    """A TCP port that accepts connections and never answers: the worst a server can do
    (a hung process, a firewall that swallows packets after the handshake)."""

    def __init__(self) -> None:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)  # the kernel completes handshakes; nobody ever reads
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> "SilentServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
