"""Source health: which sources are in trouble, and the alert incidents opened about them.

A source is flagged when it **fails** — its last ``failures`` finished runs (default 3) all
failed — or when it is **silent** — it has been crawled for ``silent_after`` (default 7 days)
since it last brought anything new. Runs that were interrupted (stopped by an operator) or
skipped do not count either way. Only enabled sources are flagged: an admin who switched a
broken site off already knows.

Flags are computed from the run history on every call, so the dashboard and ``pantau status``
are always current. An *incident* (``source_alerts``) remembers that staff were told about a
flag, so an alert goes out once per incident and not after every run; it is resolved when the
flag clears, and the next trouble opens a new one.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from storage.models import ALERT_KINDS, CrawlRun, CrawlRunSource, Source, SourceAlert, SourceState, utcnow
from storage.session import RepositoryBase, require_aware

FAILURE_STREAK = 3
SILENT_AFTER = timedelta(days=7)
FINISHED = ("ok", "partial", "failed")  # source outcomes that count for health

logger = logging.getLogger(__name__)


def limits_from_env() -> dict[str, Any]:
    """``failures`` and ``silent_after`` for :meth:`SourceHealthQueries.source_health` from
    ``PANTAU_ALERT_FAILURES`` (default 3) and ``PANTAU_ALERT_SILENT_DAYS`` (default 7)."""
    limits: dict[str, Any] = {}
    try:
        if os.environ.get("PANTAU_ALERT_FAILURES"):
            limits["failures"] = int(os.environ["PANTAU_ALERT_FAILURES"])
        if os.environ.get("PANTAU_ALERT_SILENT_DAYS"):
            limits["silent_after"] = timedelta(days=float(os.environ["PANTAU_ALERT_SILENT_DAYS"]))
    except ValueError:
        logger.warning("PANTAU_ALERT_FAILURES and PANTAU_ALERT_SILENT_DAYS must be numbers; using 3 and 7")
        return {}
    return limits


class SourceHealthQueries(RepositoryBase):
    def source_health(
        self,
        now: datetime | None = None,
        *,
        failures: int | None = None,
        silent_after: timedelta | None = None,
    ) -> list[dict[str, Any]]:
        """Every known source, by name: its last run, last success, last error, failure streak,
        last new item and ``flags`` (``{"failing": why, "silent": why}``, empty when healthy).
        Limits not given come from the environment (:func:`limits_from_env`), else 3 and 7 days."""
        now = require_aware(now, "now") or utcnow()
        configured = limits_from_env()
        failures = failures if failures is not None else configured.get("failures", FAILURE_STREAK)
        silent_after = silent_after if silent_after is not None else configured.get("silent_after", SILENT_AFTER)
        with self._reading() as session:
            sources = session.execute(
                select(Source, SourceState)
                .outerjoin(SourceState, SourceState.source_id == Source.id)
                .where(~Source.name.startswith("import:"))  # hand imports are not crawled
                .order_by(Source.name)
            ).all()
            return [self._health(session, source, state, now, failures, silent_after)
                    for source, state in sources]

    def _health(self, session, source: Source, state: SourceState | None, now: datetime,
                failures: int, silent_after: timedelta) -> dict[str, Any]:
        outcome = (
            select(CrawlRunSource, CrawlRun)
            .join(CrawlRun, CrawlRun.id == CrawlRunSource.run_id)
            .where(CrawlRunSource.source_id == source.id)
        )
        newest_first = (CrawlRun.started_at.desc(), CrawlRun.id.desc())
        last = session.execute(outcome.order_by(*newest_first).limit(1)).first()
        finished = session.execute(
            outcome.where(CrawlRunSource.status.in_(FINISHED)).order_by(*newest_first).limit(max(failures, 1) * 4)
        ).all()
        streak = 0
        for row, _ in finished:
            if row.status != "failed":
                break
            streak += 1
        first_run_at = session.scalar(
            select(func.min(CrawlRun.started_at))
            .join(CrawlRunSource, CrawlRunSource.run_id == CrawlRun.id)
            .where(CrawlRunSource.source_id == source.id, CrawlRunSource.status.in_(FINISHED))
        )
        last_new_at = session.scalar(
            select(func.max(func.coalesce(CrawlRunSource.finished_at, CrawlRun.finished_at, CrawlRun.started_at)))
            .join(CrawlRun, CrawlRun.id == CrawlRunSource.run_id)
            .where(CrawlRunSource.source_id == source.id, CrawlRunSource.new > 0)
        )
        flags: dict[str, str] = {}
        if source.enabled and failures > 0 and streak >= failures:
            message = finished[0][0].message or (state.last_error if state else None)
            flags["failing"] = f"gagal {streak} kali berturut-turut" + (f" ({message})" if message else "")
        last_finished_at = _ended(*finished[0]) if finished else None
        since = last_new_at or first_run_at
        if (source.enabled and since is not None and last_finished_at is not None
                and last_finished_at - since >= silent_after and now - since >= silent_after):
            days = (now - since).days
            flags["silent"] = (f"tidak ada aduan/berita baru selama {days} hari" if last_new_at
                               else f"belum pernah menghasilkan berita baru ({days} hari sejak pertama diambil)")
        last_row, last_run = last if last else (None, None)
        return {
            "name": source.name,
            "kind": source.kind,
            "enabled": source.enabled,
            "every_seconds": (source.config or {}).get("every_seconds"),
            "last_run_id": last_run.id if last_run else None,
            "last_run_at": last_run.started_at if last_run else (state.last_run_at if state else None),
            "last_run_status": last_row.status if last_row else None,
            "last_run_log": last_run.log_file if last_run else None,
            "last_success_at": state.last_success_at if state else None,
            "last_error": state.last_error if state else None,
            "last_new_at": last_new_at,
            "failure_streak": streak,
            "flags": flags,
        }

    def problem_sources(self, now: datetime | None = None, **limits: Any) -> list[dict[str, Any]]:
        """The flagged sources only (see :meth:`source_health`)."""
        return [health for health in self.source_health(now, **limits) if health["flags"]]

    # -- incidents -------------------------------------------------------------------------

    def open_alert(self, source_name: str, kind: str, detail: str, now: datetime | None = None) -> int | None:
        """Open an incident for this source and kind unless one is open; returns the new id,
        or None when an incident was already open."""
        _check_kind(kind)
        now = require_aware(now, "now") or utcnow()
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            if self._open_alert_in(session, source_id, kind) is not None:
                return None
            alert = SourceAlert(source_id=source_id, kind=kind, detail=detail, opened_at=now)
            session.add(alert)
            session.flush()
            return alert.id

    @staticmethod
    def _open_alert_in(session, source_id: int, kind: str) -> SourceAlert | None:
        return session.scalar(
            select(SourceAlert).where(SourceAlert.source_id == source_id, SourceAlert.kind == kind,
                                      SourceAlert.resolved_at.is_(None))
        )

    def mark_alert_notified(self, alert_id: int, now: datetime | None = None) -> None:
        now = require_aware(now, "now") or utcnow()
        with self._writing() as session:
            session.execute(update(SourceAlert).where(SourceAlert.id == alert_id).values(notified_at=now))

    def resolve_alerts(self, source_name: str, kind: str, now: datetime | None = None) -> int:
        """Close this source's open incident of this kind; returns how many were closed."""
        _check_kind(kind)
        now = require_aware(now, "now") or utcnow()
        with self._writing() as session:
            source_id = self._source_id_in(session, source_name)
            if source_id is None:
                return 0
            result = session.execute(
                update(SourceAlert)
                .where(SourceAlert.source_id == source_id, SourceAlert.kind == kind,
                       SourceAlert.resolved_at.is_(None))
                .values(resolved_at=now)
            )
            return result.rowcount or 0

    def open_alerts(self) -> list[dict[str, Any]]:
        """Incidents not yet resolved, oldest first."""
        with self._reading() as session:
            rows = session.execute(
                select(SourceAlert, Source.name)
                .join(Source, Source.id == SourceAlert.source_id)
                .where(SourceAlert.resolved_at.is_(None))
                .order_by(SourceAlert.id)
            ).all()
            return [_alert_dict(alert, name) for alert, name in rows]

    def alerts(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest incidents, open or resolved."""
        with self._reading() as session:
            rows = session.execute(
                select(SourceAlert, Source.name)
                .join(Source, Source.id == SourceAlert.source_id)
                .order_by(SourceAlert.id.desc())
                .limit(limit)
            ).all()
            return [_alert_dict(alert, name) for alert, name in rows]

    def last_crawl_finished_at(self) -> datetime | None:
        """When the newest finished crawl run ended (for ``/health``)."""
        with self._reading() as session:
            return session.scalar(
                select(func.max(CrawlRun.finished_at)).where(CrawlRun.trigger != "import")
            )


def _ended(row: CrawlRunSource, run: CrawlRun) -> datetime:
    return row.finished_at or run.finished_at or run.started_at


def _check_kind(kind: str) -> None:
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}; expected one of {', '.join(ALERT_KINDS)}")


def _alert_dict(alert: SourceAlert, name: str) -> dict[str, Any]:
    return {"id": alert.id, "source": name, "kind": alert.kind, "detail": alert.detail,
            "opened_at": alert.opened_at, "notified_at": alert.notified_at, "resolved_at": alert.resolved_at}
