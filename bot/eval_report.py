"""Rendering an evaluation: a rich table for the terminal, Markdown and a bar chart for reports.

Pure functions of ``EvalResult`` (index/eval/runner.py); nothing here judges an answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from dossier.index.eval.metrics import GENERATION_METRICS, METRICS, RATES, Record, answer_status
from dossier.index.eval.runner import EvalResult

CHART_NAME = "metrics.png"
REPORT_NAME = "report.md"
LABELS = {"hit@k": "hit@{k}", "mrr": "MRR", "phrase_recall": "phrase recall", "source_precision": "source prec",
          "quote_exactness": "quote exact", "support_recall": "support R", "support_precision": "support P",
          "attribution_kept": "attr. kept",
          "refused_unanswerable": "refused unans.", "answered_answerable": "answered ans.",
          "declined_unanswerable": "declined unans.", "declined_answerable": "declined ans.",
          "latency_p50_ms": "p50 ms", "latency_p95_ms": "p95 ms", "answer_chars_p50": "chars p50",
          "generated_kept": "kept", "generated_repaired": "repaired", "generated_fallback": "fell back",
          "generated_declined": "declined", "raw_support_recall": "raw support R",
          "raw_support_precision": "raw support P"}


def label(metric: str, k: int) -> str:
    return LABELS[metric].format(k=k)


def cell(metric: str, value: Optional[float]) -> str:
    """Shares with three decimals, milliseconds with one, characters whole; n/a as a dash."""
    if value is None:
        return "–"
    if metric in RATES or metric in GENERATION_METRICS:
        return f"{value:.3f}"
    return f"{value:.1f}" if metric.endswith("_ms") else f"{value:.0f}"


def shorten(text: str, limit: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def got(record: Record) -> str:
    """What the configuration answered, as one short line, led by its status unless it answered."""
    status = answer_status(record.answer)
    prefix = "" if status == "answered" else f"{status}: "
    return prefix + shorten(record.answer.answer or "(empty answer)")


def generating(result: EvalResult) -> list[str]:
    """The configurations whose answers asked a model (they have generation figures)."""
    return [name for name, summary in result.summaries.items()
            if any(summary.get(m) is not None for m in GENERATION_METRICS)]


def failures(result: EvalResult, config: str) -> list[Record]:
    return [r for r in result.records if r.config == config and r.failed()]


# ---- terminal ------------------------------------------------------------------------------------


def summary_table(result: EvalResult):
    """Configurations as rows, metrics as columns."""
    from rich.table import Table

    answerable = sum(q.answerable for q in result.questions)
    table = Table(title=f"dossier eval: {len(result.questions)} questions ({answerable} answerable), k={result.k}",
                  caption=" · ".join(f"{what} {path}" for what, path in (("questions", result.questions_file),
                                                                         ("corpus", result.corpus)) if path))
    table.add_column("config", style="bold", no_wrap=True)
    for metric in METRICS:
        table.add_column(label(metric, result.k), justify="right")
    for name, summary in result.summaries.items():
        table.add_row(name, *(cell(m, summary[m]) for m in METRICS))
    return table


def generation_table(result: EvalResult):
    """Generated mode: what became of the model's replies, and their support as written."""
    from rich.table import Table

    table = Table(title="generated answers: the model's reply kept, repaired, fallen back to extractive, declined; "
                        "support of the reply as the model wrote it", title_justify="left")
    table.add_column("config", style="bold", no_wrap=True)
    for metric in GENERATION_METRICS:
        table.add_column(label(metric, result.k), justify="right")
    for name in generating(result):
        table.add_row(name, *(cell(m, result.summaries[name].get(m)) for m in GENERATION_METRICS))
    return table


def failure_table(result: EvalResult, config: str, limit: int):
    """The failing questions of one configuration: expected vs got, truncated."""
    from rich.table import Table

    failed = failures(result, config)
    shown = failed[:limit]
    title = f"{config}: {len(failed)} failing question(s)" + (f", first {limit} shown" if len(failed) > limit else "")
    table = Table(title=title, title_justify="left", show_lines=False)
    for name, ratio in (("id", 1), ("expected", 2), ("got", 4)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for record in shown:
        table.add_row(record.question.id, shorten(record.question.expected(), 60), got(record))
    return table


def terminal(result: EvalResult, limit: int) -> list:
    """Everything printed on stdout: the summary, skipped configurations, failures per configuration."""
    from rich.text import Text

    items: list = [summary_table(result)]
    if generating(result):
        items.append(generation_table(result))
    items.extend(Text(f"skipped {name}: {reason}", style="yellow") for name, reason in result.skipped.items())
    if limit > 0:
        items.extend(failure_table(result, name, limit) for name in result.summaries if failures(result, name))
    return items


# ---- files ---------------------------------------------------------------------------------------


def markdown_table(result: EvalResult) -> str:
    """The summary as a Markdown table (docs/eval.md shows this very output)."""
    head = ["config", *(label(m, result.k) for m in METRICS)]
    rows = [f"| {' | '.join(head)} |", f"|{'|'.join(['---'] + ['---:'] * len(METRICS))}|"]
    for name, summary in result.summaries.items():
        rows.append(f"| {name} | {' | '.join(cell(m, summary[m]) for m in METRICS)} |")
    return "\n".join(rows)


def markdown_generation_table(result: EvalResult) -> str:
    """``generation_table`` as Markdown; empty when no configuration asked a model."""
    names = generating(result)
    if not names:
        return ""
    head = ["config", *(label(m, result.k) for m in GENERATION_METRICS)]
    rows = [f"| {' | '.join(head)} |", f"|{'|'.join(['---'] + ['---:'] * len(GENERATION_METRICS))}|"]
    rows += [f"| {n} | {' | '.join(cell(m, result.summaries[n].get(m)) for m in GENERATION_METRICS)} |" for n in names]
    return "\n".join(rows)


def markdown_report(result: EvalResult, chart: Optional[str] = CHART_NAME) -> str:
    answerable = sum(q.answerable for q in result.questions)
    parts = ["# Dossier evaluation", "",
             f"{len(result.questions)} questions ({answerable} answerable, {len(result.questions) - answerable} "
             f"not answerable from the corpus); retrieval judged on the top {result.k} chunks. "
             "Metric definitions: docs/eval.md.", "", *_inputs(result), markdown_table(result), ""]
    if generating(result):
        parts += ["Generated answers (what became of the model's replies; support of the replies as written):", "",
                  markdown_generation_table(result), ""]
    parts.extend(f"Skipped `{name}`: {reason}." for name, reason in result.skipped.items())
    if chart:
        parts += ["", f"![metrics per configuration]({chart})", ""]
    for name in result.summaries:
        parts += _failure_section(result, name)
    return "\n".join(parts).rstrip() + "\n"


def _inputs(result: EvalResult) -> list[str]:
    """Which questions were asked of which articles: figures mean nothing without it."""
    lines = [f"- {what}: `{path}`" for what, path in (("questions", result.questions_file),
                                                    ("corpus", result.corpus)) if path]
    return lines + [""] if lines else []


def _failure_section(result: EvalResult, name: str) -> list[str]:
    failed = failures(result, name)
    lines = [f"## {name}: {len(failed)} failing question(s)", ""]
    if not failed:
        return lines
    lines += ["| id | question | expected | got |", "|---|---|---|---|"]
    for r in failed:
        cells = [r.question.id, r.question.question, r.question.expected(), got(r)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines + [""]


def bar_chart(result: EvalResult, path: Path) -> Path:
    """Grouped bars: the share metrics per configuration, and latency beside them (n/a: no bar)."""
    from matplotlib.figure import Figure  # a bare Figure renders with Agg; no pyplot global state

    names = list(result.summaries)
    figure = Figure(figsize=(14, 6), layout="constrained")
    rates_axes, latency_axes = figure.subplots(1, 2, width_ratios=[4, 1])
    width = 0.8 / max(len(names), 1)
    latencies = ("latency_p50_ms", "latency_p95_ms")
    for i, name in enumerate(names):
        summary = result.summaries[name]
        rates_axes.bar([x + i * width for x in range(len(RATES))], _values(summary, RATES), width, label=name)
        latency_axes.bar([x + i * width for x in range(2)], _values(summary, latencies), width)
    centre = width * (len(names) - 1) / 2
    rates_axes.set_xticks([x + centre for x in range(len(RATES))], [label(m, result.k) for m in RATES],
                          rotation=25, ha="right")
    rates_axes.set_ylim(0, 1.02)
    rates_axes.set_ylabel("share (higher is better)")
    rates_axes.grid(axis="y", alpha=0.3)
    latency_axes.set_xticks([centre, 1 + centre], ["p50", "p95"])
    latency_axes.set_ylabel("latency per question, ms (lower is better)")
    latency_axes.grid(axis="y", alpha=0.3)
    figure.legend(loc="outside lower center", ncols=max(len(names), 1))
    figure.suptitle(f"Dossier evaluation: {len(result.questions)} questions, retrieval judged at k={result.k}")
    figure.savefig(path, dpi=110)
    return path


def _values(summary: dict[str, Optional[float]], metrics: tuple[str, ...]) -> list[float]:
    return [float("nan") if summary[m] is None else summary[m] for m in metrics]


def write_json(result: EvalResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_report(result: EvalResult, directory: Path) -> Path:
    """``DIR/report.md`` and ``DIR/metrics.png``; returns the Markdown file."""
    directory.mkdir(parents=True, exist_ok=True)
    chart = bar_chart(result, directory / CHART_NAME) if result.summaries else None
    report = directory / REPORT_NAME
    report.write_text(markdown_report(result, chart.name if chart else None), encoding="utf-8")
    return report
