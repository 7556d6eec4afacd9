"""``/healthz`` and ``/metrics`` (DOSSIER_HEALTH_PORT), read over a real port with a real HTTP client.

The gateway is the only fake: "connected" is discord.py's ready flag and an open websocket,
set as its gateway code sets them. The store is real (an embedded copy, or a `chroma run`
this test starts and stops); the LLM that fails is a closed port."""

from __future__ import annotations

import re
import socket
from types import SimpleNamespace

import aiohttp
import pytest
import pytest_asyncio

from bench.common import start_chroma
from dossier.bot.cogs.ask import AskCog
from dossier.bot.discord_bot import DossierBot, run_discord
from dossier.bot.health import BUCKETS, CONTENT_TYPE, HealthServer, readiness
from dossier.index.engine import Engine
from dossier.index.settings import Settings
from test_discord_commands import MISSILES, FakeInteraction

TEXT = "text/plain; charset=utf-8"
DISCONNECTED = (503, TEXT, "not connected to the Discord gateway\n")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def get(port: int, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, response.headers["Content-Type"], await response.text()


@pytest_asyncio.fixture
async def start_bot(tmp_path):
    """A bot with its engine and cog set up (no gateway), and its health server on a free port."""
    started: list[tuple[DossierBot, HealthServer]] = []

    async def start(engine: Engine, config: Settings) -> tuple[DossierBot, HealthServer]:
        bot = DossierBot(config, engine=engine, sync_commands=False)
        await bot._async_setup_hook()
        health = HealthServer(bot.metrics, readiness(bot), "127.0.0.1", 0)
        await health.start()
        started.append((bot, health))
        return bot, health

    yield start
    for bot, health in started:
        await health.stop()
        if bot.get_cog("Dossier"):
            await bot.remove_cog("Dossier")


def connect_gateway(bot: DossierBot) -> SimpleNamespace:
    """What discord.py does on READY: the websocket is open and the ready flag set."""
    bot.ws = SimpleNamespace(open=True)
    bot._ready.set()
    return bot.ws


@pytest.mark.asyncio
async def test_discord_healthz_is_ready_only_when_connected_and_the_store_answers(seeded_engine, start_bot, tmp_path):
    bot, health = await start_bot(seeded_engine, Settings(home=tmp_path / "bot", _env_file=None))
    assert await get(health.port, "/healthz") == DISCONNECTED
    await bot.setup_hook()  # the engine is open, but the gateway not yet connected
    assert (await get(health.port, "/healthz"))[0] == 503
    socket_ = connect_gateway(bot)
    assert await get(health.port, "/healthz") == (200, TEXT, "ok\n")
    socket_.open = False  # the connection dropped; discord.py is reconnecting
    assert await get(health.port, "/healthz") == DISCONNECTED


@pytest.mark.asyncio
async def test_discord_healthz_fails_when_the_chroma_server_stops(embedder, start_bot, tmp_path):
    process, port = start_chroma(tmp_path / "chroma", timeout=90)
    try:
        config = Settings(home=tmp_path / "bot", _env_file=None, chroma_host="127.0.0.1", chroma_port=port,
                          chroma_timeout=1)
        bot, health = await start_bot(Engine.open(config, embedder=embedder), config)
        await bot.setup_hook()
        connect_gateway(bot)
        assert await get(health.port, "/healthz") == (200, TEXT, "ok\n")
    finally:
        process.terminate()
        process.wait(timeout=30)
    status, _, reason = await get(health.port, "/healthz")
    assert status == 503
    assert reason == (f"the store does not answer: cannot reach the Chroma server at 127.0.0.1:{port} (ConnectError); "
                      "start it with `chroma run` or unset DOSSIER_CHROMA_HOST\n")


def metric_values(text: str) -> dict[str, float]:
    """Prometheus text format: every sample line 'name{labels} value', comments skipped."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"# (HELP|TYPE) dossier_[a-z_]+ \S", line), line
            continue
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


@pytest.mark.asyncio
async def test_discord_metrics_count_questions_statuses_latency_and_fallbacks(embedder, seeded_store, start_bot):
    config = Settings(home=seeded_store, _env_file=None, mode="generated", llm_timeout=2, llm_max_retries=0,
                      openai_api_key="sk-test", openai_base_url=f"http://127.0.0.1:{closed_port()}/v1")
    bot, health = await start_bot(Engine.open(config, embedder=embedder), config)
    await bot.setup_hook()
    cog = bot.get_cog("Dossier")
    for user, question in enumerate([MISSILES, "What is the capital of France?"]):
        await AskCog.ask.callback(cog, FakeInteraction(user_id=user), question)

    status, content_type, text = await get(health.port, "/metrics")
    assert (status, content_type) == (200, CONTENT_TYPE)
    samples = metric_values(text)
    assert {k: v for k, v in samples.items() if k.startswith("dossier_questions_total")} == {
        'dossier_questions_total{status="answered"}': 1, 'dossier_questions_total{status="related"}': 0,
        'dossier_questions_total{status="refused"}': 1, 'dossier_questions_total{status="error"}': 0}
    assert samples["dossier_llm_fallbacks_total"] == 1  # the LLM was unreachable: an extractive answer instead
    buckets = [samples[f'dossier_answer_seconds_bucket{{le="{float(b)!r}"}}'] for b in BUCKETS]
    assert buckets == sorted(buckets) and samples['dossier_answer_seconds_bucket{le="+Inf"}'] == 2
    assert samples["dossier_answer_seconds_count"] == 2 and 0 < samples["dossier_answer_seconds_sum"] < 60


def test_discord_health_port_taken_is_one_line(capsys, monkeypatch, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Settings(home=tmp_path, _env_file=None, DISCORD_TOKEN="token", health_port=port)
        assert run_discord(config, open_engine=lambda settings: pytest.fail("nothing opens")) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"dossier: error: cannot serve health checks on 127.0.0.1:{port} (")
    assert err.endswith("choose another DOSSIER_HEALTH_PORT or DOSSIER_HEALTH_HOST\n") and err.count("\n") == 1


def test_discord_health_is_off_by_default_and_local_when_on():
    defaults = Settings(_env_file=None)
    assert defaults.health_port is None and defaults.health_host == "127.0.0.1"

