"""Claims and shared text as plain text, JSON and rich renderables: pure functions of the values."""

from __future__ import annotations

import json
from typing import Optional, Sequence

from dossier.bot.render import source_line
from dossier.index.models import ClaimGroup

OUTLET_ITSELF = "the outlet itself"


def who(group: ClaimGroup) -> str:
    """Who makes the claim: its speakers, or the outlet when no article attributes it."""
    return ", ".join(group.speakers) if group.speakers else OUTLET_ITSELF


def heading(topic: Optional[str], count: int) -> str:
    about = f" about “{topic}”" if topic else ""
    if not count:
        return f"No claims{about} in the articles." if topic else "No claims yet; run `dossier ingest`."
    return f"{count} claim{'s' if count != 1 else ''}{about}, each once, with who contradicts it:"


def claims_plain(groups: Sequence[ClaimGroup], topic: Optional[str] = None) -> str:
    lines = [heading(topic, len(groups))]
    for number, group in enumerate(groups, start=1):
        lines += ["", f"{number}. {who(group)} ({group.carriers}):", f"   > {group.statement}"]
        lines += _citations(group, "   ")
        for against in group.contradictions:
            lines.append(f"   Contradicted by {who(against.group)} ({against.group.carriers}):")
            lines.append(f"      > {against.group.statement}")
            lines += _citations(against.group, "      ")
    return "\n".join(lines)


def _citations(group: ClaimGroup, indent: str) -> list[str]:
    return [f"{indent}[{c.citation.n}] {source_line(c.citation)} ({c.citation.doc_id}, chars "
            f"{c.citation.start}-{c.citation.end})" for c in group.claims]


def claims_json(groups: Sequence[ClaimGroup], topic: Optional[str] = None) -> str:
    return json.dumps({"topic": topic, "claims": [g.to_dict() for g in groups]}, ensure_ascii=False)


def claims_rich(groups: Sequence[ClaimGroup], topic: Optional[str] = None) -> list:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    items: list = [Text(heading(topic, len(groups)), style="bold" if groups else "yellow")]
    for number, group in enumerate(groups, start=1):
        body = Text(f"{group.statement}\n", style="bold")
        for claim in group.claims:
            body.append(Text.from_markup(f"[cyan][{claim.citation.n}][/cyan] {escape(source_line(claim.citation))}\n",
                                         style="dim"))
        for against in group.contradictions:
            body.append(Text(f"✗ contradicted by {who(against.group)} ({against.group.carriers}): ", style="red"))
            body.append(Text(f"{against.group.statement} "))
            body.append(Text("".join(f"[{c.citation.n}]" for c in against.group.claims) + "\n", style="cyan"))
        body.rstrip()
        items.append(Panel(body, title=escape(f"{number}. {who(group)} · {group.carriers}"),
                           border_style="red" if group.contradictions else "green", expand=False))
    return items
