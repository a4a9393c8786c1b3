"""A fake X API v2 on 127.0.0.1 for the X source's tests: ``GET /2/tweets/search/recent``.

``FakeXApi(token)`` serves, in a background thread on a free port, the posts added with
:meth:`FakeXApi.add_post` the way the recent search does: newest first; ``query`` matched by its
plain words (operators such as ``-is:retweet`` are ignored); ``since_id``, ``until_id`` and
``start_time``; ``max_results`` (10–100, else 400) and at most ``page_size`` posts per page;
opaque ``next_token`` paging; only the requested ``tweet.fields``; ``expansions=author_id`` →
``includes.users`` and ``geo.place_id`` → ``includes.places``. A request without
``Authorization: Bearer <token>`` gets a 401.

Failures are programmed with :meth:`FakeXApi.fail`: a status (429 with ``x-rate-limit-reset``
``reset_in`` seconds ahead, 503, 402, ...) for the N-th page of a search or any page, once, a few
times or always. Every request is recorded (:attr:`requests`: its parameters, page, status and
the ids it served) and :attr:`served_ids` lists every post id ever returned, so tests can assert
that nothing was read twice.

Post ids are snowflakes made from the post's time, as X's are.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SEARCH_PATH = "/2/tweets/search/recent"
SNOWFLAKE_EPOCH_MS = 1288834974657
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")


@dataclass
class SearchRequest:
    params: dict[str, str]
    authorization: str | None
    page: int = 1
    status: int = 200
    ids: list[str] = field(default_factory=list)


@dataclass
class _Failure:
    status: int
    page: int | None
    times: int | None
    reset_in: float | None
    body: dict


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    api: FakeXApi


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        status, headers, body = self.server.api._answer(self.path, self.headers.get("Authorization"))
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def snowflake(at: datetime, sequence: int) -> int:
    return ((int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict:
    return {"title": title, "detail": detail, "type": kind, "status": status}


PROBLEMS = {
    401: _problem(401, "Unauthorized", "Unauthorized"),
    402: _problem(402, "CreditsDepleted", "Your enrolled account does not have any credits to fulfill this request.",
                  "https://api.twitter.com/2/problems/credits"),
    403: _problem(403, "Forbidden", "Your client app is not configured with the appropriate oauth1 app permissions "
                                    "for this endpoint.", "https://api.twitter.com/2/problems/oauth1-permissions"),
    429: _problem(429, "Too Many Requests", "Too Many Requests"),
    500: _problem(500, "Internal Server Error", "Internal Server Error"),
    503: _problem(503, "Service Unavailable", "Service Unavailable"),
}


class FakeXApi:
    """The recent search over the posts given, on ``http://127.0.0.1:<free port>``."""

    def __init__(self, token: str, *, page_size: int = 100):
        self.token = token
        self.page_size = page_size
        self.now = datetime.now(timezone.utc)
        self.posts: list[dict] = []  # API post objects with every field
        self.users: dict[str, dict] = {}
        self.places: dict[str, dict] = {}
        self.requests: list[SearchRequest] = []
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeXApi:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.api = self
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="FakeXApi").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeXApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeXApi is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- what tests use ------------------------------------------------------------------------

    def add_post(self, text: str, username: str, *, name: str | None = None, minutes_ago: float = 60,
                 lang: str = "in", place: dict | None = None, metrics: dict | None = None) -> str:
        """Add a post; returns its id. ``place``: ``{"id", "full_name", ...}`` of X's place object."""
        with self._lock:
            at = (self.now - timedelta(minutes=minutes_ago)).replace(microsecond=0)
            user_id = self.users[username]["id"] if username in self.users else str(1000 + len(self.users))
            self.users.setdefault(username, {"id": user_id, "username": username, "name": name or username})
            post_id = str(snowflake(at, len(self.posts)))
            post = {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id],
                    "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": lang, "author_id": user_id,
                    "public_metrics": metrics or {"retweet_count": 0, "reply_count": 1, "like_count": 3,
                                                  "quote_count": 0, "bookmark_count": 0, "impression_count": 40}}
            if place is not None:
                self.places[place["id"]] = {**place}
                post["geo"] = {"place_id": place["id"]}
            self.posts.append(post)
            return post_id

    def fail(self, status: int, *, page: int | None = None, times: int | None = 1, reset_in: float | None = None,
             body: dict | None = None) -> None:
        """Answer ``status`` for the ``page``-th page of a search (any page if None), ``times`` times
        (None: always). A 429 carries ``x-rate-limit-reset`` ``reset_in`` seconds ahead (default 1)."""
        with self._lock:
            self._failures.append(_Failure(status, page, times, reset_in,
                                           body or PROBLEMS.get(status) or _problem(status, "Error", "Error")))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    @property
    def served_ids(self) -> list[str]:
        with self._lock:
            return [post_id for request in self.requests for post_id in request.ids]

    def post_url(self, post_id: str) -> str:
        post = next(p for p in self.posts if p["id"] == post_id)
        username = next(u["username"] for u in self.users.values() if u["id"] == post["author_id"])
        return f"https://x.com/{username}/status/{post_id}"

    # -- answering -----------------------------------------------------------------------------

    def _answer(self, raw_path: str, authorization: str | None) -> tuple[int, dict[str, str], dict]:
        parts = urlsplit(raw_path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        token = params.get("next_token")
        request = SearchRequest(params, authorization, page=int(token.split(".")[0]) if token else 1)
        with self._lock:
            self.requests.append(request)
            status, headers, body = self._respond(parts.path, params, authorization, request)
            request.status = status
            return status, headers, body

    def _respond(self, path: str, params: dict[str, str], authorization: str | None,
                 request: SearchRequest) -> tuple[int, dict[str, str], dict]:
        if path != SEARCH_PATH:
            return 404, {}, _problem(404, "Not Found Error", f"no endpoint {path}")
        if authorization != f"Bearer {self.token}":
            return 401, {}, PROBLEMS[401]
        failure = self._failure_for(request.page)
        if failure is not None:
            headers = {}
            if failure.status == 429:
                reset = time.time() + (failure.reset_in if failure.reset_in is not None else 1)
                headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                           "x-rate-limit-reset": str(int(reset))}
            return failure.status, headers, failure.body
        try:
            max_results = int(params.get("max_results", "10"))
        except ValueError:
            max_results = -1
        if not 10 <= max_results <= 100:
            return 400, {}, {"errors": [{"parameters": {"max_results": [params.get("max_results")]},
                                         "message": f"The `max_results` query parameter value "
                                                    f"[{params.get('max_results')}] is not between 10 and 100"}],
                             "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                             "type": "https://api.twitter.com/2/problems/invalid-request"}
        matching = [post for post in self.posts if self._matches(post, params)]
        matching.sort(key=lambda post: int(post["id"]), reverse=True)
        if params.get("next_token"):
            below = int(params["next_token"].split(".")[1])
            matching = [post for post in matching if int(post["id"]) < below]
        page = matching[:min(max_results, self.page_size)]
        request.ids = [post["id"] for post in page]
        meta: dict = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if len(matching) > len(page):
            meta["next_token"] = f"{request.page + 1}.{page[-1]['id']}"
        body: dict = {"meta": meta}
        if page:
            body["data"] = [self._shape(post, params) for post in page]
            body["includes"] = self._includes(page, params)
        return 200, {}, body

    def _failure_for(self, page: int) -> _Failure | None:
        for failure in self._failures:
            if failure.page in (None, page) and (failure.times is None or failure.times > 0):
                if failure.times is not None:
                    failure.times -= 1
                return failure
        return None

    @staticmethod
    def _matches(post: dict, params: dict[str, str]) -> bool:
        words = [w.strip('"').lower() for w in params.get("query", "").split()
                 if not w.startswith("-") and ":" not in w and w != "OR"]
        if not all(word in post["text"].lower() for word in words):
            return False
        post_id = int(post["id"])
        if params.get("since_id") and post_id <= int(params["since_id"]):
            return False
        if params.get("until_id") and post_id >= int(params["until_id"]):
            return False
        if params.get("start_time") and post["created_at"] < params["start_time"].replace("Z", ".000Z"):
            return False
        return True

    @staticmethod
    def _shape(post: dict, params: dict[str, str]) -> dict:
        wanted = set(DEFAULT_TWEET_FIELDS) | set(filter(None, params.get("tweet.fields", "").split(",")))
        return {key: value for key, value in post.items() if key in wanted}

    def _includes(self, page: list[dict], params: dict[str, str]) -> dict:
        expansions = set(params.get("expansions", "").split(","))
        includes: dict = {}
        if "author_id" in expansions:
            ids = dict.fromkeys(post["author_id"] for post in page)
            includes["users"] = [user for user in self.users.values() if user["id"] in ids]
        if "geo.place_id" in expansions:
            places = [self.places[post["geo"]["place_id"]] for post in page if "geo" in post]
            if places:
                includes["places"] = places
        return includes
