"""Turn a failed request into words a Diskominfo admin can act on.

Scrapy reports failures as Twisted failures of many exception types; the crawl records one of a
few stable kinds (``http``, ``timeout``, ``dns``, ``connection``, ``redirect``, ``robots``,
``too_large``, ``other``) with a short message.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error


def describe_failure(failure) -> tuple[str, int | None, str]:
    """(kind, HTTP status or None, message) for a request's failure."""
    exc = failure.value
    if failure.check(HttpError):
        status = exc.response.status
        return "http", status, f"HTTP {status}: the server refused or lost this page"
    if failure.check(error.DNSLookupError):
        return "dns", None, "the domain name does not resolve (typo in the URL, or the site is gone)"
    if failure.check(defer.TimeoutError, error.TimeoutError, error.TCPTimedOutError):
        return "timeout", None, "no answer in time (DOWNLOAD_TIMEOUT); the site may be slow or down"
    if failure.check(error.ConnectionRefusedError, error.ConnectError, error.ConnectionLost,
                     error.ConnectionDone):
        return "connection", None, f"could not connect: {exc.__class__.__name__}"
    text = str(exc)
    if failure.check(IgnoreRequest):
        if "robots.txt" in text:
            return "robots", None, "the site's robots.txt forbids crawling this page"
        if "redirection" in text:
            return "redirect", None, "too many redirects (a redirect loop or a very long chain)"
    lowered = text.lower()
    if "maxsize" in lowered or "download_maxsize" in lowered or "larger than" in lowered \
            or failure.check(defer.CancelledError):
        return "too_large", None, f"the page is larger than the size cap ({text})"
    name = exc.__class__.__name__
    if "Timeout" in name:
        return "timeout", None, f"no answer in time ({name})"
    return "other", None, f"{name}: {text}"[:500]
