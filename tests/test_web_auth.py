"""The web interface's doors: sign-in, sessions, CSRF, throttling, roles on every route, the
audit trail of sign-ins and the security headers — through real HTTP requests on a real SQLite
database (FastAPI's TestClient)."""

from __future__ import annotations

import os
import re
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.routing import APIRoute  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from review.app import create_app  # noqa: E402
from review.security import hash_password  # noqa: E402
from storage.db import upgrade  # noqa: E402
from storage.repo import Repository  # noqa: E402
from tests.crawlutil import run_pantau  # noqa: E402

PASSWORD = "sandi-rahasia-1"
ROLES = ("viewer", "reviewer", "admin")
RANK = {"anonymous": 0, "viewer": 1, "reviewer": 2, "admin": 3}
PUBLIC = {"/login", "/health"}


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    for role in ROLES:
        repo.add_user(role, hash_password(PASSWORD), role)
    app = create_app(repo=repo, secret="k" * 32)
    yield app, repo
    repo.close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, **extra):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token, **extra},
                       follow_redirects=False)


def signed_in(app, role: str) -> TestClient:
    client = TestClient(app)
    if role != "anonymous":
        assert sign_in(client, role).status_code == 303
        client.csrf = csrf_of(client.get("/login").text)  # the session's token, as HTMX sends it
    return client


def minimum_role(method: str, path: str) -> str:
    """The role each route needs (CONTRACT.md: viewers read, reviewers decide, admins manage)."""
    if path in PUBLIC or path == "/logout":
        return "anonymous"
    if path.startswith("/admin") or path == "/aduan/massal":
        return "admin"
    if method != "GET" or path.startswith("/antrian"):
        return "reviewer"
    return "viewer"


def routes(app):
    """Every (method, path) the application answers, path parameters filled with 1."""
    def walk(items, prefix=""):
        for route in items:
            if isinstance(route, APIRoute):
                for method in route.methods - {"HEAD"}:
                    yield method, prefix + re.sub(r"\{[^}]+\}", "1", route.path)
            elif hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.16x)
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
    return sorted(set(walk(app.routes)))


def test_every_page_but_login_sends_an_anonymous_visitor_to_the_login_page(site):
    app, _ = site
    client = TestClient(app)
    checked = 0
    for method, path in routes(app):
        if path in PUBLIC:
            continue
        if method == "GET":
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
        checked += 1
    assert checked >= 2


def test_roles_are_checked_on_the_server_for_every_route(site):
    app, _ = site
    clients = {role: signed_in(app, role) for role in ROLES}
    anonymous = TestClient(app)
    for method, path in routes(app):
        if path in PUBLIC or path == "/logout":
            continue
        needed = minimum_role(method, path)
        for role in ("anonymous", *ROLES):
            client = clients.get(role, anonymous)
            headers = {}
            if method != "GET" and role != "anonymous":
                headers["X-CSRF-Token"] = client.csrf
            response = client.request(method, path, headers=headers, follow_redirects=False)
            if RANK[role] < RANK[needed]:
                expected = {303} if role == "anonymous" and method == "GET" else {401, 403}
                assert response.status_code in expected, (method, path, role, response.status_code)
            else:
                assert response.status_code not in (401, 403), (method, path, role, response.status_code)


def test_sign_in_with_the_right_password_and_out_again(site):
    app, repo = site
    client = TestClient(app)
    wrong = sign_in(client, "reviewer", "salah-sandi")
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text
    response = sign_in(client, "reviewer", next="/aduan")
    assert response.status_code == 303 and response.headers["location"] == "/aduan"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
    assert client.get("/", follow_redirects=False).headers["location"] == "/antrian"
    token = csrf_of(client.get("/login").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    actions = [(e["action"], e["username"]) for e in repo.audit_entries()]
    assert ("login_failed", "reviewer") in actions and ("login", "reviewer") in actions
    assert "logout" in [action for action, _ in actions]


def test_after_sign_in_only_paths_on_this_site_are_followed(site):
    app, _ = site
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(TestClient(app), "viewer", next=target)
        assert response.headers["location"] == "/", target


def test_a_form_without_the_csrf_token_is_refused(site):
    app, _ = site
    client = TestClient(app)
    client.get("/login")
    refused = client.post("/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403
    signed = signed_in(app, "admin")
    assert signed.post("/logout", data={"csrf_token": "palsu"}).status_code == 403
    assert signed.get("/", follow_redirects=False).headers["location"] != "/login"  # still signed in


def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(site):
    app, repo = site
    client = TestClient(app)
    for _ in range(5):
        assert sign_in(client, "admin", "tebak-tebak").status_code == 401
    blocked = sign_in(client, "admin")
    assert blocked.status_code == 429 and "Terlalu banyak percobaan" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert any(e["action"] == "login_throttled" for e in repo.audit_entries())


def test_a_deactivated_account_loses_its_session_at_once(site):
    app, repo = site
    client = signed_in(app, "reviewer")
    assert client.get("/", follow_redirects=False).headers["location"] == "/antrian"
    repo.update_user(repo.user_id("reviewer"), active=False)
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")
    again = sign_in(TestClient(app), "reviewer")
    assert again.status_code == 401 and "dinonaktifkan" in again.text


def test_pages_carry_a_content_security_policy_without_inline_scripts(site):
    app, _ = site
    page = TestClient(app).get("/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # every script is a file
    assert not re.search(r"\son[a-z]+=", page.text)  # no event-handler attributes
    assert TestClient(app).get("/static/htmx-2.0.11.min.js").status_code == 200
    assert TestClient(app).get("/health").json()["status"] == "ok"


def test_user_add_from_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "PANTAU_DB_URL": db}
    assert run_pantau("init", "--db", db, env=env, cwd=tmp_path).returncode == 0
    made = run_pantau("user", "add", "siti", "--role", "reviewer", "--password-stdin", "--db", db, env=env, cwd=tmp_path,
                      input=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    short = run_pantau("user", "add", "joko", "--role", "viewer", "--password-stdin", "--db", db, env=env, cwd=tmp_path, input="pendek\n")
    assert short.returncode == 2 and "8 characters" in short.stderr
    twice = run_pantau("user", "add", "siti", "--role", "admin", "--password-stdin", "--db", db, env=env, cwd=tmp_path, input=PASSWORD + "\n")
    assert twice.returncode == 2 and "already exists" in twice.stderr
    repo = Repository(db)
    app = create_app(repo=repo, secret="k" * 32)
    assert sign_in(TestClient(app), "siti").status_code == 303
    assert repo.user_for_login("siti")["password_hash"].startswith("$argon2id$")
    repo.close()
