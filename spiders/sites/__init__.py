"""Site profiles: how to read one news site.

The generic :class:`~spiders.sites.base.Site` reads any WordPress or portal site with the
discovery and extraction rules of :mod:`spiders.discovery` and :mod:`spiders.extract`, tuned only
by the ``selectors`` a source may set in the sources file. A site that needs more gets one small
subclass in this package — the news spider never branches on a site's name.

Adding a profile (docs/site-profiles.md has the whole recipe):

1. copy ``spiders/sites/lintastengger.py`` to ``spiders/sites/<name>.py``: a ``Site`` subclass with
   the site's ``hosts``, its selectors as class constants and one overridden hook per field the
   generic rules get wrong, and a docstring saying why they cannot get it right;
2. add the class to :data:`PROFILES` below (the one list of every profile);
3. copy ``tests/fixtures/sites/profiles/lintastengger/`` to ``…/profiles/<name>/``: a page we
   wrote in the site's layout plus its expected JSON. ``tests/test_site_profiles.py`` runs it
   and fails for a profile without fixtures.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from spiders.sites.base import Site
from spiders.sites.lintastengger import LintasTengger

# Every site profile, explicitly: a profile not listed here is never used.
PROFILES: tuple[type[Site], ...] = (
    LintasTengger,
)

_REGISTRY: dict[str, type[Site]] = {}


def _host(value: str) -> str:
    return value.lower().removeprefix("www.")


def register(cls: type[Site]) -> type[Site]:
    """Use ``cls`` for every source whose URL is on one of ``cls.hosts``; a host claimed by two
    profiles is an error naming both."""
    for host in cls.hosts:
        other = _REGISTRY.get(_host(host))
        if other is not None and other is not cls:
            raise ValueError(f"site profiles {other.__name__} and {cls.__name__} both claim host {host!r}")
        _REGISTRY[_host(host)] = cls
    return cls


for _profile in PROFILES:
    register(_profile)


def site_for(url: str, selectors: dict[str, str] | None = None) -> Site:
    return _REGISTRY.get(_host(urlsplit(url).hostname or ""), Site)(selectors or {})


__all__ = ["PROFILES", "Site", "register", "site_for"]
