"""From a link to an article file under DOSSIER_HOME/pages, ready for the ordinary ingest.

The page's article text, title, outlet, author and date come from trafilatura (made for
news pages: it drops navigation, related links, comments and footers). The file is the
extracted text under a ``Key: value`` header that index/parse.py reads (Title, Outlet,
Author, Date, URL): quotes are verbatim slices of this file, as for any other article,
and the citation carries the URL. A page is checked as the ingest will check it before
anything is written, so a link that fails leaves the data directory as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence
from urllib.parse import urlsplit

from .errors import FetchRefused, FileRejected
from .fetch import Fetched, FetchLimits, fetch
from .parse import normalize, parse_article

PAGES_DIR = "pages"
SLUG_CHARS = 60
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Article:
    """What trafilatura found on a page, as one-line fields and the article text."""

    url: str
    title: Optional[str]
    outlet: Optional[str]
    author: Optional[str]
    date: Optional[str]  # yyyy-mm-dd
    text: str


@dataclass(frozen=True)
class Page:
    """An article file to write: where, and its full text (header and article)."""

    url: str
    path: Path
    text: str

    @property
    def doc_id(self) -> str:
        return self.path.stem


def min_article_chars() -> int:
    """Shortest extracted text taken for an article: trafilatura's own MIN_EXTRACTED_SIZE,
    below which it treats an extraction as failed (a teaser, a cookie notice, a link list)."""
    from trafilatura.settings import DEFAULT_CONFIG

    return DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")


def extract_article(fetched: Fetched) -> Article:
    """The article on a fetched HTML page, or FileRejected when there is none."""
    from trafilatura import bare_extraction

    html: "str | bytes" = fetched.body
    if fetched.charset:
        html = fetched.body.decode(fetched.charset, errors="replace") if _known_codec(fetched.charset) else html
    document = bare_extraction(html, url=fetched.url, with_metadata=True, include_comments=False,
                               include_formatting=False, include_links=False, include_images=False)
    text = _article_text(document.text if document is not None else None)
    if len(text) < min_article_chars():
        raise FileRejected(f"no article found on the page ({len(text)} characters of text)")
    date = document.date if document.date and _ISO_DATE.match(document.date) else None
    return Article(url=fetched.url, title=_one_line(document.title), author=_one_line(document.author),
                   outlet=_one_line(document.sitename) or _host(fetched.url), date=date, text=text)


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _article_text(text: Optional[str]) -> str:
    """Extracted text with one newline convention and no blank-line padding."""
    if not text:
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(value: Optional[str]) -> Optional[str]:
    flat = normalize(value or "")
    return flat or None


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def file_text(article: Article) -> str:
    """The article file: the header index/parse.py reads, a blank line, the article text."""
    fields = (("Title", article.title), ("Outlet", article.outlet), ("Author", article.author),
              ("Date", article.date), ("URL", article.url))
    header = "".join(f"{key}: {value}\n" for key, value in fields if value)
    return f"{header}\n{article.text}\n"


def pages_dir(home: Path, collection: str) -> Path:
    """Where a collection's fetched articles live. One folder per collection: a page updated
    for one corpus must not change the file (and so the quotes' offsets) another one cites."""
    return home / PAGES_DIR / collection


def page_path(folder: Path, url: str) -> Path:
    """``<folder>/<host>/<slug>-<hash>.txt``: the same link always lands in the same file
    (so a changed page updates its document), and two links never share one."""
    parts = urlsplit(url)
    host = re.sub(r"[^a-z0-9.-]+", "_", (parts.netloc.rsplit("@", 1)[-1] or "unknown").lower()).strip("._") or "host"
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1].rsplit(".", 1)[0] if segments else "index"
    slug = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-")[:SLUG_CHARS].strip("-") or "index"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    return folder / host / f"{slug}-{digest}.txt"


def fetch_page(url: str, folder: Path, limits: FetchLimits, max_file_bytes: int) -> Page:
    """The article file for ``url``, checked as the ingest will check it; FetchRefused or
    FileRejected (one line each) when there is no article to take."""
    fetched = fetch(url, limits, "page")
    text = file_text(extract_article(fetched))
    raw = text.encode("utf-8")
    if len(raw) > max_file_bytes:
        raise FileRejected(f"the article text is too large ({len(raw):,} bytes; the limit is {max_file_bytes:,}, "
                           "see DOSSIER_MAX_FILE_BYTES)")
    path = page_path(folder, fetched.url)
    parse_article(path, text, hashlib.sha256(raw).hexdigest())  # raises FileRejected, as the ingest would
    return Page(url=fetched.url, path=path, text=text)


def fetch_pages(urls: Sequence[str], folder: Path, limits: FetchLimits,
                max_file_bytes: int) -> tuple[list[Page], list[tuple[str, str]]]:
    """The pages that hold an article, each once, and (link, reason) for every other link."""
    pages: dict[Path, Page] = {}
    skipped: list[tuple[str, str]] = []
    for url in urls:
        try:
            page = fetch_page(url, folder, limits, max_file_bytes)
        except (FetchRefused, FileRejected) as reason:
            skipped.append((url, str(reason)))
            continue
        pages.setdefault(page.path, page)
    return list(pages.values()), skipped


@contextmanager
def written(pages: Sequence[Page]) -> Iterator[list[Path]]:
    """Write the article files for the ingest that runs inside; when it fails (the store is
    busy, a server went away), every file goes back to what it was, or away."""
    before: list[tuple[Path, Optional[bytes]]] = []
    try:
        for page in pages:
            before.append((page.path, page.path.read_bytes() if page.path.exists() else None))
            _write(page.path, page.text.encode("utf-8"))
        yield [page.path for page in pages]
    except BaseException:
        for path, old in reversed(before):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _write(path, old)
        raise


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader (another ingest) never sees half an article."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_bytes(data)
    os.replace(staging, path)
