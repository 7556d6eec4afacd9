"""Turn bench/results/*.json into bench/results/summary.md and bench/results/summary.png.

    python -m bench.report
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, SIZES, machine  # noqa: E402


def _load(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()).get("runs", {}) if path.exists() else {}


def _f(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(share) -> str:
    return "–" if share is None else f"{share:.0%}"


def _rss(ours: dict, stock: dict) -> str:
    a, b = ours.get("peak_rss_mb"), stock.get("peak_rss_mb")
    return f"{_f(a, 0)} / {_f(b, 0)}" + (f" ({_r(a, b)})" if a and b else "")


def _r(ours, stock) -> str:
    return "–" if not ours or not stock else f"{ours / stock:.2f}"


def write_report() -> Path:
    ingest, query, build, coverage = _load("ingest"), _load("query"), _load("build"), _load("coverage")
    m = machine()
    lines = [f"Machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}.", ""]
    lines += ["### Ingest", "",
              "| size | files | chunks | sentences | embedder alone (chunks/s) | dossier ingest (chunks/s) "
              "| dossier ÷ embedder | stock llama-index ingest (s) | dossier ingest (s) | dossier ÷ stock (time) "
              "| peak RSS dossier / stock (MB) (÷) | text stock embeds |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in SIZES:
        run = ingest.get(size)
        if not run:
            continue
        e, i, s = run.get("embed", {}), run.get("ingest", {}), run.get("stock_ingest", {})
        lines.append(f"| {size} | {e.get('files')} | {i.get('chunks')} | {e.get('sentences')} | {_f(e.get('chunks_per_s'))} "
                     f"| {_f(i.get('chunks_per_s'))} | {_r(i.get('chunks_per_s'), e.get('chunks_per_s'))} "
                     f"| {_f(s.get('seconds'))} ({s.get('nodes', '–')} nodes) | {_f(i.get('seconds'))} "
                     f"| {_r(i.get('seconds'), s.get('seconds'))} | {_rss(i, s)} "
                     f"| {_pct(coverage.get(size, {}).get('share'))} |")
    for size, run in build.items():
        if "ingest" in ingest.get(size, {}):
            continue  # a real ingest at this size supersedes the memoised store build
        b = run.get("memo_ingest", {})
        lines.append(f"| {size} (store build, memoised embedder: not a throughput figure) | {b.get('files')} "
                     f"| {b.get('chunks')} | – | – | {_f(b.get('chunks_per_s'))} | – | not run | {_f(b.get('seconds'))} "
                     f"| – | {_f(b.get('peak_rss_mb'), 0)} / – | – |")
    lines += ["", "### Query (warm) and cold start", "",
              "| size | dossier ask p50 / p95 (ms) | dossier retrieve p50 / p95 (ms) | via chroma server ask p50 / p95 (ms) "
              "| stock retriever p50 / p95 (ms) | dossier retrieve ÷ stock (p50) | dossier ask ÷ stock (p50) "
              "| cold start `dossier ask` median (s) | cold start via server (s) | stock cold start (s) | dossier ÷ stock (cold) "
              "| peak RSS query dossier / stock (MB) (÷) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in SIZES:
        run = query.get(size)
        if not run:
            continue
        q, srv, st = run.get("query", {}), run.get("server_query", {}), run.get("stock_query", {})
        cold, stock_cold = run.get("cold", {}), run.get("stock_cold", {})

        def pair(block):
            return f"{_f(block.get('p50_ms'))} / {_f(block.get('p95_ms'))}" if block else "–"
        lines.append(f"| {size} ({q.get('chunks')} chunks) | {pair(q.get('ask'))} | {pair(q.get('retrieve'))} "
                     f"| {pair(srv.get('ask'))} | {pair(st.get('retrieve'))} "
                     f"| {_r((q.get('retrieve') or {}).get('p50_ms'), (st.get('retrieve') or {}).get('p50_ms'))} "
                     f"| {_r((q.get('ask') or {}).get('p50_ms'), (st.get('retrieve') or {}).get('p50_ms'))} "
                     f"| {_f(cold.get('median_s'), 2)} | {_f(run.get('server_cold', {}).get('median_s'), 2)} "
                     f"| {_f(stock_cold.get('median_s'), 2)} "
                     f"| {_r(cold.get('median_s'), stock_cold.get('median_s'))} "
                     f"| {_rss(q, st)} |")
    out = RESULTS / "summary.md"
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _plot(ingest, query)
    return out


def _plot(ingest: dict, query: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = [s for s in SIZES if s in ingest]
    x = [ingest[s]["ingest"]["chunks"] for s in sizes if "ingest" in ingest[s]]
    if x:
        left.plot(x, [ingest[s]["embed"]["chunks_per_s"] for s in sizes], "o--", label="embedder alone (limit)")
        left.plot(x, [ingest[s]["ingest"]["chunks_per_s"] for s in sizes], "o-", label="dossier ingest")
        stock = [(ingest[s]["ingest"]["chunks"], ingest[s]["ingest"]["chunks"] / ingest[s]["stock_ingest"]["seconds"])
                 for s in sizes if "stock_ingest" in ingest[s]]
        if stock:
            left.plot(*zip(*stock), "o:", label="stock llama-index (same corpus)")
    left.set(xscale="log", xlabel="chunks in corpus", ylabel="corpus chunks / s", title="Ingest throughput")
    left.legend(fontsize=8)
    sizes = [s for s in SIZES if s in query]
    for key, sub, label, style in (("query", "ask", "dossier ask (extractive)", "o-"),
                                   ("query", "retrieve", "dossier retrieve", "o--"),
                                   ("server_query", "ask", "dossier ask via chroma server", "s-"),
                                   ("stock_query", "retrieve", "stock llama-index retriever", "o:")):
        pts = [(query[s]["query"]["chunks"], query[s][key][sub]["p50_ms"]) for s in sizes if key in query[s]]
        if pts:
            right.plot(*zip(*pts), style, label=label)
    right.axhline(30, color="grey", lw=0.8, ls="--")
    right.set(xscale="log", xlabel="chunks in store", ylabel="p50 latency (ms, warm)", title="Query latency")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(RESULTS / "summary.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    print(write_report())
