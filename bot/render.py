"""Rendering answers and sources: pure functions of the engine's values."""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Sequence

from dossier.index.models import RELATED_LEAD, Answer, Citation, DocumentMeta, IngestReport, SharedText

RELATED_TITLE = "Not stated in the articles"


def related_parts(answer: Answer) -> tuple[str, str]:
    """A related answer's plain lead line and the closest statements under it."""
    text = answer.answer
    if text.startswith(RELATED_LEAD):
        return RELATED_LEAD, text[len(RELATED_LEAD):].lstrip("\n")
    return RELATED_LEAD, text


def source_line(citation: Citation) -> str:
    parts = [citation.title]
    if citation.outlet:
        parts.append(citation.outlet)
    parts.append(citation.date or "undated")
    return " — ".join(parts)


def answer_plain(answer: Answer) -> str:
    """The answer, then its numbered sources with their verbatim quotes."""
    lines = []
    if answer.notice:
        lines.append(f"Note: {answer.notice}")
    if answer.status == "related":
        # The statements are indented under the lead so that they never read as the answer.
        lead, statements = related_parts(answer)
        lines.append(lead)
        lines.extend(f"  > {line}" for line in statements.split("\n") if line)
    else:
        lines.append(answer.answer)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {source_line(c)} ({c.doc_id}, chars {c.start}-{c.end})")
            lines.append(f"    “{c.quote}”")
            if c.url:
                lines.append(f"    {c.url}")
    return "\n".join(lines)


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def answer_rich(answer: Answer) -> list:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    items: list = []
    if answer.notice:
        items.append(Text(f"Note: {answer.notice}", style="yellow"))
    if answer.status == "related":
        lead, statements = related_parts(answer)
        body = Text(lead + "\n", style="bold magenta")
        body.append(Text(statements, style="dim"))
        body.highlight_regex(r"\[\d+\]", "cyan")
        items.append(Panel(body, title=RELATED_TITLE, border_style="magenta", expand=False))
    else:
        style = "bold yellow" if answer.refused else "bold"
        body = Text(answer.answer, style=style)
        body.highlight_regex(r"\[\d+\]", "cyan")
        items.append(Panel(body, title="Refused" if answer.refused else f"Answer ({answer.mode})",
                           border_style="yellow" if answer.refused else "green", expand=False))
    for c in answer.citations:
        items.append(Text.from_markup(f"[cyan][{c.n}][/cyan] [bold]{escape(source_line(c))}[/bold] "
                                      f"[dim]({escape(c.doc_id)}, chars {c.start}-{c.end})[/dim]"))
        items.append(Text(f"    “{c.quote}”", style="italic"))
        if c.url:
            items.append(Text(f"    {c.url}", style="dim underline"))
    return items


def sources_plain(documents: Iterable[DocumentMeta], shared: Mapping[str, Sequence[SharedText]] = {}) -> str:
    """One entry per article; ``shared`` adds a line per article carrying much of its text."""
    rows = []
    for d in documents:
        title = d.title + (" (title derived from first sentence)" if d.title_derived else "")
        who = d.outlet or d.byline or "unknown outlet"
        rows.append(f"{d.doc_id}  {d.date or 'undated':10}  {who}\n    {title}" + (f"\n    {d.url}" if d.url else "")
                    + "".join(f"\n    {line}" for line in shared_lines(shared.get(d.doc_id, ()))))
    return "\n".join(rows) if rows else "No documents ingested yet; run `dossier ingest`."


def shared_lines(shared: Sequence[SharedText]) -> list[str]:
    """"shares 62 % of its text with <doc> (<title>)", the largest share first (issue 14)."""
    return [f"shares {round(s.share * 100)} % of its text with {s.other} ({s.other_title})" for s in shared]


def sources_json(documents: Iterable[DocumentMeta], shared: Mapping[str, Sequence[SharedText]] = {}) -> str:
    from dataclasses import asdict

    return json.dumps([{**asdict(d), "shares_text_with": [s.to_dict() for s in shared.get(d.doc_id, ())]}
                       for d in documents], ensure_ascii=False)


def ingest_summary(report: IngestReport) -> str:
    counts = (f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
              f"skipped {len(report.skipped)}")
    if report.pruned:
        counts += f", pruned {len(report.pruned)}"
    if report.repaired:
        counts += f", repaired ({'; '.join(report.repaired)})"
    lines = [counts]
    lines.extend(f"skipped {path}: {reason}" for path, reason in report.skipped)
    return "\n".join(lines)


def ingest_json(report: IngestReport) -> str:
    return json.dumps({"added": list(report.added), "updated": list(report.updated),
                       "unchanged": list(report.unchanged), "pruned": list(report.pruned),
                       "repaired": list(report.repaired),
                       "skipped": [{"path": p, "reason": r} for p, r in report.skipped]}, ensure_ascii=False)
