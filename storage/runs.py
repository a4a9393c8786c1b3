"""Crawl-run bookkeeping: runs, each source's outcome within a run, and the errors met.

A run is opened as ``running`` with a row per source, closed with its totals, and shown by
``pantau runs``. A crawler killed mid-run cannot close its own run, so ``close_stale_runs``
marks runs whose process is gone as ``interrupted``.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from storage.models import (
    RUN_SOURCE_STATUSES,
    RUN_STATUSES,
    CrawlError,
    CrawlRun,
    CrawlRunSource,
    Source,
    utcnow,
)
from storage.session import RepositoryBase, insert_ignoring, require_aware, upsert

# A run without a pid (or from another machine) that is still "running" after this long is
# assumed dead: no crawl of a single office's sources legitimately takes half a day.
STALE_AFTER = timedelta(hours=12)
ERROR_SAMPLES = 5


def _check_status(status: str, allowed: tuple[str, ...]) -> None:
    if status not in allowed:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(allowed)}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but belongs to another user
        return True
    return True


class CrawlRunQueries(RepositoryBase):
    def start_run(
        self,
        source_names: list[str],
        since: datetime | None,
        trigger: str = "cli",
        pid: int | None = None,
    ) -> int:
        """Open a ``running`` run with a ``pending`` row for each source; returns the run id."""
        require_aware(since, "since")
        with self._writing() as session:
            run = CrawlRun(
                status="running", trigger=trigger, since=since, pid=pid, host=socket.gethostname()
            )
            session.add(run)
            session.flush()
            rows = [
                {"run_id": run.id, "source_id": self._ensure_source(session, name)}
                for name in dict.fromkeys(source_names)  # de-duplicated, order kept
            ]
            insert_ignoring(session, CrawlRunSource, rows, conflict=["run_id", "source_id"])
            return run.id

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        pages: int,
        new: int,
        duplicates: int,
        errors: int,
        skipped: int = 0,
        exit_code: int | None = None,
    ) -> None:
        _check_status(status, RUN_STATUSES)
        values = {"exit_code": exit_code} if exit_code is not None else {}
        with self._writing() as session:
            session.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(
                    status=status,
                    finished_at=utcnow(),
                    pages=pages,
                    new=new,
                    duplicates=duplicates,
                    errors=errors,
                    skipped=skipped,
                    **values,
                )
            )

    def set_run_log(self, run_id: int, log_file: str) -> None:
        """Record where the run writes its log (known once the run has its id)."""
        with self._writing() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(log_file=log_file))

    def settle_process_run(
        self,
        pid: int,
        started_after: datetime,
        exit_code: int,
        *,
        interrupted: bool = False,
        source_names: list[str] | None = None,
        log_file: str | None = None,
    ) -> int:
        """Close the books on the crawl run of a child process that has exited (``pantau
        schedule``): record its exit code; if the process died before closing its run, mark the
        run (and its unfinished sources) ``interrupted`` when it was stopped on purpose, else
        ``failed``. A process that died before it could open a run gets a failed run of its own
        for ``source_names``, so every attempt shows in the history. Returns the run id."""
        require_aware(started_after, "started_after")
        host = socket.gethostname()
        now = utcnow()
        with self._writing() as session:
            run = session.scalars(
                select(CrawlRun)
                .where(CrawlRun.pid == pid, CrawlRun.host == host, CrawlRun.started_at >= started_after)
                .order_by(CrawlRun.id.desc())
                .limit(1)
                .with_for_update()
            ).first()
            if run is None:
                run = CrawlRun(status="running", trigger="schedule", pid=pid, host=host, started_at=started_after)
                session.add(run)
                session.flush()
                rows = [{"run_id": run.id, "source_id": self._ensure_source(session, name)}
                        for name in dict.fromkeys(source_names or [])]
                insert_ignoring(session, CrawlRunSource, rows, conflict=["run_id", "source_id"])
            run.exit_code = exit_code
            if log_file and not run.log_file:
                run.log_file = log_file
            if run.status == "running":
                outcome = "interrupted" if interrupted else "failed"
                run.status, run.finished_at = outcome, now
                message = None if interrupted else f"crawl process exited with code {exit_code}"
                session.execute(
                    update(CrawlRunSource)
                    .where(CrawlRunSource.run_id == run.id, CrawlRunSource.status.in_(["pending", "running"]))
                    .values(status=outcome, finished_at=now, message=message)
                )
            return run.id

    def record_run_source(
        self,
        run_id: int,
        source_name: str,
        *,
        status: str,
        pages: int,
        new: int,
        duplicates: int,
        errors: int,
        started_at: datetime | None,
        finished_at: datetime | None,
        message: str | None = None,
        skipped: int = 0,
        skipped_reasons: dict[str, int] | None = None,
    ) -> None:
        """Record (or overwrite) one source's outcome within a run; ``skipped`` pages were
        fetched but not stored, ``skipped_reasons`` says how many for each reason code."""
        _check_status(status, RUN_SOURCE_STATUSES)
        require_aware(started_at, "started_at")
        require_aware(finished_at, "finished_at")
        reasons = {str(code): int(n) for code, n in (skipped_reasons or {}).items() if n}
        skipped = max(skipped, sum(reasons.values()))  # a total never smaller than its parts
        values = {
            "status": status,
            "pages": pages,
            "new": new,
            "duplicates": duplicates,
            "errors": errors,
            "skipped": skipped,
            "skipped_reasons": reasons,
            "started_at": started_at,
            "finished_at": finished_at,
            "message": message,
        }
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            upsert(
                session,
                CrawlRunSource,
                {"run_id": run_id, "source_id": source_id, **values},
                conflict=["run_id", "source_id"],
                update=list(values),
            )

    def close_stale_runs(self, now: datetime | None = None) -> int:
        """Mark ``running`` runs whose process is gone as ``interrupted``; returns how many.

        A run's pid is checked only on the host that started it; runs with no pid, or from
        another host, count as gone once older than :data:`STALE_AFTER`.
        """
        now = require_aware(now, "now") or utcnow()
        host = socket.gethostname()
        with self._writing() as session:
            running = session.scalars(
                select(CrawlRun).where(CrawlRun.status == "running").with_for_update()
            ).all()
            stale = [run for run in running if self._is_stale(run, now, host)]
            for run in stale:
                run.status = "interrupted"
                run.finished_at = now
            if stale:
                session.execute(
                    update(CrawlRunSource)
                    .where(
                        CrawlRunSource.run_id.in_([run.id for run in stale]),
                        CrawlRunSource.status.in_(["pending", "running"]),
                    )
                    .values(status="interrupted", finished_at=now)
                )
            return len(stale)

    @staticmethod
    def _is_stale(run: CrawlRun, now: datetime, host: str) -> bool:
        if run.pid is not None and run.host == host:
            return not _pid_alive(run.pid)
        return now - run.started_at > STALE_AFTER

    def recent_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs first, each with its per-source outcomes and a few error samples."""
        with self._reading() as session:
            runs = session.scalars(
                select(CrawlRun)
                .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                .limit(limit)
            ).all()
            return [self._run_dict(session, run) for run in runs]

    def _run_dict(self, session, run: CrawlRun) -> dict[str, Any]:
        sources = session.execute(
            select(Source.name, CrawlRunSource)
            .join(Source, Source.id == CrawlRunSource.source_id)
            .where(CrawlRunSource.run_id == run.id)
            .order_by(CrawlRunSource.id)
        ).all()
        return {
            "id": run.id,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "status": run.status,
            "trigger": run.trigger,
            "since": run.since,
            "pid": run.pid,
            "pages": run.pages,
            "new": run.new,
            "duplicates": run.duplicates,
            "errors": run.errors,
            "skipped": run.skipped,
            "skipped_reasons": dict(sum((Counter(rs.skipped_reasons or {}) for _, rs in sources), Counter())),
            "exit_code": run.exit_code,
            "log_file": run.log_file,
            "sources": [
                {
                    "name": name,
                    "status": rs.status,
                    "pages": rs.pages,
                    "new": rs.new,
                    "duplicates": rs.duplicates,
                    "errors": rs.errors,
                    "skipped": rs.skipped,
                    "skipped_reasons": dict(rs.skipped_reasons or {}),
                    "message": rs.message,
                    "started_at": rs.started_at,
                    "finished_at": rs.finished_at,
                }
                for name, rs in sources
            ],
            "error_samples": [
                {k: error[k] for k in ("source", "url", "kind", "status", "message")}
                for error in self._errors(session, run.id, limit=ERROR_SAMPLES)
            ],
        }

    def run_summary(self, run_id: int) -> dict[str, Any] | None:
        """One run as :meth:`recent_runs` shows it, or None."""
        with self._reading() as session:
            run = session.get(CrawlRun, run_id)
            return self._run_dict(session, run) if run is not None else None

    def last_run_started(self, source_name: str) -> datetime | None:
        """When the newest crawl run that included this source started (None: never)."""
        with self._reading() as session:
            return session.scalar(
                select(func.max(CrawlRun.started_at))
                .join(CrawlRunSource, CrawlRunSource.run_id == CrawlRun.id)
                .join(Source, Source.id == CrawlRunSource.source_id)
                .where(Source.name == source_name)
            )

    def runs_of_source(self, source_name: str, limit: int = 100) -> list[dict[str, Any]]:
        """The source's outcomes in its newest runs, newest first: run id, trigger, status,
        counts, started_at, finished_at (the source's own times, else the run's)."""
        with self._reading() as session:
            rows = session.execute(
                select(CrawlRunSource, CrawlRun)
                .join(CrawlRun, CrawlRun.id == CrawlRunSource.run_id)
                .join(Source, Source.id == CrawlRunSource.source_id)
                .where(Source.name == source_name)
                .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                .limit(limit)
            ).all()
            return [
                {"run_id": run.id, "trigger": run.trigger, "status": rs.status, "exit_code": run.exit_code,
                 "pages": rs.pages, "new": rs.new, "duplicates": rs.duplicates, "errors": rs.errors,
                 "skipped": rs.skipped, "skipped_reasons": dict(rs.skipped_reasons or {}),
                 "run_started_at": run.started_at, "run_finished_at": run.finished_at,
                 "started_at": rs.started_at or run.started_at, "finished_at": rs.finished_at or run.finished_at,
                 "log_file": run.log_file, "message": rs.message}
                for rs, run in rows
            ]

    def errors_for_run(self, run_id: int) -> list[dict[str, Any]]:
        """Every error of a run in the order met: id, source, url, kind, status, message, at."""
        with self._reading() as session:
            return self._errors(session, run_id)

    @staticmethod
    def _errors(session, run_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        stmt = (
            select(CrawlError, Source.name)
            .join(Source, Source.id == CrawlError.source_id)
            .where(CrawlError.run_id == run_id)
            .order_by(CrawlError.id)
            .limit(limit)
        )
        return [
            {
                "id": error.id,
                "source": name,
                "url": error.url,
                "kind": error.kind,
                "status": error.status,
                "message": error.message,
                "at": error.at,
            }
            for error, name in session.execute(stmt)
        ]

    def add_error(
        self,
        run_id: int | None,
        source_name: str,
        url: str,
        kind: str,
        message: str,
        status: int | None = None,
    ) -> None:
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            session.add(
                CrawlError(
                    run_id=run_id,
                    source_id=source_id,
                    url=url,
                    kind=kind,
                    status=status,
                    message=message,
                )
            )
