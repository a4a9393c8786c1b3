"""``pantau demo``: Pantau end to end with no internet and no API keys.

Serves the sample news sites and a sample X API v2 (``pantau/demo_data/sites.yaml``) on
127.0.0.1 from background threads, writes a sources file pointing at them, creates a fresh
SQLite database in the demo folder, crawls it with the real ``pantau crawl`` (a subprocess:
Scrapy's reactor cannot restart in one process), creates the admin account ``demo`` with a
random password and starts the web interface.

The sites are rendered at run time so that publication dates are always recent (the crawl's
default window is 30 days): each page carries ``article:published_time``, JSON-LD
``NewsArticle``, a canonical link, and the site has ``robots.txt``, ``sitemap.xml`` and an RSS
feed, as a typical Indonesian news portal does.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import yaml

from pantau.config import DEFAULT_REGION

from spiders.dates import JAKARTA as WIB

DATA = Path(__file__).resolve().parent / "demo_data" / "sites.yaml"
X_TOKEN = "demo-token-bukan-rahasia"
SEARCH_PATH = "/2/tweets/search/recent"
SNOWFLAKE_EPOCH_MS = 1288834974657


def load_content(path: Path = DATA) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# -- servers -------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    answer: Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:
        status, headers, body = self.server.answer(self.path, dict(self.headers.items()))
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Background:
    """An HTTP server on 127.0.0.1:<free port> in a daemon thread."""

    def start(self):
        server = _Server(("127.0.0.1", 0), _Handler)
        server.answer = self.answer
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                         name=type(self).__name__).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, raw_path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError


class SampleSite(_Background):
    """A small static news site: pages rendered once from the content, served by path."""

    def __init__(self, site: dict, now: datetime | None = None):
        self.site = site
        self.now = (now or datetime.now(WIB)).astimezone(WIB).replace(second=0, microsecond=0)
        self.pages: dict[str, tuple[str, str]] = {}  # path -> (content type, text with {{BASE}})
        self._render()

    def answer(self, raw_path, headers):
        path = urlsplit(raw_path).path or "/"
        if path not in self.pages and not path.endswith("/") and path + "/" in self.pages:
            return 301, {"Location": f"{self.url}{path}/"}, b""
        if path not in self.pages:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, \
                "<!DOCTYPE html><html><body><h1>404</h1><p>Halaman tidak ditemukan.</p></body></html>".encode()
        content_type, text = self.pages[path]
        return 200, {"Content-Type": content_type}, text.replace("{{BASE}}", self.url).encode("utf-8")

    def _articles(self) -> list[dict]:
        articles = []
        for index, article in enumerate(self.site["articles"]):
            published = self.now - timedelta(days=article.get("days_ago", 1), hours=article.get("hours_ago", 0),
                                             minutes=37 * index)
            published = published.replace(hour=min(max(published.hour, 7), 21))
            articles.append({**article, "published": published,
                             "path": f"/{published:%Y/%m/%d}/{article['slug']}/"})
        articles.sort(key=lambda a: a["published"], reverse=True)
        return articles

    def _render(self) -> None:
        site = self.site
        articles = self._articles()
        esc = html.escape
        for article in articles:
            url = "{{BASE}}" + article["path"]
            lead = article["paragraphs"][0]
            ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article["title"],
                  "datePublished": article["published"].isoformat(), "author": {"@type": "Person",
                                                                                "name": article["author"]},
                  "mainEntityOfPage": url, "publisher": {"@type": "Organization", "name": site["title"]},
                  "inLanguage": "id"}
            body = "\n".join(f"<p>{esc(p)}</p>" for p in article["paragraphs"])
            self.pages[article["path"]] = ("text/html; charset=utf-8", f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>{esc(article['title'])} - {esc(site['title'])}</title>
<meta name="description" content="{esc(lead[:150])}">
<link rel="canonical" href="{url}">
<link rel="alternate" type="application/rss+xml" title="{esc(site['title'])}" href="{{{{BASE}}}}/feed/">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(article['title'])}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{esc(site['title'])}">
<meta property="article:published_time" content="{article['published'].isoformat()}">
<meta name="author" content="{esc(article['author'])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<header><a href="{{{{BASE}}}}/">{esc(site['title'])}</a> — {esc(site.get('tagline', ''))}</header>
<main><article>
<h1 class="entry-title">{esc(article['title'])}</h1>
<div class="meta">Oleh {esc(article['author'])} · <time datetime="{article['published'].isoformat()}">{article['published']:%d/%m/%Y %H:%M} WIB</time></div>
<div class="entry-content">
{body}
</div>
</article></main>
<footer><p>© {self.now.year} {esc(site['title'])}. Semua berita dalam situs ini fiktif (contoh untuk demo Pantau).</p></footer>
</body></html>
""")
        items = "\n".join(
            f"<li><a href=\"{{{{BASE}}}}{a['path']}\">{esc(a['title'])}</a> <small>{a['published']:%d/%m/%Y}</small></li>"
            for a in articles)
        self.pages["/"] = ("text/html; charset=utf-8", f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{esc(site['title'])} - {esc(site.get('tagline', ''))}</title>
<link rel="alternate" type="application/rss+xml" title="{esc(site['title'])}" href="{{{{BASE}}}}/feed/">
</head><body><h1>{esc(site['title'])}</h1><p>{esc(site.get('tagline', ''))}</p>
<ul class="berita-terbaru">
{items}
</ul></body></html>
""")
        self.pages["/robots.txt"] = ("text/plain; charset=utf-8",
                                     "User-agent: *\nAllow: /\n\nSitemap: {{BASE}}/sitemap.xml\n")
        urls = "\n".join(f"<url><loc>{{{{BASE}}}}{a['path']}</loc><lastmod>{a['published'].isoformat()}</lastmod></url>"
                         for a in articles)
        self.pages["/sitemap.xml"] = ("application/xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                                      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                      f"{urls}\n</urlset>\n")
        entries = "\n".join(
            f"<item><title>{esc(a['title'])}</title><link>{{{{BASE}}}}{a['path']}</link>"
            f"<guid>{{{{BASE}}}}{a['path']}</guid><pubDate>{format_datetime(a['published'])}</pubDate>"
            f"<description>{esc(a['paragraphs'][0])}</description></item>" for a in articles)
        self.pages["/feed/"] = ("application/rss+xml; charset=utf-8",
                                '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                                f"<title>{esc(site['title'])}</title><link>{{{{BASE}}}}/</link>"
                                f"<description>{esc(site.get('tagline', ''))}</description><language>id</language>\n"
                                f"{entries}\n</channel></rss>\n")


def _snowflake(at: datetime, sequence: int) -> int:
    return ((int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


class SampleXApi(_Background):
    """A minimal X API v2 recent search (``GET /2/tweets/search/recent``): bearer token check,
    plain-word query match, ``since_id``/``until_id``/``start_time``, newest first, ``page_size``
    posts a page with ``next_token`` paging, ``expansions=author_id`` → ``includes.users``."""

    def __init__(self, posts: list[dict], token: str = X_TOKEN, page_size: int = 5, now: datetime | None = None):
        self.token = token
        self.page_size = page_size
        now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self.users: dict[str, dict] = {}
        self.posts: list[dict] = []
        for sequence, post in enumerate(posts):
            at = (now - timedelta(hours=post.get("hours_ago", 1))).replace(microsecond=0)
            user = self.users.setdefault(post["username"], {"id": str(1000 + len(self.users)),
                                                            "username": post["username"],
                                                            "name": post.get("name", post["username"])})
            post_id = str(_snowflake(at, sequence))
            self.posts.append({"id": post_id, "text": post["text"], "edit_history_tweet_ids": [post_id],
                               "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "in",
                               "author_id": user["id"],
                               "public_metrics": {"retweet_count": 0, "reply_count": 1, "like_count": 4,
                                                  "quote_count": 0, "bookmark_count": 0, "impression_count": 90}})
        self.posts.sort(key=lambda p: int(p["id"]), reverse=True)

    def answer(self, raw_path, headers):
        status, body = self._respond(raw_path, headers.get("Authorization") or headers.get("authorization"))
        return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode("utf-8")

    def _respond(self, raw_path: str, authorization: str | None) -> tuple[int, dict]:
        parts = urlsplit(raw_path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path != SEARCH_PATH:
            return 404, {"title": "Not Found Error", "detail": f"no endpoint {parts.path}", "status": 404}
        if authorization != f"Bearer {self.token}":
            return 401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401}
        try:
            max_results = int(params.get("max_results", "10"))
        except ValueError:
            max_results = -1
        if not 10 <= max_results <= 100:
            return 400, {"title": "Invalid Request", "detail": "max_results must be between 10 and 100",
                         "status": 400}
        words = [w.strip('"').lower() for w in params.get("query", "").split()
                 if not w.startswith("-") and ":" not in w and w != "OR"]
        matching = [p for p in self.posts if all(w in p["text"].lower() for w in words)]
        if params.get("since_id"):
            matching = [p for p in matching if int(p["id"]) > int(params["since_id"])]
        if params.get("until_id"):
            matching = [p for p in matching if int(p["id"]) < int(params["until_id"])]
        if params.get("start_time"):
            start = params["start_time"].replace("Z", ".000Z") if "." not in params["start_time"] else params["start_time"]
            matching = [p for p in matching if p["created_at"] >= start]
        if params.get("next_token"):
            matching = [p for p in matching if int(p["id"]) < int(params["next_token"])]
        page = matching[:min(max_results, self.page_size)]
        meta: dict = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if len(matching) > len(page):
            meta["next_token"] = page[-1]["id"]
        body: dict = {"meta": meta}
        if page:
            wanted = {"id", "text", "edit_history_tweet_ids"} | set(filter(None, params.get("tweet.fields", "").split(",")))
            body["data"] = [{k: v for k, v in p.items() if k in wanted} for p in page]
            if "author_id" in params.get("expansions", "").split(","):
                ids = {p["author_id"] for p in page}
                body["includes"] = {"users": [u for u in self.users.values() if u["id"] in ids]}
        return 200, body


# -- the command -----------------------------------------------------------------------------------


@dataclass
class Demo:
    folder: Path
    sites: list[SampleSite] = field(default_factory=list)
    x_api: SampleXApi | None = None
    x_name: str = ""
    x_query: str = ""
    region: str = DEFAULT_REGION  # the content's kabupaten/kota (its `region:`), written to the sources file

    @property
    def db_url(self) -> str:
        return f"sqlite:///{(self.folder / 'pantau.db').resolve()}"

    @property
    def sources_file(self) -> Path:
        return self.folder / "sources.yaml"

    def start_servers(self, content: dict | None = None) -> None:
        content = content or load_content()
        self.region = str(content.get("region") or DEFAULT_REGION)
        self.sites = [SampleSite(site).start() for site in content["sites"]]
        x = content["x"]
        self.x_api = SampleXApi(x["posts"]).start()
        self.x_name, self.x_query = x["name"], x["query"]

    def stop_servers(self) -> None:
        for server in [*self.sites, *([self.x_api] if self.x_api else [])]:
            server.stop()

    def write_sources(self) -> Path:
        entries = [{"name": site.site["name"], "url": site.url + "/", "delay": 0} for site in self.sites]
        entries.append({"name": self.x_name, "kind": "x", "query": f"{self.x_query} -is:retweet",
                        "api_base": self.x_api.url})
        self.sources_file.write_text(
            "# Written by `pantau demo`: sample sites and a sample X API on 127.0.0.1 (ports change every run).\n"
            + yaml.safe_dump({"region": self.region, "sources": entries}, sort_keys=False, allow_unicode=True),
            encoding="utf-8")
        return self.sources_file

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PANTAU_")}
        env.update({"PANTAU_DB_URL": self.db_url, "PANTAU_SOURCES": str(self.sources_file.resolve()),
                    "PANTAU_LOG_DIR": str((self.folder / "logs").resolve()),
                    "PANTAU_X_BEARER_TOKEN": X_TOKEN,
                    "PANTAU_SCRAPY_DOWNLOAD_TIMEOUT": "10"})
        if os.environ.get("PANTAU_SECRET_KEY"):
            env["PANTAU_SECRET_KEY"] = os.environ["PANTAU_SECRET_KEY"]
        return env

    def run_pantau(self, *args: str) -> int:
        return subprocess.run([sys.executable, "-m", "pantau", *args], env=self.env(), cwd=self.folder).returncode

    def create_account(self, username: str = "demo") -> str:
        from review.security import hash_password
        from storage.repo import Repository

        password = secrets.token_urlsafe(9)
        with Repository(self.db_url) as repo:
            existing = repo.user_for_login(username)
            if existing:
                repo.update_user(existing["id"], role="admin", active=True, password_hash=hash_password(password))
            else:
                repo.add_user(username, hash_password(password), "admin")
            repo.audit("user_add", username=username, target=f"user:{username}",
                       after={"role": "admin", "active": True, "demo": True})
        return password


def fresh_database(folder: Path) -> None:
    """Remove a previous demo's database (and its SQLite side files) so every demo starts clean."""
    for name in ("pantau.db", "pantau.db-wal", "pantau.db-shm", "pantau.db-journal"):
        (folder / name).unlink(missing_ok=True)


def run_demo(folder: Path, *, host: str = "127.0.0.1", port: int = 8000, serve: bool = True,
             say: Callable[[str], None] = print) -> int:
    """The whole demo; returns the exit code. Servers stop when it returns (after Ctrl+C)."""
    import time

    folder.mkdir(parents=True, exist_ok=True)
    fresh_database(folder)
    demo = Demo(folder)
    demo.start_servers()
    try:
        for site in demo.sites:
            say(f"Situs contoh {site.site['name']} ({site.site['title']}): {site.url}/")
        say(f"API X contoh {demo.x_name}: {demo.x_api.url}{SEARCH_PATH}")
        say(f"Berkas sumber: {demo.write_sources()}")
        if demo.run_pantau("init") != 0:
            say("Gagal membuat basis data demo.")
            return 1
        started = time.monotonic()
        code = demo.run_pantau("crawl", "--quiet")
        say(f"Pengambilan berita selesai dalam {time.monotonic() - started:.1f} detik (kode keluar {code}).")
        if code != 0:
            say("Pengambilan berita gagal; lihat pesan di atas dan log di " + str(folder / "logs"))
            return 1
        password = demo.create_account("demo")
        say(f"Basis data demo: {demo.db_url}")
        say(f"Masuk dengan nama pengguna demo, kata sandi {password}")
        if not serve:
            return 0
        import uvicorn

        from review.app import create_app
        from storage.repo import Repository

        os.environ["PANTAU_DB_URL"] = demo.db_url
        say(f"Antarmuka web Pantau: http://{host}:{port}/ (tekan Ctrl+C untuk berhenti)")
        secret = os.environ.get("PANTAU_SECRET_KEY") or secrets.token_hex(32)  # a demo session ends with the demo
        uvicorn.run(create_app(repo=Repository(demo.db_url), secret=secret), host=host, port=port, log_level="info",
                    proxy_headers=False)
        return 0
    finally:
        demo.stop_servers()
