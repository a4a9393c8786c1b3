"""What a spider is told about its source: one entry of the sources file, already validated.

``pantau.config`` reads and checks ``sources.yaml`` and builds these; spiders only read them.
Keeping the description here, below both, lets a spider take a :class:`Source` without knowing
where it came from (the sources file, ``pantau import``, a test) — spiders never import
``pantau`` (see docs/ARCHITECTURE.md). A spider given only a source *name* (``scrapy crawl news
-a source=NAME``) asks the loader registered in the Scrapy setting ``PANTAU_SOURCE_LOADER``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

DEFAULT_EVERY = timedelta(hours=1)
NEWS_KINDS = ("auto", "rss", "sitemap", "wordpress", "html")


@dataclass(frozen=True)
class Source:
    """One entry of the sources file."""

    name: str
    kind: str = "auto"  # auto|rss|sitemap|wordpress|html for news sites; x; feed
    url: str | None = None
    query: str | None = None
    api_base: str | None = None
    every: timedelta = DEFAULT_EVERY
    enabled: bool = True
    max_pages: int | None = None
    delay: float | None = None
    concurrency: int | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    social: bool = False
    max_posts: int | None = None  # X: most posts one crawl reads
    max_posts_per_month: int | None = None  # X: most posts read in a calendar month
    # News sites: False = only the URL's host and path prefix; True = every host of the URL's
    # registrable domain too (news.example.id, daerah.example.id); or those host names/suffixes.
    subdomains: bool | tuple[str, ...] = False

    @property
    def is_news(self) -> bool:
        return self.kind in NEWS_KINDS

    def as_spec(self) -> dict[str, Any]:
        """The mapping ``storage`` keeps for this source."""
        config = {
            "every_seconds": int(self.every.total_seconds()), "max_pages": self.max_pages,
            "delay": self.delay, "concurrency": self.concurrency, "selectors": self.selectors,
            "social": self.social, "api_base": self.api_base,
            "max_posts": self.max_posts, "max_posts_per_month": self.max_posts_per_month,
        }
        if self.subdomains:  # only when set, so sources without the key keep their stored config
            config["subdomains"] = self.subdomains if self.subdomains is True else list(self.subdomains)
        return {"name": self.name, "kind": self.kind, "url": self.url, "query": self.query,
                "enabled": self.enabled, "config": config}
