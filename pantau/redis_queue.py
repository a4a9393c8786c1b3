"""The Redis side of a distributed crawl (see :mod:`pantau.distributed`): the names of a job's
keys, the queue whose pop is a claim, and the JSON form requests travel in.

A request popped from a source's queue moves into the popping worker's claims list in the same
command (``LMOVE``, the reliable-queue pattern), so at every moment it is either queued or held
by one worker; settling it removes it from the claims, giving back moves it to the queue again.
Requests are JSON with bytes, datetimes and byte-keyed dicts (headers) tagged — not scrapy-redis'
default pickle, so write access to Redis does not let anyone run code in the workers.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from scrapy import Request
from scrapy_redis.queue import FifoQueue


class JobKeys:
    """The Redis keys of one source in one job."""

    def __init__(self, prefix: str, job: str, source: str):
        self.base = f"{prefix}:{job}:{source}"
        self.queue = f"{self.base}:requests"
        self.dupefilter = f"{self.base}:dupefilter"
        self.seeder = f"{self.base}:seeder"  # the worker discovering, while it lives
        self.discovered = f"{self.base}:discovered"  # discovery is done
        self.workers = f"{self.base}:workers"  # every worker that joined and has not left
        self.crawl_delay = f"{self.base}:crawl_delay"  # robots.txt Crawl-delay, as the seeder read it

    def claims(self, worker: str) -> str:
        return f"{self.base}:claims:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.base}:alive:{worker}"

    def job_keys(self) -> list[str]:
        return [self.queue, self.dupefilter, self.seeder, self.discovered, self.workers, self.crawl_delay]


class TaggedJson:
    """Requests as JSON: bytes, datetimes and byte-keyed dicts (headers) tagged."""

    @staticmethod
    def dumps(obj: dict) -> bytes:
        return json.dumps(_tag(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def loads(data: bytes) -> dict:
        obj = json.loads(data, object_hook=_untag)
        if not str(obj.get("_class", "scrapy.")).startswith("scrapy."):
            raise ValueError(f"refusing a queued request of class {obj['_class']!r}")
        return obj


def _tag(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: _tag(item) for key, item in value.items()}
        return {"$map": [[_tag(key), _tag(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_tag(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot queue a request carrying a {type(value).__name__} in Redis")


def _untag(obj: dict) -> Any:
    if len(obj) == 1:
        if "$b" in obj:
            return base64.b64decode(obj["$b"])
        if "$dt" in obj:
            return datetime.fromisoformat(obj["$dt"])
        if "$map" in obj:
            return {(tuple(k) if isinstance(k, list) else k): v for k, v in obj["$map"]}
    return obj


class ClaimingQueue(FifoQueue):
    """scrapy-redis' FIFO queue whose pop moves the request into this worker's claims list in the
    same command, so a request is always either queued or claimed by a worker."""

    def __init__(self, server, spider, key: str, claims_key: str, serializer=None):
        super().__init__(server, spider, key, serializer=serializer)
        self.claims_key = claims_key

    def claim(self) -> tuple[bytes, Request] | None:
        data = self.server.lmove(self.key, self.claims_key, "RIGHT", "LEFT")
        return None if data is None else (data, self._decode_request(data))

    def settle(self, data: bytes) -> None:
        self.server.lrem(self.claims_key, 1, data)

    def give_back(self, claims_key: str) -> int:
        """Move every request claimed under ``claims_key`` back to the head of the queue."""
        moved = 0
        while self.server.lmove(claims_key, self.key, "RIGHT", "RIGHT") is not None:
            moved += 1
        return moved
