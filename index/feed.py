"""RSS and Atom feeds: their items, and which of them are new or changed since the last run.

An item is known by its guid (RSS) or id (Atom), else its link; its content hash covers the
whole item as the feed gives it (title, summary, dates, content), so an edited item is
fetched again and an untouched one is not. What was ingested is kept per feed and per
collection under DOSSIER_HOME/feeds: item -> (hash, document id). An item whose document is
not in the store (a reset, another collection) counts as new whatever its hash says.

The XML parser is the standard library's expat, which fetches no external entities and
(expat 2.4 and later) stops entity expansion bombs; the feed's size is already bounded by
DOSSIER_FETCH_MAX_BYTES.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import urljoin

from .errors import FetchRefused
from .fetch import FetchLimits, fetch
from .jsonfile import dump_json, load_json

FEEDS_DIR = "feeds"
_ROOTS = ("rss", "feed", "RDF")  # RSS 2.0, Atom, RSS 1.0 (RDF)
_ITEMS = ("item", "entry")


@dataclass(frozen=True)
class FeedItem:
    key: str  # guid, id or link: what names the item from one run to the next
    link: str  # the article's page, absolute
    digest: str  # sha256 of the item's canonical XML


def _local(tag: object) -> str:
    """An element's name without its namespace ('{http://www.w3.org/2005/Atom}entry' -> 'entry')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(item: ET.Element, name: str) -> Optional[str]:
    for child in item:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _link(item: ET.Element, base: str) -> Optional[str]:
    """RSS: the <link> text. Atom: the href of the <link> whose rel is alternate (the default)."""
    for child in item:
        if _local(child.tag) != "link":
            continue
        href = child.get("href")
        if href is not None:
            if child.get("rel", "alternate") == "alternate":
                return urljoin(base, href.strip())
        elif child.text and child.text.strip():
            return urljoin(base, child.text.strip())
    return None


def parse_feed(body: bytes, base: str) -> list[FeedItem]:
    """The items of an RSS or Atom document, in the feed's order; FetchRefused when it is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise FetchRefused(f"not an RSS or Atom feed (the XML does not parse: {error})") from None
    if _local(root.tag) not in _ROOTS:
        raise FetchRefused(f"not an RSS or Atom feed (its root element is <{_local(root.tag)}>)")
    items: list[FeedItem] = []
    for element in root.iter():
        if _local(element.tag) not in _ITEMS:
            continue
        link = _link(element, base)
        if link is None:
            continue  # no page to fetch an article from (a status update, a podcast episode)
        key = _child_text(element, "guid") or _child_text(element, "id") or link
        digest = hashlib.sha256(ET.canonicalize(ET.tostring(element, encoding="unicode")).encode("utf-8"))
        items.append(FeedItem(key=key, link=link, digest=digest.hexdigest()))
    return items


def read_feed(url: str, limits: FetchLimits) -> list[FeedItem]:
    fetched = fetch(url, limits, "feed")
    return parse_feed(fetched.body, fetched.url)


class FeedState:
    """What was ingested from one feed into one collection: item key -> (hash, document id)."""

    def __init__(self, path: Path, url: str, items: dict[str, dict[str, str]]) -> None:
        self.path, self.url, self.items = path, url, items

    @classmethod
    def load(cls, home: Path, collection: str, url: str) -> "FeedState":
        path = home / FEEDS_DIR / collection / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}.json"
        data = load_json(path)  # missing or unreadable: every item is new, and the ingest is idempotent
        items = data.get("items") if isinstance(data, dict) and data.get("url") == url else None
        return cls(path, url, items if isinstance(items, dict) else {})

    def due(self, items: Iterable[FeedItem], documents: set[str]) -> list[FeedItem]:
        """The items that are new, changed, or whose document is not in the store."""
        due = []
        for item in items:
            known = self.items.get(item.key)
            if not isinstance(known, dict) or known.get("digest") != item.digest or known.get("doc_id") not in documents:
                due.append(item)
        return due

    def save(self, current: Iterable[FeedItem], ingested: dict[str, str]) -> None:
        """Keep the items still in the feed: those ingested now (key -> document id) and those
        known from before; an item that left the feed is forgotten (the file stays small)."""
        kept: dict[str, dict[str, str]] = {}
        for item in current:
            if item.key in ingested:
                kept[item.key] = {"digest": item.digest, "doc_id": ingested[item.key]}
            elif item.key in self.items:
                kept[item.key] = self.items[item.key]
        self.items = kept
        dump_json(self.path, {"url": self.url, "items": kept})
