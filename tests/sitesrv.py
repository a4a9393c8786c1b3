"""A small threaded HTTP server that serves a fixture web site on 127.0.0.1 for crawl tests.

``FixtureSite(root)`` serves the static files under ``root`` on a random free port, in a
background thread, and records every request path so tests can assert what a crawler fetched
(and what it never fetched). Dynamic endpoints (a WordPress REST API, a page that sleeps, a
generated 3 MB page) are plain functions registered by path prefix.

URL → file rules (``resolve``):

* ``/a/b/`` → ``a/b/index.html`` (then ``index.xml``, ``index.json``, ``index.txt``).
* ``/a/b`` → ``a/b`` if that file exists, else ``a/b.html``; a directory ``a/b/`` with an index
  answers ``301`` to ``/a/b/`` (as WordPress and most servers do).
* **Query rule**: ``/a/b?QUERY`` is looked up first as the file for ``/a/b`` with ``__QUERY``
  inserted before its extension, QUERY exactly as sent (``/indeks?page=2`` →
  ``indeks__page=2.html``; ``/kategori/?page=2`` → ``kategori/index__page=2.html``). When no
  such file exists the query is ignored and the bare path's file is served, as a real site
  ignores ``?utm_source=...``.
* A sidecar ``<file>.headers`` (JSON object) overrides response headers; its optional key
  ``"status"`` sets the status code (``{"status": 301, "Location": "/x/"}``, ``{"status":
  500}``, ``{"Content-Type": "text/html; charset=iso-8859-1"}``). Sidecars are never served.
* Content-Type by extension: ``.html`` → ``text/html; charset=utf-8``, ``.xml`` →
  ``application/xml``, ``.json`` → ``application/json``, ``.txt`` → ``text/plain;
  charset=utf-8``, ``.pdf`` → ``application/pdf``; anything else
  ``application/octet-stream``. A missing file is a ``404`` with a small HTML body.

**Placeholder rule**: in every textual response (Content-Type ``text/*``, ``*xml*``,
``*json*``) and in every header value, the bytes ``{{BASE}}`` are replaced by the server's base
URL (``http://127.0.0.1:PORT``, no trailing slash), so committed robots.txt, sitemaps, feeds,
canonical links and redirects can carry absolute URLs although the port is only known at run
time. This also applies to what handlers return.

Handlers: ``handlers={"/wp-json/wp/v2/": fn}`` where ``fn(path, query) -> (status, headers,
body)``; ``path`` is the URL path without the query, ``query`` a ``dict[str, str]`` (last value
wins). The longest matching prefix wins; handlers take precedence over static files.

Delays: ``delay`` seconds before every response, ``path_delays={"/lambat": 20}`` per path prefix
(longest match). Both are plain attributes and may be changed while the server runs. Sleeps
end early when the server stops, so a 20 s page never holds up teardown.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_PLACEHOLDER = b"{{BASE}}"

Handler = Callable[[str, dict[str, str]], tuple[int, Mapping[str, str], bytes]]

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
INDEX_NAMES = ("index.html", "index.xml", "index.json", "index.txt")
SIDECAR_SUFFIX = ".headers"
NOT_FOUND_BODY = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>404 Tidak Ditemukan</title>"
    b"</head><body><h1>404</h1><p>Halaman tidak ditemukan.</p></body></html>"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str  # path including the query string, as sent
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)


@dataclass(frozen=True)
class Resolved:
    """What ``resolve`` decided to answer for a request path."""

    status: int
    file: Path | None = None
    location: str | None = None  # for the directory redirect


def is_textual(content_type: str) -> bool:
    ctype = content_type.lower()
    return ctype.startswith("text/") or "xml" in ctype or "json" in ctype


def _with_query_suffix(file: Path, query: str) -> Path:
    if file.suffix:
        return file.with_name(f"{file.stem}__{query}{file.suffix}")
    return file.with_name(f"{file.name}__{query}")


def resolve(root: Path, raw_path: str) -> Resolved:
    """Map a request path (with optional query) to a file under ``root``; see module doc."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path) or "/"
    rel = path.lstrip("/")
    if ".." in Path(rel).parts or rel.endswith(SIDECAR_SUFFIX):
        return Resolved(404)
    target = root / rel if rel else root

    candidates: list[Path] = []
    if path.endswith("/"):
        candidates = [target / name for name in INDEX_NAMES]
    else:
        candidates = [target, target.with_name(target.name + ".html")]

    for candidate in candidates:
        if parts.query:
            with_query = _with_query_suffix(candidate, parts.query)
            if with_query.is_file():
                return Resolved(200, file=with_query)
        if candidate.is_file():
            return Resolved(200, file=candidate)

    if not path.endswith("/") and target.is_dir():
        if any((target / name).is_file() for name in INDEX_NAMES):
            location = parts.path + "/" + (f"?{parts.query}" if parts.query else "")
            return Resolved(301, location=location)
    return Resolved(404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler sleeping 20 s must not hold up shutdown
    allow_reuse_address = True
    site: FixtureSite


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "PantauFixture/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        site = self.server.site
        site._record(RequestRecord(self.command, self.path, dict(self.headers.items())))
        site._sleep_for(urlsplit(self.path).path)
        status, headers, body = site._answer(self.path)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout or a size cap in the crawler); that is the point.
            self.close_connection = True


class FixtureSite:
    """Serve ``root`` on ``http://127.0.0.1:<free port>`` while used as a context manager."""

    def __init__(
        self,
        root: Path | str,
        *,
        handlers: Mapping[str, Handler] | None = None,
        delay: float = 0.0,
        path_delays: Mapping[str, float] | None = None,
    ) -> None:
        self.root = Path(root)
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.delay = delay
        self.path_delays: dict[str, float] = dict(path_delays or {})
        self.expected: dict | None = None  # set by the pytest plugin for committed sites
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FixtureSite:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _RequestHandler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns at once
            name=f"FixtureSite:{self.root.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what tests use ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FixtureSite is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + (path if path.startswith("/") else "/" + path)

    @property
    def requests(self) -> list[str]:
        """Request paths (with query) in the order they arrived; a copy."""
        with self._lock:
            return [record.path for record in self._log]

    @property
    def request_log(self) -> list[RequestRecord]:
        """Method, path and headers of every request; a copy."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def count(self, path_prefix: str) -> int:
        """How many requests had a path (with query) starting with ``path_prefix``."""
        return sum(1 for path in self.requests if path.startswith(path_prefix))

    # -- internals -----------------------------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)

    def _sleep_for(self, path: str) -> None:
        seconds = self.delay + _longest_prefix_value(self.path_delays, path, 0.0)
        if seconds > 0:
            self._stopping.wait(seconds)

    def _answer(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        handler = _longest_prefix_value(self.handlers, parts.path, None)
        if handler is not None:
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            try:
                status, headers, body = handler(parts.path, query)
            except Exception as exc:  # a broken fixture handler must show up, not hang a test
                message = f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")
                return 500, {"Content-Type": "text/plain; charset=utf-8"}, message
            headers = dict(headers)
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = "text/html; charset=utf-8"
        else:
            status, headers, body = self._static(raw_path)
        return status, self._substitute_headers(headers), self._substitute_body(headers, body)

    def _static(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        found = resolve(self.root, raw_path)
        if found.status == 301:
            return 301, {"Location": found.location or "/", "Content-Type": "text/html"}, b""
        if found.file is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND_BODY
        status = 200
        headers = {
            "Content-Type": CONTENT_TYPES.get(found.file.suffix.lower(), "application/octet-stream")
        }
        sidecar = found.file.with_name(found.file.name + SIDECAR_SUFFIX)
        if sidecar.is_file():
            overrides = json.loads(sidecar.read_text(encoding="utf-8"))
            status = int(overrides.pop("status", status))
            headers.update({name: str(value) for name, value in overrides.items()})
        return status, headers, found.file.read_bytes()

    def _substitute_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        base = self.url
        return {name: value.replace("{{BASE}}", base) for name, value in headers.items()}

    def _substitute_body(self, headers: Mapping[str, str], body: bytes) -> bytes:
        content_type = next(
            (value for name, value in headers.items() if name.lower() == "content-type"), ""
        )
        if BASE_PLACEHOLDER in body and is_textual(content_type):
            return body.replace(BASE_PLACEHOLDER, self.url.encode("ascii"))
        return body


def _longest_prefix_value(table: Mapping[str, object], path: str, default):
    best = None
    for prefix in table:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return default if best is None else table[best]
