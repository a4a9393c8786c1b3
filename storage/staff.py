"""Staff accounts for the web interface, and the audit trail of what staff do outside decisions.

Decisions on items are in ``review_actions`` (:mod:`storage.reviews`); everything else a signed-in
person changes — users, sources, taxonomy and OPD routing, merges and splits of cases — and every
sign-in (failed ones too) is appended to ``audit_log`` by :meth:`StaffQueries.audit`. Both trails
are append-only in the database itself.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.models import USER_ROLES, AuditLog, ReviewAction, User, utcnow
from storage.session import RepositoryBase, require_aware


def _user_dict(user: User, *, with_hash: bool = False) -> dict[str, Any]:
    data = {"id": user.id, "username": user.username, "role": user.role, "active": user.active,
            "created_at": user.created_at,
            # Changes whenever the password does, so sessions can end then; not the hash itself.
            "credential_tag": hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]}
    if with_hash:
        data["password_hash"] = user.password_hash
    return data


class StaffQueries(RepositoryBase):
    # -- accounts ---------------------------------------------------------------------------

    def user_for_login(self, username: str) -> dict[str, Any] | None:
        """A user with its password hash (for checking a sign-in), or None."""
        with self._reading() as session:
            user = session.scalar(select(User).where(User.username == (username or "").strip()))
            return _user_dict(user, with_hash=True) if user else None

    def user(self, user_id: int) -> dict[str, Any] | None:
        with self._reading() as session:
            user = session.get(User, user_id)
            return _user_dict(user) if user else None

    def users(self) -> list[dict[str, Any]]:
        with self._reading() as session:
            return [_user_dict(user) for user in session.scalars(select(User).order_by(User.username))]

    def update_user(self, user_id: int, *, role: str | None = None, active: bool | None = None,
                    password_hash: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Change a user's role, active flag or password hash; returns (before, after) without
        hashes. ``ValueError`` for an unknown user or role."""
        if role is not None and role not in USER_ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(USER_ROLES)}")
        with self._writing() as session:
            user = session.get(User, user_id)
            if user is None:
                raise ValueError(f"no user with id {user_id}")
            before = {"role": user.role, "active": user.active}
            if role is not None:
                user.role = role
            if active is not None:
                user.active = active
            if password_hash:
                user.password_hash = password_hash
            after = {"role": user.role, "active": user.active}
            if password_hash:
                after["password"] = "changed"
            return before, after

    # -- audit trail ------------------------------------------------------------------------

    def audit(self, action: str, *, user_id: int | None = None, username: str | None = None,
              target: str | None = None, before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None, ip: str | None = None,
              at: datetime | None = None) -> int:
        """Append one entry to the audit trail; returns its id."""
        at = require_aware(at, "at") or utcnow()
        with self._writing() as session:
            entry = AuditLog(at=at, user_id=user_id, username=username, action=action, target=target,
                             before=before, after=after, ip=ip)
            session.add(entry)
            session.flush()
            return entry.id

    def audit_entries(self, limit: int = 100, *, action: str | None = None) -> list[dict[str, Any]]:
        """The newest entries first."""
        stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if action is not None:
            stmt = stmt.where(AuditLog.action == action)
        with self._reading() as session:
            return [{"id": e.id, "at": e.at, "user_id": e.user_id, "username": e.username,
                     "action": e.action, "target": e.target, "before": e.before, "after": e.after,
                     "ip": e.ip} for e in session.scalars(stmt)]

    def decisions_by(self, user_id: int, limit: int = 10) -> list[dict[str, Any]]:
        """A user's latest decisions on items, newest first (the queue's "last ten")."""
        stmt = (select(ReviewAction).where(ReviewAction.user_id == user_id)
                .order_by(ReviewAction.at.desc(), ReviewAction.id.desc()).limit(limit))
        with self._reading() as session:
            return [{"id": a.id, "item_id": a.item_id, "action": a.action, "from_status": a.from_status,
                     "to_status": a.to_status, "before": a.before, "after": a.after, "at": a.at}
                    for a in session.scalars(stmt)]
