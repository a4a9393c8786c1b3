"""Serve several fixture host names (an outlet and its channel subdomains) on 127.0.0.1.

A server on 127.0.0.1 has no subdomains: nothing resolves ``daerah.kabarselatan.test`` to it
offline. So :class:`VirtualHosts` is an HTTP forward proxy instead: a crawler run with
``http_proxy=http://127.0.0.1:PORT`` sends ``GET http://daerah.kabarselatan.test/path`` to it,
and it answers from ``root/daerah.kabarselatan.test/path`` with the URL → file rules of
:mod:`tests.sitesrv` (query files, ``.headers`` sidecars, content types). Scrapy's own
``HttpProxyMiddleware`` reads ``http_proxy``, so the crawl is the real one; the ``.test`` top-level
domain is reserved, so a crawler that ignored the proxy would fail to resolve, never reach the
internet. The request log holds absolute URLs (``http://host/path?query``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.sitesrv import NOT_FOUND_BODY, FixtureSite


class VirtualHosts(FixtureSite):
    """``root/<host name>/`` is the document root of each host; unknown hosts get a 502."""

    def __init__(self, root: Path | str, **options) -> None:
        super().__init__(root, **options)
        self._hosts: dict[str, FixtureSite] = {}

    @property
    def hosts(self) -> list[str]:
        return sorted(path.name for path in self.root.iterdir() if path.is_dir())

    def proxy_env(self, env: dict[str, str]) -> dict[str, str]:
        """``env`` with every plain-HTTP request sent through this server."""
        env = {key: value for key, value in env.items() if key.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
        env["http_proxy"] = self.url
        return env

    def requested_hosts(self) -> set[str]:
        return {urlsplit(path).hostname or "" for path in self.requests}

    def _static(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        host = (parts.hostname or "").lower()
        if not host or os.sep in host or host not in self.hosts:
            return 502, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND_BODY
        site = self._hosts.setdefault(host, FixtureSite(self.root / host))
        return site._static(urlunsplit(("", "", parts.path or "/", parts.query, "")))
