"""Shared helpers for the web tests: a real app on a real SQLite database, and signing in through
the login form exactly as a browser does (CSRF token from the page, session cookie)."""

from __future__ import annotations

import re
import warnings

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from review.app import create_app  # noqa: E402
from review.security import hash_password  # noqa: E402
from storage.db import upgrade  # noqa: E402
from storage.repo import Repository  # noqa: E402

PASSWORD = "sandi-rahasia-1"
ROLES = ("viewer", "reviewer", "admin")


def make_site(db_url: str):
    """(app, repo) on a migrated database with one user per role, named after the role."""
    upgrade(db_url)
    repo = Repository(db_url)
    for role in ROLES:
        repo.add_user(role, hash_password(PASSWORD), role)
    return create_app(repo=repo, secret="k" * 32), repo


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def signed_in(app, username: str) -> TestClient:
    """A client signed in as ``username``, with ``client.csrf`` holding its CSRF token."""
    client = TestClient(app)
    assert sign_in(client, username).status_code == 303
    client.csrf = csrf_of(client.get("/dasbor").text)
    return client
