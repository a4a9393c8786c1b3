"""Tell staff when a source breaks: the log always, a Telegram chat or an e-mail when configured.

:func:`check_sources` compares each source's health (``storage.health``: failing three runs in a
row, or nothing new for a week) with the open incidents: a new flag opens an incident, is logged
and sent once; a flag that clears resolves its incident ("recovered" in the log), so the next
trouble is announced again. A message that could not be sent is retried at the next check.

Channels are off until configured through the environment:

* Telegram: ``PANTAU_TELEGRAM_TOKEN`` and ``PANTAU_TELEGRAM_CHAT_ID`` (Bot API ``sendMessage``;
  ``PANTAU_TELEGRAM_API`` changes the base URL, default ``https://api.telegram.org``).
* Thresholds: ``PANTAU_ALERT_FAILURES`` (failed runs in a row, default 3) and
  ``PANTAU_ALERT_SILENT_DAYS`` (days without anything new, default 7), see ``storage.health``.
* E-mail: ``PANTAU_SMTP_HOST`` and ``PANTAU_ALERT_EMAIL`` (comma-separated recipients), with
  ``PANTAU_SMTP_PORT`` (default 25; 465 = implicit TLS), ``PANTAU_SMTP_USER``,
  ``PANTAU_SMTP_PASSWORD`` and ``PANTAU_SMTP_FROM``. STARTTLS is used whenever the server offers it.

Tokens and passwords never reach the log: errors are reported without the request URL, and any
secret that still shows up in a message is masked.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

logger = logging.getLogger(__name__)

DEFAULT_TELEGRAM_API = "https://api.telegram.org"
SEND_TIMEOUT = 15  # seconds; an alert must never hold up the scheduler for long


class Notifier(Protocol):
    name: str

    def send(self, subject: str, text: str) -> None: ...


class AlertError(RuntimeError):
    """A message could not be delivered (its text is safe to log)."""


def _mask(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass
class TelegramNotifier:
    token: str
    chat_id: str
    api_base: str = DEFAULT_TELEGRAM_API
    name: str = "telegram"

    def send(self, subject: str, text: str) -> None:
        url = f"{self.api_base.rstrip('/')}/bot{self.token}/sendMessage"
        body = json.dumps({"chat_id": self.chat_id, "text": f"{subject}\n\n{text}",
                           "disable_web_page_preview": True}).encode("utf-8")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
                answer = json.loads(response.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError as exc:  # the URL (with the token) stays out of the message
            detail = exc.read().decode("utf-8", "replace")[:200]
            raise AlertError(_mask(f"Telegram answered HTTP {exc.code}: {detail}", self.token)) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AlertError(_mask(f"cannot reach Telegram: {reason}", self.token)) from None
        if not answer.get("ok", False):
            raise AlertError(_mask(f"Telegram refused the message: {answer.get('description', answer)}", self.token))


@dataclass
class EmailNotifier:
    host: str
    recipients: list[str]
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    name: str = "email"

    def send(self, subject: str, text: str) -> None:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender or self.user or "pantau@localhost"
        message["To"] = ", ".join(self.recipients)
        message.set_content(text)
        try:
            if self.port == 465:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=SEND_TIMEOUT,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=SEND_TIMEOUT)
            with client:
                client.ehlo()
                if self.port != 465 and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise AlertError(_mask(f"cannot send e-mail through {self.host}:{self.port}: {exc}",
                                   self.password)) from None


def notifiers_from_env(environ: Mapping[str, str] | None = None) -> list[Notifier]:
    """The channels configured in the environment (none by default)."""
    env = os.environ if environ is None else environ
    channels: list[Notifier] = []
    token, chat = env.get("PANTAU_TELEGRAM_TOKEN"), env.get("PANTAU_TELEGRAM_CHAT_ID")
    if token and chat:
        channels.append(TelegramNotifier(token, chat, env.get("PANTAU_TELEGRAM_API") or DEFAULT_TELEGRAM_API))
    elif token or chat:
        logger.warning("Telegram alerts need both PANTAU_TELEGRAM_TOKEN and PANTAU_TELEGRAM_CHAT_ID; not sending")
    host, recipients = env.get("PANTAU_SMTP_HOST"), env.get("PANTAU_ALERT_EMAIL")
    if host and recipients:
        try:
            port = int(env.get("PANTAU_SMTP_PORT") or 25)
        except ValueError:
            logger.warning("PANTAU_SMTP_PORT is not a number; e-mail alerts are off")
        else:
            channels.append(EmailNotifier(
                host=host, port=port, recipients=[r.strip() for r in recipients.split(",") if r.strip()],
                user=env.get("PANTAU_SMTP_USER") or None, password=env.get("PANTAU_SMTP_PASSWORD") or None,
                sender=env.get("PANTAU_SMTP_FROM") or None))
    elif host or recipients:
        logger.warning("E-mail alerts need both PANTAU_SMTP_HOST and PANTAU_ALERT_EMAIL; not sending")
    return channels


KIND_TITLES = {"failing": "gagal berulang", "silent": "tidak menghasilkan berita baru"}


def alert_text(health: dict, kind: str) -> tuple[str, str]:
    """Subject and body (Indonesian, for staff) of an alert about one source."""
    subject = f"Pantau: sumber {health['name']} bermasalah ({KIND_TITLES[kind]})"
    lines = [f"Sumber {health['name']}: {health['flags'][kind]}."]
    if health.get("last_success_at"):
        lines.append(f"Terakhir berhasil: {health['last_success_at']:%Y-%m-%d %H:%M} UTC.")
    else:
        lines.append("Belum pernah berhasil.")
    if health.get("last_run_log"):
        lines.append(f"Log pengambilan terakhir: {health['last_run_log']}")
    lines.append("Periksa alamat situs di sources.yaml, atau matikan sumber ini bila situsnya sudah tidak ada.")
    return subject, "\n".join(lines)


def check_sources(repo, notifiers: list[Notifier] | None = None, *, now: datetime | None = None,
                  names: list[str] | None = None) -> list[dict]:
    """Open, announce and resolve incidents from the sources' current health. Returns what
    happened: ``{"source", "kind", "event": opened|notified|resolved|failed_to_send, "channel"?}``."""
    notifiers = notifiers_from_env() if notifiers is None else notifiers
    events: list[dict] = []
    open_now = {(alert["source"], alert["kind"]): alert for alert in repo.open_alerts()}
    for health in repo.source_health(now):
        name = health["name"]
        if names is not None and name not in names:
            continue
        for kind in ("failing", "silent"):
            alert = open_now.get((name, kind))
            if kind in health["flags"]:
                if alert is None:
                    alert_id = repo.open_alert(name, kind, health["flags"][kind], now)
                    if alert_id is None:  # another process opened it meanwhile
                        continue
                    logger.warning("Source %(source)s is flagged: %(why)s",
                                   {"source": name, "why": health["flags"][kind]})
                    events.append({"source": name, "kind": kind, "event": "opened"})
                    alert = {"id": alert_id, "notified_at": None}
                if alert["notified_at"] is None and notifiers:
                    events += _announce(repo, notifiers, alert["id"], health, kind, now)
            elif alert is not None:
                repo.resolve_alerts(name, kind, now)
                logger.info("Source %(source)s recovered (%(kind)s)", {"source": name, "kind": kind})
                events.append({"source": name, "kind": kind, "event": "resolved"})
    return events


def _announce(repo, notifiers: list[Notifier], alert_id: int, health: dict, kind: str,
              now: datetime | None) -> list[dict]:
    subject, text = alert_text(health, kind)
    events, sent = [], False
    for notifier in notifiers:
        try:
            notifier.send(subject, text)
        except AlertError as exc:
            logger.error("Could not send the alert about %(source)s by %(channel)s: %(error)s",
                         {"source": health["name"], "channel": notifier.name, "error": exc})
            events.append({"source": health["name"], "kind": kind, "event": "failed_to_send",
                           "channel": notifier.name})
        else:
            sent = True
            logger.info("Alert about %(source)s sent by %(channel)s",
                        {"source": health["name"], "channel": notifier.name})
            events.append({"source": health["name"], "kind": kind, "event": "notified", "channel": notifier.name})
    if sent:  # one channel getting through is enough; a total failure is retried next check
        repo.mark_alert_notified(alert_id, now)
    return events
