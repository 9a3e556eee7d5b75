"""hearth's own feed downloader: bounded in time, bytes, redirects and where it may connect.

feedparser's built-in downloader has no timeout and reads (and gunzips) a whole body, so
feeds are fetched here and only the capped bytes are handed to the parser.

- http and https only; at most `max_redirects` hops, each re-checked;
- the host is resolved once and every address checked: loopback, private, link-local and
  other non-global addresses are refused (SSRF) unless `feeds.allow_private_addresses`;
  the connection then goes to the checked address (the Host header and TLS SNI keep the
  name), so a DNS answer cannot change between the check and the connect;
- one deadline covers connect, redirects and the whole body;
- the body is streamed: `max_bytes` on the wire and `max_decoded_bytes` after gzip or
  deflate, decoded here with a cap so a compression bomb never inflates in memory; a body
  over either cap raises `FeedTooLarge`, which carries what was read up to the cap so the
  caller can still use the feed's first items;
- conditional GET with the feed's last ETag and Last-Modified.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from agent.config.schedule import FeedsSection
from agent.errors import FeedRejected, FeedTooLarge

if TYPE_CHECKING:
    # Imported where a fetch begins: an idle daemon with no feed due never loads httpx.
    import httpx

__all__ = ["FeedFetcher", "FeedRejected", "FeedTooLarge", "FetchResult"]

log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _CapReached(Exception):
    """A cap was met while reading; the message says which."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One feed download. ``body`` is decoded bytes, empty when not modified (304)."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """The server said the feed has not changed since the validators we sent."""
        return self.status == 304


def _address_allowed(address: str, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_private:
        return not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


class _Decoder:
    """Incremental gzip/deflate/identity decoding with a cap on the decoded size."""

    def __init__(self, encoding: str, cap: int) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise FeedRejected(f"stacked content encodings {encoding!r} are not accepted")
        coding = codings[0] if codings else ""
        if coding in ("gzip", "x-gzip"):
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            # 32 + MAX_WBITS accepts a zlib or gzip header, which servers use for "deflate".
            self._z = zlib.decompressobj(32 + zlib.MAX_WBITS)
        elif coding == "":
            self._z = None
        else:
            raise FeedRejected(f"content encoding {coding!r} is not accepted")
        self._cap = cap
        self._parts: list[bytes] = []
        self._size = 0

    def _add(self, data: bytes) -> None:
        room = self._cap - self._size
        self._parts.append(data[:room])
        self._size += min(len(data), room)
        if len(data) > room:
            raise _CapReached(f"feed is over the {self._cap}-byte cap once decoded")

    def feed(self, chunk: bytes) -> None:
        if self._z is None:
            self._add(chunk)
            return
        try:
            # max_length bounds what one chunk may inflate to (a bomb stops here).
            self._add(self._z.decompress(chunk, self._cap - self._size + 1))
        except zlib.error as exc:
            raise FeedRejected(f"corrupt compressed body: {exc}") from exc
        if self._z.unconsumed_tail:
            raise _CapReached(f"feed is over the {self._cap}-byte cap once decoded")

    def head(self) -> bytes:
        """What has been decoded so far (at most the cap)."""
        return b"".join(self._parts)

    def finish(self) -> bytes:
        if self._z is not None:
            try:
                self._add(self._z.flush())
            except zlib.error as exc:
                raise FeedRejected(f"corrupt compressed body: {exc}") from exc
            if not self._z.eof:
                raise FeedRejected("compressed body ends early")
        return b"".join(self._parts)


class FeedFetcher:
    """Downloads feeds under the limits of a `FeedsSection`. One per `fetch_all` run."""

    def __init__(self, config: FeedsSection, *, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        import httpx

        self.config = config
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout),
            follow_redirects=False,  # each hop is re-checked below
            transport=transport,
            trust_env=False,  # proxies from the environment would bypass the address check
            headers={"User-Agent": config.user_agent},
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def __aenter__(self) -> FeedFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None) -> FetchResult:
        """Download `url`; raises FeedRejected for anything unusable."""
        try:
            async with asyncio.timeout(self.config.timeout):
                return await self._fetch(url, etag, last_modified)
        except TimeoutError as exc:
            raise FeedRejected(f"no complete answer within {self.config.timeout:g} s") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        current = url
        for _hop in range(self.config.max_redirects + 1):
            response = await self._send(current, etag, last_modified)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                return await self._result(current, response)
            finally:
                await response.aclose()
        raise FeedRejected(f"more than {self.config.max_redirects} redirects")

    async def _send(self, url: str, etag: str | None, last_modified: str | None
                    ) -> httpx.Response:
        """Connect to the first checked address that answers (IPv6 may be broken locally)."""
        import httpx

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedRejected(f"only http(s) URLs are fetched, not {parts.scheme or url!r}")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = await self._resolve(host, port)
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "Accept-Encoding": "gzip, deflate",
                   "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                             "text/xml;q=0.9, */*;q=0.1"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        failure: httpx.HTTPError | None = None
        for address in addresses:
            # The connection goes to the address just checked; Host and SNI keep the name.
            request = self._client.build_request(
                "GET", httpx.URL(url).copy_with(host=address), headers=headers,
                extensions={"sni_hostname": host})
            try:
                return await self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                failure = exc
            except httpx.HTTPError as exc:
                raise FeedRejected(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        raise FeedRejected(f"ConnectError: {failure}".rstrip(": ")) from failure

    async def _resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FeedRejected(f"cannot resolve {host!r}: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        if not addresses:
            raise FeedRejected(f"{host!r} has no address")
        refused = [a for a in addresses
                   if not _address_allowed(a, self.config.allow_private_addresses)]
        if refused:
            raise FeedRejected(f"{host!r} resolves to a non-public address ({refused[0]}); "
                               "set feeds.allow_private_addresses to allow it")
        return list(dict.fromkeys(addresses))

    async def _result(self, url: str, response: httpx.Response) -> FetchResult:
        import httpx

        status = response.status_code
        headers = response.headers
        if status == 304:
            return FetchResult(url, 304, b"", None, headers.get("etag"),
                               headers.get("last-modified"))
        if status != 200:
            raise FeedRejected(f"HTTP {status}", status=status)
        cap = self.config.max_bytes
        declared = headers.get("content-length", "")
        # A declared size over the cap is still read up to the cap: its first items count.
        over = (f"feed is {declared} bytes, over the {cap} cap"
                if declared.isdigit() and int(declared) > cap else f"feed is over the {cap}-byte cap")
        decoder = _Decoder(headers.get("content-encoding", ""), self.config.max_decoded_bytes)
        received = 0
        try:
            async for chunk in response.aiter_raw():
                room = cap - received
                received += len(chunk)
                if received > cap:
                    decoder.feed(chunk[:room])
                    raise _CapReached(over)
                decoder.feed(chunk)
            body = decoder.finish()
        except _CapReached as exc:
            partial = FetchResult(url, status, decoder.head(), headers.get("content-type"),
                                  headers.get("etag"), headers.get("last-modified"))
            raise FeedTooLarge(str(exc), partial) from None
        except httpx.HTTPError as exc:
            raise FeedRejected(f"{type(exc).__name__} while reading: {exc}") from exc
        return FetchResult(url, status, body, headers.get("content-type"),
                           headers.get("etag"), headers.get("last-modified"))
