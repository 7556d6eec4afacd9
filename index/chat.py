"""The chat model behind generated answers: OpenAI or any OpenAI-compatible server.

An explicit, optional collaborator of the engine (``build_chat(settings)`` gives None
when no LLM is configured). Every call runs inside a ``Budget``: the openai client's
own retries are off, and ``call_within`` retries only while time is left, so
``DOSSIER_LLM_TIMEOUT`` bounds the whole answer. A failure is one ``ChatError``
whose ``reason`` is a short, key-free line for the user's notice.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Protocol, Sequence
from urllib.parse import urlparse

from .deadline import Budget, Failed, OutOfTime, call_within
from .settings import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}
MAX_ANSWER_TOKENS = 600


class ChatError(Exception):
    """The model could not be used; ``reason`` says why in a few words (never the key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatClient(Protocol):
    def complete(self, messages: Sequence[Message], budget: Budget) -> str:
        """The whole reply; raises ChatError."""

    def stream(self, messages: Sequence[Message], budget: Budget) -> Iterator[str]:
        """The reply's text deltas as they arrive; raises ChatError (possibly after some deltas)."""


class OpenAIChat:
    """The openai client, built once so it keeps its connection pool."""

    def __init__(self, settings: Settings) -> None:
        import openai

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
        self._client = openai.OpenAI(api_key=key, base_url=settings.openai_base_url, max_retries=0,
                                     timeout=settings.llm_timeout)
        self.model = settings.llm_model
        self.attempts = settings.llm_max_retries + 1
        self.where = server_name(settings.openai_base_url)

    def complete(self, messages: Sequence[Message], budget: Budget) -> str:
        def once(seconds: float) -> str:
            response = self._client.chat.completions.create(
                model=self.model, messages=list(messages), temperature=0.0, max_tokens=MAX_ANSWER_TOKENS,
                timeout=seconds)
            if not getattr(response, "choices", None):
                raise _Malformed("a reply without choices")
            return response.choices[0].message.content or ""

        return self._within(budget, once)

    def stream(self, messages: Sequence[Message], budget: Budget) -> Iterator[str]:
        """Only the request is retried: once text has arrived, a retry would repeat it."""
        def open_stream(seconds: float) -> Any:
            return self._client.chat.completions.create(
                model=self.model, messages=list(messages), temperature=0.0, max_tokens=MAX_ANSWER_TOKENS,
                timeout=seconds, stream=True)

        stream = self._within(budget, open_stream)
        try:
            with budget.running():
                for chunk in _guarded(stream, self, budget):
                    if budget.expired():
                        raise ChatError(f"timed out after {budget.seconds:g}s while the answer was streaming")
                    choices = getattr(chunk, "choices", None) or []
                    delta = choices[0].delta.content if choices and choices[0].delta else None
                    if delta:
                        yield delta
        finally:
            stream.close()  # a cancelled answer also stops the model's HTTP stream now

    def _within(self, budget: Budget, once: Any) -> Any:
        try:
            return call_within(budget, self.attempts, once, is_timeout=_is_timeout, retryable=_retryable)
        except OutOfTime as exc:
            raise ChatError(timeout_reason(budget, exc.attempts)) from None
        except Failed as exc:
            raise ChatError(describe_error(exc.cause, self.where, self.model, exc.attempts)) from None


def _guarded(stream: Any, chat: OpenAIChat, budget: Budget) -> Iterator[Any]:
    """Iterate a stream, turning a broken connection half-way into a ChatError."""
    try:
        yield from stream
    except Exception as exc:  # the stream broke after it started: no retry, say why
        if _is_timeout(exc):
            raise ChatError(f"timed out after {budget.seconds:g}s while the answer was streaming") from None
        raise ChatError(describe_error(exc, chat.where, chat.model, 1)) from None


def build_chat(settings: Settings) -> Optional[OpenAIChat]:
    """The configured chat model, or None when neither a key nor a server is set."""
    return OpenAIChat(settings) if settings.llm_configured else None


class _Malformed(Exception):
    """The server answered 200 with something that is not a chat completion."""


def timeout_reason(budget: Budget, attempts: int) -> str:
    """What really happened when the budget ran out: its length, the attempts, earlier spending."""
    tried = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    before = f"; {'; '.join(budget.events)}" if budget.events else ""
    if attempts == 0:
        return f"timed out after {budget.seconds:g}s: no time was left to call the model{before}"
    return f"timed out after {budget.seconds:g}s ({tried}, DOSSIER_LLM_TIMEOUT){before}"


def _is_timeout(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.APITimeoutError)


def _retryable(exc: BaseException) -> bool:
    """Worth another attempt: the connection failed, the server is overloaded or broke; not a 4xx."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError)


def describe_error(exc: BaseException, where: str, model: str, attempts: int) -> str:
    """A short, key-free reason for the fallback notice (no traceback, no server message)."""
    import openai

    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, openai.APIStatusError):
        hint = {401: " (check OPENAI_API_KEY)", 403: " (check OPENAI_API_KEY)",
                404: f" (check DOSSIER_LLM_MODEL={model} and OPENAI_BASE_URL)",
                429: " (rate limited)"}.get(exc.status_code, "")
        return f"HTTP {exc.status_code} from {where}{hint}{tries}"
    if isinstance(exc, openai.APIConnectionError):
        refused = any(isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower() for e in _chain(exc))
        return (f"connection refused by {where}" if refused else f"cannot connect to {where}") + tries
    if isinstance(exc, (openai.APIResponseValidationError, _Malformed, ValueError)):
        return f"{where} did not send a valid chat completion{tries}"
    return f"{type(exc).__name__} while calling {where}{tries}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def server_name(base_url: Optional[str]) -> str:
    """host:port of the server, without any user:password part of the URL."""
    if not base_url:
        return "api.openai.com"
    parsed = urlparse(base_url)
    host = parsed.hostname or base_url
    return f"{host}:{parsed.port}" if parsed.port else host
