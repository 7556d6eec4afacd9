"""Fetching one link or feed over HTTP(S), within limits, never into the local network.

Each hop (the link and every redirect) is checked before anything is sent: the scheme is
http or https, the host resolves, and none of its addresses is private, loopback or
otherwise not global (unless DOSSIER_ALLOW_PRIVATE_URLS allows those), link-local or
multicast (never).
The connection then goes to an address that was checked, so a second DNS answer cannot
swap in another (DNS rebinding). Proxies from the environment are not used: a proxy would
fetch the link from somewhere else, past the check.

The whole fetch, redirects included, has one deadline (DOSSIER_FETCH_TIMEOUT); the body is
read in pieces and dropped as soon as it passes DOSSIER_FETCH_MAX_BYTES (a Content-Length
that says so is refused before reading). Every refusal is a FetchRefused with one line.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from typing import Literal, Optional
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from .errors import FetchRefused

Kind = Literal["page", "feed"]
USER_AGENT = "Dossier/0.1 (news article ingest)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = ("text/html", "application/xhtml+xml")
READ_PIECE = 65536
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# What may stay unescaped in a path or query (RFC 3986's reserved and unreserved characters,
# and % for what is escaped already); a space or a non-ASCII letter a user pasted is escaped.
_URL_SAFE = "/?&=;:@!$'()*+,-._~%"
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.8",
}


@dataclass(frozen=True)
class FetchLimits:
    timeout: float
    max_bytes: int
    max_redirects: int
    allow_private: bool

    @classmethod
    def from_settings(cls, settings) -> "FetchLimits":
        return cls(timeout=settings.fetch_timeout, max_bytes=settings.fetch_max_bytes,
                   max_redirects=settings.fetch_max_redirects, allow_private=settings.allow_private_urls)


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects (without a #fragment)
    media_type: str  # lower case, without parameters
    charset: Optional[str]
    body: bytes


def is_link(source: str) -> bool:
    """Whether a command-line source names a link rather than a file (``scheme://...``)."""
    return _SCHEME.match(source) is not None


def fetch(url: str, limits: FetchLimits, kind: Kind) -> Fetched:
    """The body of ``url`` (an HTML page or an RSS/Atom feed), or FetchRefused with the reason."""
    deadline = time.monotonic() + limits.timeout
    current = _checked_url(url)
    for _ in range(limits.max_redirects + 1):
        try:
            location = _get(current, limits, kind, deadline)
        except TimeoutError:
            raise FetchRefused(f"timed out after {limits.timeout:g} s (DOSSIER_FETCH_TIMEOUT)") from None
        except ssl.SSLError as error:
            raise FetchRefused(f"secure connection failed ({error.reason or error})") from None
        except http.client.HTTPException as error:
            raise FetchRefused(f"the server's answer is not valid HTTP ({type(error).__name__})") from None
        except OSError as error:
            raise FetchRefused(f"could not connect ({error.strerror or error})") from None
        if isinstance(location, Fetched):
            return location
        current = _checked_url(urljoin(current, location))
    raise FetchRefused(f"too many redirects (more than {limits.max_redirects}, DOSSIER_FETCH_MAX_REDIRECTS)")


def _checked_url(url: str) -> str:
    """``url`` without its fragment, when it is an http(s) link Dossier may fetch."""
    parts = urlsplit(url.strip())
    if not parts.scheme:
        raise FetchRefused("not a link: it does not start with http:// or https://")
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchRefused(f"only http and https links can be fetched, not {parts.scheme!r}")
    if not parts.hostname:
        raise FetchRefused("the link names no host")
    if parts.username is not None or parts.password is not None:
        # The link is stored with the article and shown in citations: no credentials in it.
        raise FetchRefused("links with a user name or password are not fetched")
    try:
        port = parts.port
    except ValueError:
        raise FetchRefused("the link's port is not a number from 0 to 65535") from None
    try:
        host = parts.hostname.encode("idna").decode("ascii")  # an international name, as DNS knows it
    except UnicodeError:
        raise FetchRefused(f"the host name {parts.hostname!r} is not valid") from None
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme.lower(), netloc, quote(parts.path or "/", safe=_URL_SAFE),
                       quote(parts.query, safe=_URL_SAFE), ""))


def refusal(address: str, allow_private: bool) -> Optional[str]:
    """Why no request may go to ``address``, or None.

    Link-local (169.254.0.0/16 holds the cloud metadata service, the first target of SSRF)
    and multicast addresses are refused even when private addresses are allowed: no news
    page is served from them. Private, loopback, shared (100.64.0.0/10), reserved and
    unspecified addresses, everything that is not global, need DOSSIER_ALLOW_PRIVATE_URLS."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if not ip.is_global and not allow_private:
        return "a private or loopback address"
    return None


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, when all of them may be fetched from."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"the host {host} could not be resolved") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        why = refusal(address, allow_private)
        if why is not None:
            hint = "" if allow_private or "private" not in why else (
                "; set DOSSIER_ALLOW_PRIVATE_URLS=true to fetch from the local network")
            raise FetchRefused(f"{host} is {why} ({address}), which is not fetched{hint}")
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to ``address`` that still names ``host`` (Host header)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against ``host`` (SNI too), not the address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _connect(url: str, limits: FetchLimits, deadline: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    host = parts.hostname or ""
    last: Optional[OSError] = None
    for address in resolve(host, port, limits.allow_private):
        connection = (_PinnedHTTPS if secure else _PinnedHTTP)(host, port, address, _remaining(deadline))
        try:
            connection.connect()
            return connection
        except (TimeoutError, ssl.SSLError):
            connection.close()
            raise
        except OSError as error:  # refused or unreachable: the host's next address, as browsers do
            connection.close()
            last = error
    raise last or OSError(f"no address for {host}")


def _get(url: str, limits: FetchLimits, kind: Kind, deadline: float) -> "Fetched | str":
    """The fetched body, or the Location a redirect points to."""
    connection = _connect(url, limits, deadline)
    try:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": ACCEPT[kind],
                                                   "Accept-Encoding": "gzip, identity"})
        sock = connection.sock  # kept: for a response that ends with the connection, http.client lets go of it
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location")
            if not location:
                raise FetchRefused(f"HTTP {response.status} redirect without a Location")
            return location
        if not 200 <= response.status < 300:
            raise FetchRefused(f"HTTP {response.status} {response.reason}".rstrip())
        media_type, charset = _content_type(response, kind)
        return Fetched(url=url, media_type=media_type, charset=charset, body=_body(response, sock, limits, deadline))
    finally:
        connection.close()


def _content_type(response: http.client.HTTPResponse, kind: Kind) -> tuple[str, Optional[str]]:
    header = response.getheader("Content-Type") or ""
    media_type = header.split(";", 1)[0].strip().lower()
    charset = response.msg.get_content_charset() if header else None
    if kind == "page" and media_type not in PAGE_TYPES:
        raise FetchRefused(f"not an HTML page (content type {media_type or 'not given'})")
    if kind == "feed" and not (media_type.endswith("/xml") or media_type.endswith("+xml")):
        raise FetchRefused(f"not an RSS or Atom feed (content type {media_type or 'not given'})")
    return media_type, charset


def _too_large(limits: FetchLimits, size: Optional[int] = None) -> FetchRefused:
    said = f"{size:,} bytes" if size is not None else f"more than {limits.max_bytes:,} bytes"
    return FetchRefused(f"too large ({said}; the limit is {limits.max_bytes:,}, see DOSSIER_FETCH_MAX_BYTES)")


def _body(response: http.client.HTTPResponse, sock: Optional[socket.socket], limits: FetchLimits,
          deadline: float) -> bytes:
    """Read in pieces, each within the time left; a gzip body is unpacked as it comes, to the
    same limit (a small download can unpack to gigabytes)."""
    declared = response.getheader("Content-Length")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise FetchRefused(f"the server sent a {encoding}-encoded body, which is not supported")
    if encoding == "identity" and declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(limits, int(declared))
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding != "identity" else None
    pieces: list[bytes] = []
    size = 0
    while True:
        if sock is not None:
            sock.settimeout(_remaining(deadline))
        piece = response.read1(READ_PIECE)
        if not piece:
            break
        if unpack is not None:
            piece = unpack.decompress(piece, limits.max_bytes + 1 - size)
            if unpack.unconsumed_tail:
                raise _too_large(limits)
        size += len(piece)
        if size > limits.max_bytes:
            raise _too_large(limits)
        pieces.append(piece)
        _remaining(deadline)
    return b"".join(pieces)
