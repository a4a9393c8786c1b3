"""Local stand-ins for the alert channels: a fake Telegram Bot API and an SMTP server.

``FakeTelegram`` answers ``POST /bot<token>/sendMessage`` on 127.0.0.1 like the Bot API and keeps
every message it accepted (``.messages``: the JSON bodies); ``fail_with`` makes it answer an
HTTP error instead. ``FakeSmtp`` is an aiosmtpd server keeping every accepted e-mail
(``.messages``: ``email.message.EmailMessage``).
"""

from __future__ import annotations

import json
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.crawlutil import closed_port


class FakeTelegram:
    def __init__(self, token: str = "123456:SECRET-token-for-tests"):
        self.token = token
        self.messages: list[dict] = []
        self.paths: list[str] = []
        self.fail_with: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.paths.append(self.path)
                if fake.fail_with:
                    self._answer(fake.fail_with, {"ok": False, "description": "Internal error"})
                elif self.path != f"/bot{fake.token}/sendMessage":
                    self._answer(404, {"ok": False, "description": "Not Found"})
                else:
                    fake.messages.append(json.loads(body))
                    self._answer(200, {"ok": True, "result": {"message_id": len(fake.messages)}})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self, chat_id: str = "-100777") -> dict[str, str]:
        return {"PANTAU_TELEGRAM_TOKEN": self.token, "PANTAU_TELEGRAM_CHAT_ID": chat_id,
                "PANTAU_TELEGRAM_API": self.url}

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class FakeSmtp:
    def __init__(self) -> None:
        self.port = closed_port()
        self._inbox = _Inbox()
        self._controller = Controller(self._inbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self._inbox.messages

    def env(self, to: str = "diskominfo@probolinggokab.example") -> dict[str, str]:
        return {"PANTAU_SMTP_HOST": "127.0.0.1", "PANTAU_SMTP_PORT": str(self.port), "PANTAU_ALERT_EMAIL": to,
                "PANTAU_SMTP_FROM": "pantau@probolinggokab.example"}

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()
