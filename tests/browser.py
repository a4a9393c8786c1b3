"""Real headless Chromium against a real Pantau web server, for the end-to-end tests.

``web_server(repo)`` runs the FastAPI app under uvicorn in a background thread on a free local
port; ``chromium()`` launches the system Chromium through Playwright (``/usr/bin/chromium``, or
``$PANTAU_CHROMIUM``; Playwright cannot download browsers here). Playwright's sync API runs its own
event loop, so these tests live apart from any Twisted-reactor test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from review.app import create_app

CHROMIUM = os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def web_server(repo):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(repo=repo, secret="e2e-" * 8), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"no Chromium at {CHROMIUM}: .ci/run installs the Debian package `chromium`")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()
