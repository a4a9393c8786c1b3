"""The X API v2 recent search as Pantau uses it: the client, the read cursor, the post caps, and a
post as an :class:`~spiders.items.Article`. The spider that drives them is :mod:`spiders.x`.

The client sends every request to the source's ``api_base`` (an X-API-compatible server in
tests) and masks the bearer token in tweepy's debug log; :class:`SearchCursor` says which post
ids were read (see :mod:`spiders.x` for how a run resumes); :func:`post_caps` reads the caps from
the environment.
"""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import requests
import tweepy

from spiders.dates import JAKARTA
from spiders.items import Article
from spiders.social import title_from_text
from spiders.urls import canonicalize

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "PANTAU_X_BEARER_TOKEN"
TWEEPY_HOST = "https://api.twitter.com"  # where tweepy sends every request
SEARCH_PATH = "/2/tweets/search/recent"
PAGE_MIN, PAGE_MAX = 10, 100  # max_results the recent search accepts
# The recent search reaches 7 days back; keep a margin so a window computed before a long
# rate-limit wait is still valid when the request is made.
SEARCH_REACH = timedelta(days=7) - timedelta(minutes=30)
DEFAULT_CAPS = {"PANTAU_X_MAX_POSTS_PER_RUN": 500, "PANTAU_X_MAX_POSTS_PER_MONTH": 10_000}
DEFAULT_MAX_WAIT = 900  # seconds: the X API's rate-limit window is 15 minutes
MAX_RATE_LIMIT_WAITS = 5  # per page: a reset that keeps moving is not waited for forever
SNOWFLAKE_EPOCH_MS = 1288834974657

SEARCH_FIELDS = {
    "expansions": ["author_id", "geo.place_id"],
    "tweet_fields": ["created_at", "lang", "public_metrics", "author_id", "geo", "note_tweet"],
    "user_fields": ["username", "name"],
    "place_fields": ["full_name", "name", "country_code", "place_type", "geo"],
}

# In-process reservations of posts asked for but not yet counted, so X sources crawled at the
# same time cannot overshoot the shared caps together.
_in_flight = {"posts": 0}


# -- settings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PostCaps:
    per_run: int
    per_month: int


def post_caps(environ=os.environ) -> PostCaps:
    """The caps on posts read over all X sources; :class:`ValueError` names a bad variable."""
    values = {}
    for name, default in DEFAULT_CAPS.items():
        raw = environ.get(name, "").strip()
        value = int(raw) if raw.isdigit() else -1 if raw else default
        if value < PAGE_MIN:
            raise ValueError(f"{name}={raw!r} is not a number of posts of at least {PAGE_MIN}")
        values[name] = value
    return PostCaps(values["PANTAU_X_MAX_POSTS_PER_RUN"], values["PANTAU_X_MAX_POSTS_PER_MONTH"])


def max_wait(environ=os.environ) -> int:
    raw = environ.get("PANTAU_X_MAX_WAIT", "").strip()
    if not raw:
        return DEFAULT_MAX_WAIT
    if not raw.isdigit():
        raise ValueError(f"PANTAU_X_MAX_WAIT={raw!r} is not a number of seconds")
    return int(raw)


# -- the API client ---------------------------------------------------------------------------

class _RoutedSession(requests.Session):
    """tweepy's HTTP session, sending requests to ``api_base`` with a timeout."""

    def __init__(self, api_base: str | None, timeout: float):
        super().__init__()
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):
        if self.api_base and url.startswith(TWEEPY_HOST):
            url = self.api_base + url[len(TWEEPY_HOST):]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class XClient(tweepy.Client):
    """tweepy's API v2 client for one ``api_base`` (default: X itself). tweepy writes its host
    into every URL, so the routing happens in the session it sends them through. Responses
    stay plain JSON (``return_type=dict``): the post's fields are kept as the API gave them."""

    def __init__(self, bearer_token: str, *, api_base: str | None = None, timeout: float = 30):
        super().__init__(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False)
        self.session = _RoutedSession(api_base, timeout)


class _MaskToken(logging.Filter):
    """tweepy logs request headers at DEBUG level, bearer token included: mask it."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "***"), None
        return True


# -- where a search resumes ------------------------------------------------------------------

@dataclass
class SearchCursor:
    """Which post ids a source has read (see the module docstring)."""

    since_id: int | None = None
    newest_id: int | None = None
    until_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict | None) -> SearchCursor:
        data = data or {}
        return cls(*(int(data[k]) if data.get(k) else None for k in ("since_id", "newest_id", "until_id")))

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in vars(self).items() if value is not None}

    @property
    def unfinished(self) -> bool:
        return self.until_id is not None

    def page_read(self, ids: list[int]) -> None:
        if not ids:
            return
        if self.until_id is None:
            self.newest_id = max(ids)
        self.until_id = min(ids)

    def search_done(self) -> None:
        if self.newest_id is not None:
            self.since_id = max(self.since_id or 0, self.newest_id)
        self.newest_id = self.until_id = None


def post_time(post_id: int) -> datetime:
    """When a post was made, from its id (X ids are snowflakes with a millisecond timestamp)."""
    return datetime.fromtimestamp(((post_id >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=timezone.utc)


# -- posts ------------------------------------------------------------------------------------

def post_article(source: str, post: dict, users: dict[str, dict], places: dict[str, dict]) -> Article:
    """One post of a search response as an item (``users``/``places``: the response's includes by id)."""
    post_id = str(post["id"])
    # Long posts carry their full text in note_tweet; the API escapes &, < and > in both.
    text = html.unescape((post.get("note_tweet") or {}).get("text") or post.get("text") or "")
    user = users.get(str(post.get("author_id"))) or {}
    username = user.get("username")
    created = post.get("created_at")
    lang = post.get("lang")
    place_id = (post.get("geo") or {}).get("place_id")
    return Article(
        source=source,
        url=canonicalize(f"https://x.com/{username or 'i'}/status/{post_id}"),
        title=title_from_text(text),
        text=text,
        published_at=datetime.fromisoformat(created).astimezone(timezone.utc) if created else None,
        author=f"@{username}" if username else None,
        source_kind="x",
        harvested_at=datetime.now(JAKARTA),
        # X writes Indonesian as "in"; three-letter codes (und, qme, zxx, ...) name no language.
        language="id" if lang == "in" else lang if lang and len(lang) == 2 else None,
        raw={"platform": "x", "post_id": post_id, "author_id": post.get("author_id"), "username": username,
             "author_name": user.get("name"), "lang": lang, "public_metrics": post.get("public_metrics"),
             "geo": post.get("geo"), "place": places.get(place_id) if place_id else None},
    )


class SearchStopped(Exception):
    """Reading this source ends for this run; ``message`` says why and what to do."""

    def __init__(self, kind: str, message: str, status: int | None = None):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def _api_detail(exc: tweepy.HTTPException) -> str:
    response = exc.response
    detail = "; ".join(m for m in exc.api_messages if m and m != response.reason)
    return f"{response.status_code} {response.reason}" + (f": {detail}" if detail else "")


# -- the spider -------------------------------------------------------------------------------
