"""Run the real ``pantau`` command line in a subprocess, as a user would.

Scrapy's reactor cannot restart inside one process, so every crawl in the tests is its own
``python -m pantau`` process against fixture sites on 127.0.0.1 and a real SQLite file. Tests
of what a spider reads and skips need no such process: tests/spiderutil.py runs the spider's
callbacks in the test's own process.

A crawl reads pages in the crawl process unless a test asks for page-reader processes
(``crawl_env(..., workers=2)``): starting them costs more than a fixture site's few pages take
to read. The end-to-end tests of that path (the WordPress crawl in test_crawl.py, classification
during the crawl, a killed crawl, distributed workers, an import classified in a worker) ask for
them; tests/test_workers.py checks they never outlive their crawl.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def crawl_env(work: Path, db_url: str | None = None, *, workers: int = 0, **scrapy_settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANTAU_")}
    env.update({
        "PANTAU_EXTRACT_WORKERS": str(workers),
        "PANTAU_DB_URL": db_url or f"sqlite:///{work / 'pantau.db'}",
        "PANTAU_SOURCES": str(work / "sources.yaml"),
        "PANTAU_LOG_DIR": str(work / "logs"),
        "PANTAU_SCRAPY_DOWNLOAD_TIMEOUT": "3",
        "PANTAU_SCRAPY_RETRY_TIMES": "1",
        "PYTHONPATH": str(REPO),
        "COLUMNS": "200",
    })
    for key, value in scrapy_settings.items():
        env[f"PANTAU_SCRAPY_{key}"] = str(value)
    return env


def write_sources_file(path: Path, entries: list[dict], region: str = "35.13") -> Path:
    path.write_text(yaml.safe_dump({"region": region, "sources": entries}, sort_keys=False), encoding="utf-8")
    return path


def run_pantau(*args: str, env: dict[str, str], cwd: Path, timeout: float = 300,
               input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pantau", *args], env=env, cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout)


def pantau_in_process(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """``pantau ARGS`` run in this process by Typer's CliRunner, in ``cwd`` with ``env``'s PANTAU_
    settings, answered as :func:`run_pantau` answers. For the commands a test runs to read what
    a crawl left (export, runs): the crawl is the real process; starting another one only to
    read its result costs seconds. A crash is an exit code 1 with its traceback on stderr."""
    import traceback

    from typer.testing import CliRunner

    from pantau.cli import app

    settings = {key: None for key in os.environ if key.startswith("PANTAU_")}  # only env's own
    settings.update({key: value for key, value in env.items() if key.startswith("PANTAU_") or key == "COLUMNS"})
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(app, list(args), env=settings)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["pantau", *args], result.exit_code, result.stdout, stderr)


def export_records(env: dict[str, str], cwd: Path) -> list[dict]:
    """What ``pantau export --format jsonl`` prints for the database of ``env`` (in-process)."""
    result = pantau_in_process("export", "--format", "jsonl", env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def closed_port() -> int:
    """A local port nothing listens on (a site that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
