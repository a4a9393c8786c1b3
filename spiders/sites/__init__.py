"""Site profiles: how to read one news site.

The generic :class:`~spiders.sites.base.Site` reads any WordPress or portal site with the
discovery and extraction rules of :mod:`spiders.discovery` and :mod:`spiders.extract`, tuned only
by the ``selectors`` a source may set in the sources file. A site that needs more gets one small
subclass in this package, registered for its host with :func:`register`; the news spider never
branches on a site's name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from spiders.sites.base import Site

_REGISTRY: dict[str, type[Site]] = {}


def register(cls: type[Site]) -> type[Site]:
    """Class decorator: use ``cls`` for every source whose URL is on one of ``cls.hosts``."""
    for host in cls.hosts:
        _REGISTRY[host.lower().removeprefix("www.")] = cls
    return cls


def site_for(url: str, selectors: dict[str, str] | None = None) -> Site:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return _REGISTRY.get(host, Site)(selectors or {})


__all__ = ["Site", "register", "site_for"]
