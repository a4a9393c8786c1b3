"""Site profile: Lintas Tengger, a regional portal whose publication time is only in an attribute.

The worked example of a site profile (copy this module to add one; see docs/site-profiles.md).
Lintas Tengger is an invented outlet (its host is under the reserved ``.example`` top-level
domain), laid out the way some regional portals built on in-house CMSes are: no JSON-LD, no
``article:published_time``, no absolute date anywhere in the text. Beside the headline the page
shows only when it was last touched, relatively ("Diperbarui 25 menit lalu"); the publication
instant sits in ``data-terbit`` (seconds since the epoch) on an empty ``<div class="tgl">`` at
the foot of the article. The generic reader cannot know that an arbitrary number in an arbitrary
attribute is a time, so it takes the relative "updated" line and stores the wrong instant.

Fixtures: ``tests/fixtures/sites/profiles/lintastengger/`` (run by ``tests/test_site_profiles.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from spiders import discovery
from spiders.dates import JAKARTA as WIB
from spiders.extract import ArticlePage
from spiders.sites.base import Site


class LintasTengger(Site):
    hosts = ("lintastengger.example",)
    # Where the publication instant is: an attribute holding seconds since the epoch (UTC).
    PUBLISHED_XPATH = "//*[@class and contains(concat(' ', normalize-space(@class), ' '), ' tgl ')]/@data-terbit"
    FUTURE_SLACK = timedelta(minutes=10)  # a clock a little ahead of ours is not "in the future"

    def read(self, html: str, url: str, now: datetime) -> ArticlePage:
        page = super().read(html, url, now)
        published = self.published_at(html, url, now)
        if published is not None:
            if page.modified_at is None and page.published_at and page.published_at > published:
                page.modified_at = page.published_at  # what the generic reader found is the "Diperbarui" line
            page.published_at = published
            if page.not_article_reason == "no_article_signal" and page.title and page.text.strip():
                # This site marks every article, and only articles, with data-terbit.
                page.is_article, page.not_article_reason = True, None
        return page

    def published_at(self, html: str, url: str, now: datetime) -> datetime | None:
        doc = discovery.parse_html(html, url)
        if doc is None:
            return None
        for value in doc.xpath(self.PUBLISHED_XPATH):
            try:
                when = datetime.fromtimestamp(int(value.strip()), tz=timezone.utc).astimezone(WIB)
            except (ValueError, OverflowError, OSError):
                continue  # not a number of seconds: try the next one, else keep the generic date
            if now is None or when <= now + self.FUTURE_SLACK:
                return when
        return None
