"""``/healthz`` and ``/metrics`` for a running ``dossier discord`` (DOSSIER_HEALTH_PORT).

The server is aiohttp's (discord.py's own HTTP library) on the bot's event loop: a loop
blocked by engine work would also stop the bot answering, and then the probe should fail
too. ``/metrics`` is Prometheus's text exposition format (version 0.0.4), written here:
three families need no client library.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from typing import TYPE_CHECKING, Awaitable, Callable, Optional

import discord
from aiohttp import web

from dossier.index.errors import ConfigError, DossierError
from dossier.index.models import Answer

if TYPE_CHECKING:
    from dossier.bot.discord_bot import DossierBot

log = logging.getLogger("dossier.discord")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATUSES = ("answered", "related", "refused", "error")
# Seconds. Extractive answers take tenths of a second, generated ones seconds, bounded by
# DOSSIER_LLM_TIMEOUT (30 s by default); the buckets straddle both.
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

STORE_PROBE_SECONDS = 2.0  # a store slower than this to answer one count is not healthy

Readiness = Callable[[], Awaitable[Optional[str]]]  # None when ready, else why not (one line)


class Metrics:
    """Counters and a latency histogram of the questions the bot answered; thread-safe (the
    engine reports from its worker thread, the server reads on the loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.questions = dict.fromkeys(STATUSES, 0)
        self.fallbacks = 0
        self.buckets = [0] * len(BUCKETS)  # cumulative: an answer counts in every bucket it fits
        self.seconds_sum = 0.0
        self.count = 0

    def observe(self, answer: Optional[Answer], seconds: float, fallback: bool) -> None:
        """One question: its answer (None when answering failed), how long it took, and whether
        a generated answer could not be used (an extractive one was shown instead)."""
        status = answer.status if answer is not None and answer.status in STATUSES else "error"
        with self._lock:
            self.questions[status] += 1
            self.fallbacks += int(fallback)
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[i] += 1
            self.seconds_sum += seconds
            self.count += 1

    def render(self) -> str:
        with self._lock:
            lines = ["# HELP dossier_questions_total Questions the bot answered, by how the answer stands.",
                     "# TYPE dossier_questions_total counter"]
            lines += [f'dossier_questions_total{{status="{s}"}} {n}' for s, n in self.questions.items()]
            lines += ["# HELP dossier_answer_seconds Time from question to answer.",
                      "# TYPE dossier_answer_seconds histogram"]
            lines += [f'dossier_answer_seconds_bucket{{le="{_number(b)}"}} {n}' for b, n in zip(BUCKETS, self.buckets)]
            lines += [f'dossier_answer_seconds_bucket{{le="+Inf"}} {self.count}',
                      f"dossier_answer_seconds_sum {_number(self.seconds_sum)}",
                      f"dossier_answer_seconds_count {self.count}",
                      "# HELP dossier_llm_fallbacks_total Generated answers that could not be used "
                      "(an extractive answer was shown).",
                      "# TYPE dossier_llm_fallbacks_total counter",
                      f"dossier_llm_fallbacks_total {self.fallbacks}"]
        return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return "+Inf" if math.isinf(value) else repr(float(value))


class HealthServer:
    """``GET /healthz``: 200 "ok" when ``readiness`` says ready, else 503 with the reason;
    ``GET /metrics``: the metrics. ``port`` 0 picks a free port (``port`` says which after start)."""

    def __init__(self, metrics: Metrics, readiness: Readiness, host: str, port: int) -> None:
        self.metrics, self.readiness, self.host, self.port = metrics, readiness, host, port
        self._runner: Optional[web.AppRunner] = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as error:
            await self.stop()
            raise ConfigError(f"cannot serve health checks on {self.host}:{self.port} ({error.strerror or error}); "
                              "choose another DOSSIER_HEALTH_PORT or DOSSIER_HEALTH_HOST") from None
        self.port = self._runner.addresses[0][1]
        log.info("health checks on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        problem = await self.readiness()
        if problem is None:
            return web.Response(text="ok\n")
        return web.Response(status=503, text=problem + "\n")

    async def metrics_page(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render().encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})


def gateway_connected(bot: discord.Client) -> bool:
    """Ready, and every gateway connection of this process (one per shard) open."""
    if bot.is_closed() or not bot.is_ready():
        return False
    if isinstance(bot, discord.AutoShardedClient):
        return bool(bot.shards) and not any(shard.is_closed() for shard in bot.shards.values())
    return bot.ws is not None and bot.ws.open


def readiness(bot: "DossierBot") -> Readiness:
    """The bot's /healthz check: connected to the gateway, and the store answers."""

    async def not_ready() -> Optional[str]:
        if not gateway_connected(bot):
            return "not connected to the Discord gateway"
        if bot.corpora is None:
            return "the store is not open yet"
        try:
            await asyncio.wait_for(asyncio.to_thread(bot.corpora.shared.ping), STORE_PROBE_SECONDS)
        except asyncio.TimeoutError:
            return f"the store did not answer within {STORE_PROBE_SECONDS:g} s"
        except DossierError as error:
            return f"the store does not answer: {error}"
        return None

    return not_ready
