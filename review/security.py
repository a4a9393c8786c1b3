"""Sign-in, sessions, roles, CSRF and security headers for the web interface.

- Passwords: argon2id (``argon2-cffi``), rehashed on sign-in when the parameters change.
- Sessions: Starlette's signed cookie (itsdangerous), HttpOnly, SameSite=Lax, with an expiry
  (``PANTAU_SESSION_HOURS``, default 8); ``Secure`` when ``PANTAU_COOKIE_SECURE=1`` (behind HTTPS).
  The session holds the user id only; the user's role and active flag are read from the database
  on every request, so a demotion or deactivation takes effect at once.
- CSRF: one random token per session, required on every state-changing request as the form field
  ``csrf_token`` or the ``X-CSRF-Token`` header (HTMX sends it from ``hx-headers`` on ``<body>``).
- Throttling: after :data:`MAX_FAILURES` failed sign-ins for one user name or one address within
  :data:`WINDOW` seconds, further attempts are refused until the window passes.
- Roles: ``viewer`` < ``reviewer`` < ``admin``; :func:`require` checks on the server per route.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request

ROLE_RANK = {"viewer": 1, "reviewer": 2, "admin": 3}
ROLE_LABELS = {"viewer": "Pembaca", "reviewer": "Peninjau", "admin": "Admin"}
MAX_FAILURES = 5
WINDOW = 15 * 60
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not tell names apart.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    if not password or len(password) < 8:
        raise ValueError("kata sandi minimal 8 karakter")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password or "") and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


class LoginThrottle:
    """Failed sign-ins per user name and per client address, in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW):
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = [int(times[0] + self.window - now) + 1
                     for key in (f"u:{username.lower()}", f"ip:{ip}")
                     if len(times := self._recent(key, now)) >= self.max_failures]
        return max(waits, default=0)

    def failed(self, username: str, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{username.lower()}", f"ip:{ip}"):
                self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.lower()}", None)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str

    def can(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class NotSignedIn(Exception):
    """Raised for an anonymous visitor; the app turns it into a redirect to the login page."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """App-wide dependency: a state-changing request must carry the session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            given = (await request.form()).get("csrf_token")
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "Token keamanan (CSRF) tidak cocok. Muat ulang halaman lalu coba lagi.")


def current_user(request: Request) -> CurrentUser:
    """The signed-in, active user; :class:`NotSignedIn` otherwise."""
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        raise NotSignedIn()
    user = request.app.state.repo.user(user_id)
    if user is None or not user["active"] or request.session.get("ver") != _session_version(user):
        request.session.pop("uid", None)
        raise NotSignedIn()
    return CurrentUser(user["id"], user["username"], user["role"])


def _session_version(user: dict) -> str:
    """Changes when the account is recreated under the same id or its password changes: the
    sessions signed in before end (a password reset locks out whoever knew the old one)."""
    return f"{user['id']}:{user['created_at'].timestamp():.0f}:{user['credential_tag']}"


def sign_in(request: Request, user: dict) -> None:
    request.session.clear()  # a fresh session (and CSRF token) at sign-in: no fixation
    request.session.update({"uid": user["id"], "ver": _session_version(user),
                            "csrf": secrets.token_urlsafe(32)})


def require(role: str):
    """Route dependency: the signed-in user, with at least ``role``; 403 otherwise."""

    def dependency(user: CurrentUser = Depends(current_user)) -> CurrentUser:
        if not user.can(role):
            raise HTTPException(403, f"Halaman atau tindakan ini hanya untuk peran {ROLE_LABELS[role]} ke atas.")
        return user

    return dependency


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"
