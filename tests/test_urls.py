"""Articles from links and feeds: a real HTTP server started here serves a small news site
(article pages with navigation and footers, a PDF, a page without an article, huge and slow
pages, redirects, RSS and Atom feeds) and the real engine fetches, extracts and ingests.

The server listens on loopback, so tests that fetch from it allow private addresses
(DOSSIER_ALLOW_PRIVATE_URLS=true), as a user with an intranet would; one test checks that
without the setting the same link is refused before any request is sent."""

from __future__ import annotations

import asyncio
import gzip
import html
import json
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

from conftest import assert_verbatim
from dossier.bot.cli import main
from dossier.bot.cogs.ask import NOT_A_MANAGER, ONE_SOURCE, AskCog
from dossier.index.engine import Engine
from dossier.index.errors import FetchRefused, StoreBusy
from dossier.index.feed import parse_feed
from dossier.index.fetch import FetchLimits, fetch, refusal, resolve
from dossier.index.parse import parse_article
from dossier.index.settings import SEEDS_DIR, Settings
from test_discord_commands import FakeAttachment, FakeInteraction, assert_no_pings, make_cog  # noqa: F401

SITE_NAME = "Harbour Courier"


# ---- the site ------------------------------------------------------------------------------------

def news_page(title: str, paragraphs: list[str], author: str = "Maren Holt", date: str = "2024-03-05",
              section: str = "Coast") -> str:
    """A page as news sites serve them: metadata in <head>, navigation, the article, a list of
    other stories, a newsletter box and a footer."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)} | {SITE_NAME}</title>
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:title" content="{html.escape(title)}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="{date}T08:30:00+00:00">
</head>
<body>
<header>
  <a class="logo" href="/">{SITE_NAME}</a>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/coast">{section}</a></li><li><a href="/weather">Weather</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
</header>
<main>
<article>
  <p class="kicker">{section}</p>
  <h1>{html.escape(title)}</h1>
  <p class="byline">By {author}, {date}</p>
  {body}
</article>
<aside class="most-read"><h3>Most read</h3><ul>
  <li><a href="/news/council-bike-lanes">Council approves new bike lanes on the seafront</a></li>
  <li><a href="/news/fishing-quotas">Fishing quotas cut for the third year running</a></li></ul></aside>
<div class="newsletter"><h3>Get the morning briefing</h3><form><input type="email"><button>Sign up</button></form></div>
</main>
<footer><p>&copy; 2024 {SITE_NAME}. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a> <a href="/advertise">Advertise with us</a></footer>
</body>
</html>
"""


FERRY = ("Ferry service to Skarholm suspended after storm damage", [
    "The regional ferry operator suspended all crossings to Skarholm on Tuesday after the overnight storm "
    "damaged the loading ramp at the island's only pier.",
    "\u201cWe will not carry passengers until engineers have inspected every hinge of the ramp,\u201d said Ilse "
    "Brandvik, the operator's head of safety, adding that the inspection could take three days.",
    "About 1,400 residents live on Skarholm, which depends on the ferry for food deliveries and school transport. "
    "The municipality said a supply boat would sail from Port Elling on Wednesday morning.",
    "Harbour master Tomas Lind said the storm surge reached 2.1 metres above normal, the highest level recorded "
    "at the pier since 1998.",
])

LIGHTHOUSE = ("Volunteers restore the Kessvik lighthouse lens", [
    "A group of twelve volunteers has finished restoring the glass lens of the Kessvik lighthouse, which had been "
    "dark since a lightning strike in 2019.",
    "The lens, made of 84 hand-ground prisms, was dismantled piece by piece and cleaned in a workshop in Port "
    "Elling over eighteen months.",
    "Astrid Vold, who led the project, said the lighthouse would shine again on the first Saturday of May.",
])

HOMEPAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{SITE_NAME}</title></head>
<body><header><a href="/">{SITE_NAME}</a><nav><a href="/coast">Coast</a> <a href="/weather">Weather</a>
<a href="/sport">Sport</a></nav></header>
<main><h2>Top stories</h2><ul>
<li><a href="/news/ferry-suspended">Ferry service suspended</a></li>
<li><a href="/news/lighthouse">Lighthouse lens restored</a></li></ul></main>
<footer>&copy; 2024 {SITE_NAME}. All rights reserved.</footer></body></html>"""


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between single bytes of the body (a slow server)
    delay: float = 0.0  # seconds before anything is sent
    stream: int = 0  # bytes of filler to stream after ``body``
    close: bool = False  # no Content-Length: the body ends when the connection does (implied by ``stream``)


class Site:
    """Routes (path -> Response, or a callable returning one) and a log of requested paths."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        self.requests: list[str] = []
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str, title: str, paragraphs: list[str], **kwargs) -> None:
        self.routes[path] = Response(body=news_page(title, paragraphs, **kwargs).encode("utf-8"),
                                     headers={"Content-Type": "text/html; charset=utf-8"})

    def served(self, prefix: str) -> list[str]:
        return [p for p in self.requests if p.startswith(prefix)]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            site.requests.append(self.path)
            response = site.routes.get(self.path, Response(404, b"not found", {"Content-Type": "text/plain"}))
            time.sleep(response.delay)
            try:
                self._send(response)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up, as it should have

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.stream or response.close:
                self.send_header("Connection", "close")
                self.close_connection = True
            elif "Content-Length" not in response.headers:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self._body(response)

        def _body(self, response: Response) -> None:
            if response.drip:
                for byte in response.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(response.drip)
                return
            self.wfile.write(response.body)
            sent = 0
            while sent < response.stream:
                self.wfile.write(b"<p>filler</p>" * 1000)
                sent += 13_000

        def log_message(self, *args) -> None:
            pass

    return Handler


class QuietHTTPServer(ThreadingHTTPServer):
    """A client that stops reading (a size limit, a deadline) is what several tests do on
    purpose; the server's traceback for it would land in the CLI's captured stderr."""

    def handle_error(self, request, client_address) -> None:
        pass


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    server = QuietHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    # shutdown() waits up to one poll interval; serve_forever's default (0.5 s) cost every test that.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    site.page("/news/ferry-suspended", *FERRY)
    site.page("/news/lighthouse", *LIGHTHOUSE, author="Jonas Berg", date="2024-04-11", section="Culture")
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_site(tmp_path) -> Iterator[tuple[Site, Path]]:
    """The same site over HTTPS with a self-signed certificate for ``localhost`` (openssl's
    command line makes it); yields the site and the certificate, for a test to trust."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    site = Site()
    server = QuietHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    site.page("/news/lighthouse", *LIGHTHOUSE)
    yield site, cert
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_network(monkeypatch) -> None:
    """The site is on loopback: allowed here as a user allows an intranet."""
    monkeypatch.setenv("DOSSIER_ALLOW_PRIVATE_URLS", "true")


def open_engine(embedder, home: Path, **settings) -> Engine:
    return Engine.open(Settings(home=home, _env_file=None, **settings), embedder=embedder)


# ---- a link's article ------------------------------------------------------------------------

def test_a_link_becomes_an_article_file_whose_quotes_are_verbatim_and_cite_the_url(site, local_network, embedder,
                                                                                   tmp_path):
    engine = open_engine(embedder, tmp_path / "home")
    url = site.url("/news/ferry-suspended")
    report = engine.ingest_links([url])
    assert report.skipped == () and len(report.added) == 1
    [document] = engine.sources()
    assert (document.title, document.outlet, document.byline, document.date, document.url) == (
        FERRY[0], SITE_NAME, "Maren Holt", "2024-03-05", url)
    stored = Path(document.path)
    assert stored.parent == tmp_path / "home" / "pages" / "dossier" / f"127.0.0.1_{site.port}"
    assert stored.name.startswith("ferry-suspended-") and document.doc_id == stored.stem
    text = stored.read_text(encoding="utf-8")
    assert text.startswith(f"Title: {FERRY[0]}\nOutlet: {SITE_NAME}\nAuthor: Maren Holt\nDate: 2024-03-05\n"
                           f"URL: {url}\n\n")
    for paragraph in FERRY[1]:
        assert paragraph in text  # the article, as the page has it
    for furniture in ("Most read", "All rights reserved", "Subscribe", "bike lanes", "morning briefing", "Weather"):
        assert furniture not in text

    answer = engine.ask("Who is the head of safety at the ferry operator?")
    assert answer.status == "answered" and answer.citations
    assert all(c.url == url and c.doc_id == document.doc_id for c in answer.citations)
    assert any("Ilse Brandvik" in c.quote for c in answer.citations)
    assert_verbatim(answer.citations, engine)
    assert answer.to_dict()["citations"][0]["url"] == url

    assert engine.ingest_links([url]).unchanged == (document.doc_id,)  # same page: nothing to do
    site.page("/news/ferry-suspended", FERRY[0], FERRY[1] + [
        "On Thursday evening the operator said crossings would resume on Friday with a temporary ramp."])
    assert engine.ingest_links([url]).updated == (document.doc_id,)  # same link, same document, new text
    assert "temporary ramp" in stored.read_text(encoding="utf-8") and len(engine.sources()) == 1


def test_links_without_an_article_give_one_line_reasons_and_change_nothing(site, local_network, embedder, tmp_path):
    site.routes.update({
        "/files/timetable.pdf": Response(body=b"%PDF-1.4 timetable", headers={"Content-Type": "application/pdf"}),
        "/": Response(body=HOMEPAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"}),
        "/huge": Response(body=b"<html><body>" + b"<p>word</p>" * 30_000,
                          headers={"Content-Type": "text/html"}),
        "/endless": Response(body=b"<html><body>", headers={"Content-Type": "text/html"}, stream=10_000_000),
        "/bomb": Response(body=gzip.compress(b"<p>zero</p>" * 2_000_000),
                          headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}),
        "/loop": Response(302, headers={"Location": "/loop"}),
        "/gone": Response(410, b"gone", {"Content-Type": "text/plain"}),
        "/untyped": Response(body=news_page(*LIGHTHOUSE).encode()),
    })
    engine = open_engine(embedder, tmp_path / "home", fetch_max_bytes=100_000)
    expected = {
        "/files/timetable.pdf": "not an HTML page (content type application/pdf)",
        "/": "no article found on the page",
        "/huge": "too large (330,012 bytes; the limit is 100,000, see DOSSIER_FETCH_MAX_BYTES)",
        "/endless": "too large (more than 100,000 bytes; the limit is 100,000, see DOSSIER_FETCH_MAX_BYTES)",
        "/bomb": "too large (more than 100,000 bytes",
        "/loop": "too many redirects (more than 5, DOSSIER_FETCH_MAX_REDIRECTS)",
        "/gone": "HTTP 410 Gone",
        "/untyped": "not an HTML page (content type not given)",
        "/missing": "HTTP 404 Not Found",
    }
    report = engine.ingest_links([site.url(p) for p in expected])
    reasons = dict(report.skipped)
    assert list(reasons) == [site.url(p) for p in expected]
    for path, reason in expected.items():
        assert reasons[site.url(path)].startswith(reason), (path, reasons[site.url(path)])
        assert "\n" not in reasons[site.url(path)]
    assert report.added == report.updated == report.unchanged == ()
    assert engine.is_empty() and not (tmp_path / "home" / "pages").exists()


def test_a_slow_page_times_out_within_the_setting(site, local_network, embedder, tmp_path):
    site.routes["/slow-start"] = Response(body=news_page(*LIGHTHOUSE).encode(), delay=5,
                                          headers={"Content-Type": "text/html"})
    # Headers at once, then a byte every 50 ms: each read is quick, the whole is not.
    site.routes["/drip"] = Response(body=news_page(*LIGHTHOUSE).encode(), drip=0.05,
                                    headers={"Content-Type": "text/html"})
    # The same without a length: the body ends when the server closes the connection.
    site.routes["/drip-close"] = Response(body=news_page(*LIGHTHOUSE).encode(), drip=0.05, close=True,
                                          headers={"Content-Type": "text/html"})
    engine = open_engine(embedder, tmp_path / "home", fetch_timeout=0.5)  # short: the test waits it out 3 times
    started = time.monotonic()
    report = engine.ingest_links([site.url("/slow-start"), site.url("/drip"), site.url("/drip-close")])
    assert time.monotonic() - started < 4.5  # three links, half a second each (and a little), not 5 s and minutes
    assert [reason for _, reason in report.skipped] == ["timed out after 0.5 s (DOSSIER_FETCH_TIMEOUT)"] * 3
    assert engine.is_empty()


def test_a_busy_store_leaves_the_article_file_as_it_was(site, local_network, embedder, tmp_path):
    """The file is written before the ingest takes the store's lock; an ingest that cannot
    run (another one is writing, --no-wait) puts it back, so file and store still agree."""
    home = tmp_path / "home"
    engine, other = open_engine(embedder, home), open_engine(embedder, home)
    url = site.url("/news/ferry-suspended")
    [doc_id] = engine.ingest_links([url]).added
    stored = Path(engine.sources()[0].path)
    before = stored.read_bytes()
    site.page("/news/ferry-suspended", FERRY[0], FERRY[1] + ["Crossings resume on Friday with a temporary ramp."])
    other.store.lock.acquire()
    try:
        with pytest.raises(StoreBusy, match="another ingest"):
            engine.ingest_links([url, site.url("/news/lighthouse")], wait=False)
    finally:
        other.store.lock.release()
    assert stored.read_bytes() == before
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # the lighthouse was not left behind
    assert engine.ingest_links([url]).updated == (doc_id,)


# ---- addresses -------------------------------------------------------------------------------

def test_loopback_is_refused_without_the_setting_before_any_request(site, embedder, tmp_path):
    engine = open_engine(embedder, tmp_path / "home")
    url = site.url("/news/ferry-suspended")
    [(skipped, reason)] = engine.ingest_links([url]).skipped
    assert skipped == url
    assert reason == ("127.0.0.1 is a private or loopback address (127.0.0.1), which is not fetched; "
                      "set DOSSIER_ALLOW_PRIVATE_URLS=true to fetch from the local network")
    assert site.requests == [] and engine.is_empty()


def test_every_redirect_is_checked_again(site, local_network, embedder, tmp_path):
    site.routes.update({
        "/go/metadata": Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/go/file": Response(301, headers={"Location": "file:///etc/passwd"}),
        "/go/story": Response(301, headers={"Location": "/news/lighthouse"}),
    })
    engine = open_engine(embedder, tmp_path / "home")
    report = engine.ingest_links([site.url("/go/metadata"), site.url("/go/file"), site.url("/go/story")])
    assert dict(report.skipped) == {
        site.url("/go/metadata"): "169.254.169.254 is a link-local address (169.254.169.254), which is not fetched",
        site.url("/go/file"): "only http and https links can be fetched, not 'file'",
    }
    [document] = engine.sources()
    # The article is known by where it was found: the redirect's target.
    assert report.added == (document.doc_id,) and document.url == site.url("/news/lighthouse")
    assert site.requests == ["/go/metadata", "/go/file", "/go/story", "/news/lighthouse"]


@pytest.mark.parametrize("address,allowed,refused", [
    ("127.0.0.1", True, "a private or loopback address"),
    ("10.20.30.40", True, "a private or loopback address"),
    ("192.168.1.1", True, "a private or loopback address"),
    ("100.64.0.7", True, "a private or loopback address"),
    ("::1", True, "a private or loopback address"),
    ("::ffff:10.0.0.1", True, "a private or loopback address"),
    ("169.254.169.254", False, "a link-local address"),
    ("fe80::1", False, "a link-local address"),
    ("224.0.0.251", False, "a multicast address"),
    ("93.184.216.34", True, None),
    ("2606:4700:4700::1111", True, None),
])
def test_address_rules(address, allowed, refused):
    assert refusal(address, allow_private=False) == refused
    assert (refusal(address, allow_private=True) is None) == allowed
    if refused:
        with pytest.raises(FetchRefused, match=refused):
            resolve(address, 80, allow_private=False)  # a literal address resolves without DNS


def test_links_with_credentials_or_other_schemes_are_refused_unsent(site):
    limits = FetchLimits(timeout=5, max_bytes=1000, max_redirects=1, allow_private=True)
    for url, reason in [(f"http://user:secret@127.0.0.1:{site.port}/news/lighthouse",
                         "links with a user name or password are not fetched"),
                        ("ftp://127.0.0.1/file.html", "only http and https links can be fetched, not 'ftp'"),
                        ("http:///path-only", "the link names no host"),
                        ("http://127.0.0.1:99999/", "the link's port is not a number from 0 to 65535")]:
        with pytest.raises(FetchRefused) as refused:
            fetch(url, limits, "page")
        assert str(refused.value) == reason
    assert site.requests == []


def test_https_checks_the_certificate_against_the_host_not_the_address(tls_site, monkeypatch):
    site, cert = tls_site
    limits = FetchLimits(timeout=10, max_bytes=1_000_000, max_redirects=0, allow_private=True)
    url = f"https://localhost:{site.port}/news/lighthouse"
    with pytest.raises(FetchRefused, match=r"secure connection failed \(CERTIFICATE_VERIFY_FAILED\)"):
        fetch(url, limits, "page")  # self-signed: not trusted
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted from here on, as a company CA would be
    fetched = fetch(url, limits, "page")
    assert fetched.url == url and fetched.media_type == "text/html" and b"Kessvik" in fetched.body
    # The connection goes to the checked address, but the certificate must still name the host.
    with pytest.raises(FetchRefused, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://127.0.0.1:{site.port}/news/lighthouse", limits, "page")


def test_a_pasted_link_with_spaces_and_accents_is_escaped(site, local_network):
    site.page("/news/caf%C3%A9%20opens", *LIGHTHOUSE)
    limits = FetchLimits(timeout=5, max_bytes=1_000_000, max_redirects=0, allow_private=True)
    fetched = fetch(site.url("/news/café opens#top"), limits, "page")
    assert fetched.url == site.url("/news/caf%C3%A9%20opens") and site.requests == ["/news/caf%C3%A9%20opens"]


# ---- feeds -----------------------------------------------------------------------------------

def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed: (guid, path, description) per item, links relative to the site."""
    entries = "".join(f"<item><title>Story {guid}</title><link>{path}</link><guid isPermaLink=\"false\">{guid}</guid>"
                      f"<description>{html.escape(description)}</description></item>"
                      for guid, path, description in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{SITE_NAME}</title>'
            f"<link>/</link>{entries}</channel></rss>").encode("utf-8")


def story(n: int, extra: str = "") -> tuple[str, list[str]]:
    return (f"Harbour report number {n} on the quay repairs", [
        f"The harbour board published its report number {n} on the quay repairs on Monday, listing the work done "
        f"on berth {n} and the cost of the new fenders.",
        f"Engineers said berth {n} would reopen to fishing boats within {n + 2} weeks if the weather held.",
        f"The board's chair, Sigrid Aune, said the repairs on berth {n} were on budget. {extra}".strip(),
    ])


def test_a_feed_ingests_new_and_changed_items_only(site, local_network, embedder, tmp_path, monkeypatch, capsys):
    items = [(f"item-{n}", f"/news/report-{n}", f"Report {n}") for n in (1, 2, 3)]
    for n in (1, 2, 3):
        site.page(f"/news/report-{n}", *story(n))
    site.routes["/feed.xml"] = Response(body=rss(items), headers={"Content-Type": "application/rss+xml"})
    home = tmp_path / "home"
    first = open_engine(embedder, home).ingest_feed(site.url("/feed.xml"))
    assert len(first.added) == 3 and first.skipped == ()
    ids = {Path(m.path).stem: m for m in open_engine(embedder, home).sources()}
    assert {m.url for m in ids.values()} == {site.url(f"/news/report-{n}") for n in (1, 2, 3)}

    site.requests.clear()
    again = open_engine(embedder, home).ingest_feed(site.url("/feed.xml"))
    assert (again.added, again.updated, again.unchanged, again.skipped) == ((), (), (), ())
    assert site.requests == ["/feed.xml"]  # nothing new: no page fetched

    # One item is added and one is edited (its summary and its article), the other two stay.
    site.page("/news/report-4", *story(4))
    title, paragraphs = story(2, extra="A second inspection found cracks in the old concrete.")
    site.page("/news/report-2", title, paragraphs)
    items[1] = ("item-2", "/news/report-2", "Report 2, updated after a second inspection")
    site.routes["/feed.xml"] = Response(body=rss(items + [("item-4", "/news/report-4", "Report 4")]),
                                        headers={"Content-Type": "application/rss+xml"})
    site.requests.clear()
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    assert main(["ingest", "--json", "--feed", site.url("/feed.xml")]) == 0  # a new process, as cron runs it
    report = json.loads(capsys.readouterr().out)
    [added], [updated] = report["added"], report["updated"]
    assert added.startswith("report-4-") and updated == next(d for d in ids if d.startswith("report-2-"))
    assert report["unchanged"] == [] and report["skipped"] == []
    assert sorted(site.requests) == ["/feed.xml", "/news/report-2", "/news/report-4"]

    engine = open_engine(embedder, home)
    assert len(engine.sources()) == 4
    answer = engine.ask("What did the second inspection of berth 2 find?")
    assert any("cracks in the old concrete" in c.quote and c.url == site.url("/news/report-2")
               for c in answer.citations)
    assert_verbatim(answer.citations, engine)


def test_a_feed_item_whose_page_fails_is_retried_next_time(site, local_network, embedder, tmp_path):
    site.routes["/feed.xml"] = Response(body=rss([("a", "/news/lighthouse", "A"), ("b", "/news/later", "B")]),
                                        headers={"Content-Type": "application/rss+xml"})
    engine = open_engine(embedder, tmp_path / "home")
    first = engine.ingest_feed(site.url("/feed.xml"))
    assert len(first.added) == 1 and first.skipped == ((site.url("/news/later"), "HTTP 404 Not Found"),)
    site.page("/news/later", *FERRY)
    site.requests.clear()
    second = engine.ingest_feed(site.url("/feed.xml"))
    assert len(second.added) == 1 and second.skipped == () and len(engine.sources()) == 2
    assert site.requests == ["/feed.xml", "/news/later"]


def test_atom_feeds_and_documents_that_are_not_feeds():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Courier</title>
<link rel="self" href="https://news.example.org/atom.xml"/>
<entry><id>tag:news.example.org,2024:1</id><title>One</title>
  <link rel="self" href="/api/1"/><link href="/news/one"/><updated>2024-03-05T08:00:00Z</updated></entry>
<entry><id>tag:news.example.org,2024:2</id><title>Two</title>
  <link rel="alternate" type="text/html" href="https://other.example.net/two"/></entry>
<entry><id>tag:news.example.org,2024:3</id><title>Three, no link</title></entry>
</feed>"""
    items = parse_feed(atom, "https://news.example.org/atom.xml")
    assert [(i.key, i.link) for i in items] == [("tag:news.example.org,2024:1", "https://news.example.org/news/one"),
                                                ("tag:news.example.org,2024:2", "https://other.example.net/two")]
    edited = parse_feed(atom.replace(b"2024-03-05T08:00:00Z", b"2024-03-06T09:00:00Z"), "https://news.example.org/")
    assert items[0].digest != edited[0].digest and items[1].digest == edited[1].digest
    with pytest.raises(FetchRefused, match=r"not an RSS or Atom feed \(its root element is <html>\)"):
        parse_feed(b"<html><body>hello</body></html>", "https://news.example.org/")
    with pytest.raises(FetchRefused, match="the XML does not parse"):
        parse_feed(b"<rss><channel>", "https://news.example.org/")


def test_a_feed_that_cannot_be_read_fails_the_command(site, local_network, capsys):
    site.routes["/news.html"] = Response(body=HOMEPAGE.encode(), headers={"Content-Type": "text/html"})
    assert main(["ingest", "--feed", site.url("/news.html")]) == 1
    captured = capsys.readouterr()
    assert f"skipped {site.url('/news.html')}: not an RSS or Atom feed (content type text/html)" in captured.out
    assert captured.err == "dossier: error: 1 path(s) could not be ingested (reasons above)\n"


# ---- the command line ------------------------------------------------------------------------

def test_dossier_ingest_mixes_links_and_paths_and_exits_1_when_one_fails(site, local_network, tmp_path, capsys):
    seed = next(iter(sorted(SEEDS_DIR.glob("*.txt"))))
    site.routes["/files/timetable.pdf"] = Response(body=b"%PDF", headers={"Content-Type": "application/pdf"})
    site.routes["/"] = Response(body=HOMEPAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    links = [site.url("/news/ferry-suspended"), site.url("/files/timetable.pdf"), site.url("/")]
    assert main(["ingest", links[0], str(seed), links[1], links[2]]) == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[:2] == ["added 2, updated 0, unchanged 0, skipped 2",
                       f"skipped {links[1]}: not an HTML page (content type application/pdf)"]
    assert out[2].startswith(f"skipped {links[2]}: no article found on the page (") and len(out) == 3
    assert captured.err == "dossier: error: 2 path(s) could not be ingested (reasons above)\n"
    assert main(["ingest", links[0]]) == 0
    assert capsys.readouterr().out == "added 0, updated 0, unchanged 1, skipped 0\n"
    assert main(["sources"]) == 0
    assert links[0] in capsys.readouterr().out


# ---- the header the parser reads -----------------------------------------------------------------

def test_the_article_header_is_read_only_at_the_top(tmp_path):
    text = ("Title: Quay repairs on budget\nOutlet: Yahoo! News\nAuthor: Sigrid Aune\nDate: 2024-03-05\n"
            "URL: https://news.example.org/quay\n\nQuay repairs\n"
            "The board said the repairs were on budget.\nAuthor: a word that opens a line of the text.\n")
    document = parse_article(tmp_path / "quay.txt", text, "0" * 64)
    meta = document.meta
    assert (meta.title, meta.title_derived, meta.outlet, meta.byline, meta.date, meta.url) == (
        "Quay repairs on budget", False, "Yahoo! News", "Sigrid Aune", "2024-03-05", "https://news.example.org/quay")
    assert [s.text for s in document.sentences] == ["The board said the repairs were on budget.",
                                                    "Author: a word that opens a line of the text."]
    # A blank line ends the header: a field-like first line of the text is text.
    after_blank = parse_article(tmp_path / "b.txt", "Title: Budget\n\nAuthor: the board, which met on Monday.\n", "0" * 64)
    assert after_blank.meta.byline is None and after_blank.meta.title == "Budget"
    assert [s.text for s in after_blank.sentences] == ["Author: the board, which met on Monday."]


# ---- Discord: /ingest url: -------------------------------------------------------------------

@pytest.mark.asyncio
async def test_discord_ingest_url_for_managers(site, local_network, embedder, tmp_path, make_cog):
    engine = open_engine(embedder, tmp_path / "store")
    cog = make_cog(engine)
    url = site.url("/news/lighthouse")

    outsider = FakeInteraction(manage_guild=False)
    await AskCog.ingest.callback(cog, outsider, url=url)
    assert [k["content"] for k in outsider.sent()] == [NOT_A_MANAGER] and site.requests == []

    for file, link in ((None, None), (FakeAttachment("a.txt", b"text"), url)):
        unclear = FakeInteraction(manage_guild=True)
        await AskCog.ingest.callback(cog, unclear, file, link)
        assert [k["content"] for k in unclear.sent()] == [ONE_SOURCE] and site.requests == []

    manager = FakeInteraction(manage_guild=True)
    await AskCog.ingest.callback(cog, manager, url=url)
    assert manager.calls[0] == ("defer", {"thinking": True, "ephemeral": True})
    [document] = engine.sources()
    assert manager.sent()[0]["content"] == f"Added 1, updated 0, unchanged 0, skipped 0.\nadded: {document.doc_id}"
    assert manager.sent()[0]["ephemeral"] is True and document.url == url
    assert_no_pings(manager)

    question = FakeInteraction()
    await AskCog.ask.callback(cog, question, "Who led the restoration of the Kessvik lighthouse lens?")
    [embed] = question.sent()[0]["embeds"]
    assert any(url in field.value for field in embed.fields)

    refused = FakeInteraction(manage_guild=True)
    await AskCog.ingest.callback(cog, refused, url=site.url("/nothing-here"))
    assert refused.sent()[0]["content"] == ("Added 0, updated 0, unchanged 0, skipped 1.\n"
                                            f"skipped <{site.url('/nothing-here')}>: HTTP 404 Not Found")
    assert len(engine.sources()) == 1
