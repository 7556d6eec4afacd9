"""From an article file to sentences with exact spans, metadata and chunks.

The original text is never rewritten. Cleaning decides which lines are article
prose and which are web debris; normalisation (NBSP, runs of whitespace) only
produces the *indexed* form of a sentence, while its ``start``/``end`` always
point into the text exactly as ``Path.read_text(encoding="utf-8")`` returns it,
so ``text[start:end]`` is a verbatim quote.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Iterator, Optional

from .errors import FileRejected
from .models import DocumentMeta, ParsedDocument, Sentence
from .vocabulary import SENTENCE_ABBREVIATIONS, TIME_ZONES

SUPPORTED_SUFFIXES = (".txt", ".md")
CHUNK_TARGET_CHARS = 500
# Longest "sentence" kept whole. Prose rarely passes 400 characters; text without
# punctuation (a pasted transcript, a 2 MB line) would otherwise be one sentence that the
# embedder truncates at 256 tokens (about 1,000 characters) and that no answer can show.
MAX_SENTENCE_CHARS = 600

# Whole lines that are page furniture rather than article text.
_DEBRIS = re.compile(
    r"""^(?:
        also\s+read | related\s+(?:posts?|articles?|stories|news) | read\s+more | see\s+also
        | advertisement | share(?:\s+this)?(?:\s+article)? | search | trending(?:\s+now)?
        | .*\bnewsletter\b.* | (?:sign\s+up|subscribe)\b.* | follow\s+us\b.*
        | click\s+here\b.* | (?:\#\s*)?tags?:.* | (?:you\s+may\s+also\s+like|recommended)\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_WIDGET = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b.*$", re.IGNORECASE)
_VIA = re.compile(r"^(?:via|source:)\s+(?P<outlet>[A-Z][\w&.' -]{1,80})$", re.IGNORECASE)
_BY = re.compile(r"^by\s+(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){1,3})$")
_NAME_LINE = re.compile(r"^[A-Z][a-z]+(?:\s+[A-Z][a-z.]+){1,2}$")
# The header an article fetched from a link starts with (index/pages.py writes it): one
# ``Key: value`` line per field, before anything else. Only a leading run of such lines, up to
# the first blank line, is a header, so "Author: ..." inside an article's text stays text.
_HEADER = re.compile(r"^(?P<key>title|outlet|author|date|url):[ \t]+(?P<value>\S.*)$", re.IGNORECASE)

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DATE_PATTERNS = (
    re.compile(r"^(?:\w+,\s*)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<y>\d{4})\b[\d:\sAPMapm]*$"),
    re.compile(r"^(?:\w+,\s*)?(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})\b[\d:\sAPMapm]*$"),
    re.compile(r"^(?:\w{3,9},\s*)?(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b[\s\d:\-\u2013\u2014APMapm]*$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T\s][\d:]+)?$"),
)

# A sentence ends at . ! ? or … plus any closing quotes/brackets, before whitespace.
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)")
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")  # "a.b" of "A.B.", "u.s" of "U.S.": initials, not a sentence end
_SPACE = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_CLAUSE_END = re.compile(r"[,;:\u2013\u2014)](?=\s)")


def normalize(text: str) -> str:
    """The indexed form of a span: NBSP and all whitespace runs become one space."""
    return _SPACE.sub(" ", text).strip()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return, for each output character, its index in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for index, char in enumerate(text):
        if _SPACE.fullmatch(char):
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            offsets.append(index - 1)
            pending_space = False
        out.append(char)
        offsets.append(index)
    return "".join(out), offsets


def read_article(path: Path, max_bytes: int) -> tuple[str, str]:
    """Return ``(text, sha256)``, or raise FileRejected with a one-line reason."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"unsupported file type {path.suffix or '(none)'!r}; only .txt and .md are ingested")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileRejected(f"too large ({size:,} bytes; the limit is {max_bytes:,}, see DOSSIER_MAX_FILE_BYTES)")
        raw = path.read_bytes()
    except OSError as exc:
        raise FileRejected(f"cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in raw:
        raise FileRejected("binary file (contains NUL bytes)")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    # Same newline translation as Path.read_text, so offsets match what users slice.
    text = decoded.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise FileRejected("binary file (too many control characters)")
    if not text.strip():
        raise FileRejected("empty file")
    return text, hashlib.sha256(raw).hexdigest()


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Spans of non-blank lines, trimmed of surrounding whitespace (NBSP included)."""
    position = 0
    for line in text.split("\n"):
        stripped = line.strip(" \t\u00a0\ufeff\u200b\f\v")
        if stripped:
            lead = line.index(stripped[0])
            yield position + lead, position + lead + len(stripped)
        position += len(line) + 1


def parse_date(line: str) -> Optional[str]:
    widget = _DATE_WIDGET.match(line)
    candidates = [widget.group(1)] if widget else [line.strip()]
    for candidate in candidates:
        for pattern in _DATE_PATTERNS:
            match = pattern.match(candidate)
            if not match:
                continue
            parts = match.groupdict()
            month = parts.get("m")
            if month is None:
                month = _MONTHS.get(parts["mon"][:3].lower())
                if month is None:
                    continue
            try:
                return date(int(parts["y"]), int(month), int(parts["d"])).isoformat()
            except ValueError:
                continue
    return None


def _is_heading(line: str) -> bool:
    """A short line that does not end like a sentence (closing quotes aside)."""
    words = line.split()
    core = line.rstrip("\"'\u201d\u2019)]")
    return 0 < len(words) <= 16 and len(line) <= 140 and bool(core) and core[-1] not in ".!?\u2026:;,"


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (one paragraph), trimmed of whitespace."""
    spans: list[tuple[int, int]] = []
    cursor = start
    segment = text[start:end]
    for match in _SENTENCE_END.finditer(segment):
        stop = start + match.end()
        following = text[stop:end].lstrip(" \t\u00a0")
        if not following:
            continue
        if not (following[0].isupper() or following[0].isdigit() or following[0] in "\"'\u201c\u2018([\u00bf"):
            continue
        word = re.search(r"([\w.]+)[.!?\u2026]*$", text[cursor:start + match.start() + 1])
        token = word.group(1).rstrip(".").lower() if word else ""
        if text[start + match.start()] == "." and (token in SENTENCE_ABBREVIATIONS or (len(token) == 1 and token.isalpha())
                                                   or (_INITIALS.fullmatch(token) and token not in ("a.m", "p.m"))):
            continue  # "Dr. Ali", "Ada F. Lund", "A.B. Lund said ..."
        if token in ("a.m", "p.m") and following.split(None, 1)[0].strip("(),.").lower() in TIME_ZONES:
            continue  # "at 1:27 a.m. ET (0527 GMT), a ship ...": the time goes on
        spans.append((cursor, stop))
        cursor = stop
    spans.append((cursor, end))
    trimmed = []
    for s, e in (piece for span in spans for piece in _bounded(text, *span)):
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip(" \t\u00a0\u200b"))
        tail = len(piece) - len(piece.rstrip(" \t\u00a0\u200b"))
        if e - tail > s + lead:
            trimmed.append((s + lead, e - tail))
    return trimmed


def _bounded(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters: cut after the last clause
    mark (comma, semicolon, dash) in the second half of the window, else at the last space,
    else (one endless word) at the limit itself."""
    while end - start > limit:
        window = text[start:start + limit]
        clause = [m.end() for m in _CLAUSE_END.finditer(window, limit // 2)]
        space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
        cut = clause[-1] if clause else (space if space > 0 else limit)
        yield start, start + cut
        start += cut
    yield start, end



def _derived_title(sentence: str, limit: int = 90) -> str:
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"


def _header(text: str, lines: list[tuple[int, int]]) -> tuple[dict[str, str], int]:
    """The fields of the leading ``Key: value`` lines (the first of each key wins) and how
    many lines they take."""
    fields: dict[str, str] = {}
    count, previous_end = 0, 0
    for s, e in lines:
        match = _HEADER.match(text[s:e])
        if match is None or (count and text.count("\n", previous_end, s) > 1):
            break  # not a field, or a blank line ended the header
        fields.setdefault(match.group("key").lower(), normalize(match.group("value")))
        count, previous_end = count + 1, e
    return fields, count


def parse_article(path: Path, text: str, sha256: str) -> ParsedDocument:
    """Classify lines, extract metadata, split sentences and group them into chunks."""
    lines = list(_lines(text))
    header, header_lines = _header(text, lines)
    outlet, byline = header.get("outlet"), header.get("author")
    found_date = parse_date(header["date"]) if "date" in header else None
    headings: dict[int, str] = {}
    body: list[tuple[int, int]] = []
    for position, (s, e) in enumerate(lines):
        if position < header_lines:
            continue
        line = text[s:e]
        flat = normalize(line)
        near_end = position >= len(lines) - 3
        if (when := parse_date(flat)) is not None:
            found_date = found_date or when
        elif _DEBRIS.match(flat):
            continue
        elif (via := _VIA.match(flat)) is not None:
            outlet = outlet or via.group("outlet").strip()
        elif (by := _BY.match(flat)) is not None or (near_end and _NAME_LINE.match(flat)):
            byline = byline or (by.group("name") if by else flat)
        elif _is_heading(flat):
            headings[position] = flat
        else:
            body.append((s, e))
            headings.setdefault(-1 - position, "")  # marks where body begins (see below)

    first_body = next((-1 - k for k in sorted(headings, reverse=True) if k < 0), None)
    title, derived = "", True
    if first_body is not None:
        # The headline is the heading nearest above the first body paragraph;
        # headings above it are kickers or section labels.
        above = [p for p in headings if 0 <= p < first_body]
        if above:
            title, derived = headings[max(above)], False

    sentences: list[Sentence] = []
    chunks: list[tuple[int, ...]] = []
    current: list[int] = []
    current_len = 0
    body_starts = {s for s, _ in body}
    section_breaks = {lines[p][0] for p in headings if p >= 0 and first_body is not None and p > first_body}
    paragraph = 0
    for position, (s, e) in enumerate(lines):
        if s in section_breaks and current:
            chunks.append(tuple(current))
            current, current_len = [], 0
        if s not in body_starts:
            continue
        for ss, se in split_sentences(text, s, e):
            flat = normalize(text[ss:se])
            if current and current_len + len(flat) > CHUNK_TARGET_CHARS:
                chunks.append(tuple(current))
                current, current_len = [], 0
            current.append(len(sentences))
            current_len += len(flat) + 1
            sentences.append(Sentence(start=ss, end=se, text=flat, paragraph=paragraph))
        paragraph += 1
    if current:
        chunks.append(tuple(current))
    if not sentences:
        raise FileRejected("no article text found after removing page furniture")
    if header.get("title"):
        title, derived = header["title"], False
    if not title:
        title = _derived_title(sentences[0].text)
    meta = DocumentMeta(
        doc_id=path.stem,
        title=title,
        title_derived=derived,
        outlet=outlet,
        byline=byline,
        date=found_date,
        path=str(path.resolve()),
        sha256=sha256,
        url=header.get("url"),
    )
    return ParsedDocument(meta=meta, text=text, sentences=tuple(sentences), chunks=tuple(chunks))


def load_article(path: Path, max_bytes: int) -> ParsedDocument:
    text, sha256 = read_article(path, max_bytes)
    return parse_article(path, text, sha256)
