"""Load and validate the sources file (``sources.yaml``).

The sources file is what a Diskominfo admin edits by hand, so every error names the file, the
line, the source and the key, and says what to do. The scheduler, the CLI and the web interface
use it. What it builds for each entry, :class:`~spiders.source.Source`, lives below it in
``spiders`` (spiders read it and never import ``pantau``) and is re-exported here.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from spiders.source import NEWS_KINDS, Source  # Source: re-exported, the type every caller gets

DEFAULT_SOURCES_FILE = "sources.yaml"
# The office Pantau serves unless the sources file says otherwise: the one place these defaults live
# (region names, notices and reports are derived from them, see pantau/office.py).
DEFAULT_REGION = "35.13"
DEFAULT_OFFICE = "Diskominfo"

KINDS = (*NEWS_KINDS, "x", "feed")
SELECTOR_KEYS = ("article_links", "next_page", "title", "published_at", "author", "body")
SOURCE_KEYS = (
    "name", "kind", "url", "query", "api_base", "every", "enabled", "max_pages", "delay",
    "concurrency", "selectors", "social", "max_posts", "max_posts_per_month", "subdomains",
)
POST_CAP_KEYS = ("max_posts", "max_posts_per_month")  # X sources only: the API bills every post read
TOP_KEYS = ("region", "office", "sources")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_EVERY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_REGION_RE = re.compile(r"^\d{2}(\.\d{2}){1,3}(\.\d{4})?$")


class ConfigError(ValueError):
    """A problem in the sources file, with enough context to fix it."""

    def __init__(self, path: str | Path, message: str, *, source: str | None = None,
                 key: str | None = None, line: int | None = None):
        self.path = str(path)
        self.source = source
        self.key = key
        self.line = line
        self.detail = message
        where = self.path + (f":{line}" if line else "")
        parts = [where]
        if source is not None:
            parts.append(f"source '{source}'")
        if key is not None:
            parts.append(f"key '{key}'")
        super().__init__(": ".join(parts) + f": {message}")


@dataclass(frozen=True)
class SourcesFile:
    path: Path
    region: str
    sources: tuple[Source, ...]
    office: str = DEFAULT_OFFICE

    def get(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "(none)"
        raise ConfigError(self.path, f"no source named '{name}'. Known sources: {known}")

    def select(self, only: list[str] | None = None, *, include_disabled: bool = False) -> list[Source]:
        if only:
            return [self.get(name) for name in only]
        return [s for s in self.sources if s.enabled or include_disabled]


def sources_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get("PANTAU_SOURCES") or DEFAULT_SOURCES_FILE)


def parse_every(value: Any) -> timedelta:
    """``30m`` → 30 minutes. A bare number means minutes? No: it must carry a unit."""
    match = _EVERY_RE.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not an interval: write a number with s, m, h or d, e.g. 30m")
    amount, unit = float(match.group(1)), match.group(2)
    seconds = amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    if seconds < 60:
        raise ValueError(f"'{value}' is too short: crawl a site at most once a minute")
    return timedelta(seconds=seconds)


def load_sources(path: str | Path | None = None) -> SourcesFile:
    """Read and validate a sources file; raise :class:`ConfigError` on the first problem."""
    path = sources_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file not found. Create it (see README, 'The sources file') "
                                "or pass --sources FILE / set PANTAU_SOURCES") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from None
    return parse_sources(text, path)


def load_office_keys(path: str | Path | None = None) -> tuple[str, str]:
    """``(region, office)`` of a sources file, the defaults when there is none. Only the top-level
    keys are read: a mistake in a source entry does not change which office the file is for."""
    path = sources_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_REGION, DEFAULT_OFFICE
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read the file: {exc}") from None
    return _office_keys(_top(text, path), path)


def parse_sources(text: str, path: str | Path = DEFAULT_SOURCES_FILE) -> SourcesFile:
    path = Path(path)
    top = _top(text, path)
    region, office = _office_keys(top, path)
    if "sources" not in top:
        raise ConfigError(path, "missing the 'sources:' list", key="sources")
    list_node, key_node = top["sources"]
    if not isinstance(list_node, yaml.SequenceNode):
        raise ConfigError(path, "must be a list of sources (each item starts with '- name: ...')",
                          key="sources", line=key_node.start_mark.line + 1)
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(list_node.value, start=1):
        source = _source(node, index, path)
        line = node.start_mark.line + 1
        if source.name in seen:
            raise ConfigError(path, f"duplicate name (first used on line {seen[source.name]}); "
                                    "every source needs its own name",
                              source=source.name, key="name", line=line)
        seen[source.name] = line
        sources.append(source)
    return SourcesFile(path=path, region=region, sources=tuple(sources), office=office)


def _top(text: str, path: Path) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The sources file's top-level mapping, its keys checked."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, f"not valid YAML ({problem})", line=line) from None
    if root is None:
        raise ConfigError(path, "the file is empty: it needs a 'sources:' list")
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(path, "the top level must be a mapping with 'region' and 'sources'",
                          line=root.start_mark.line + 1)
    top = _mapping(root, path, None)
    for key, (_, key_node) in top.items():
        if key not in TOP_KEYS:
            raise ConfigError(path, _unknown(key, TOP_KEYS), key=key, line=key_node.start_mark.line + 1)
    return top


def _office_keys(top: dict[str, tuple[yaml.Node, yaml.Node]], path: Path) -> tuple[str, str]:
    region = DEFAULT_REGION
    if "region" in top:
        value_node, key_node = top["region"]
        region = str(_plain(value_node)).strip()
        if not _REGION_RE.match(region):
            raise ConfigError(path, f"'{region}' is not a Kemendagri region code such as \"{DEFAULT_REGION}\" "
                                    "(quote it so YAML keeps it as text)",
                              key="region", line=key_node.start_mark.line + 1)
    office = DEFAULT_OFFICE
    if "office" in top:
        value_node, key_node = top["office"]
        value = _plain(value_node)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, f"must be the office's short name as text, e.g. \"{DEFAULT_OFFICE}\"",
                              key="office", line=key_node.start_mark.line + 1)
        office = " ".join(value.split())
    return region, office


def _source(node: yaml.Node, index: int, path: Path) -> Source:
    label = f"#{index}"
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(path, "each source must be a mapping like '- name: ...\\n  url: ...'",
                          source=label, line=node.start_mark.line + 1)
    fields = _mapping(node, path, label)
    raw_name = fields.get("name")
    if raw_name is None:
        raise ConfigError(path, "missing 'name'", source=label, key="name", line=node.start_mark.line + 1)
    name = str(_plain(raw_name[0]) or "").strip()
    if not _NAME_RE.match(name):
        raise ConfigError(path, f"'{name}' is not a valid name: use letters, digits, '-', '_' or '.'",
                          source=label, key="name", line=raw_name[1].start_mark.line + 1)
    values: dict[str, Any] = {}
    for key, (value_node, key_node) in fields.items():
        line = key_node.start_mark.line + 1

        def fail(message: str, key: str = key, line: int = line) -> ConfigError:
            return ConfigError(path, message, source=name, key=key, line=line)

        if key not in SOURCE_KEYS:
            raise fail(_unknown(key, SOURCE_KEYS))
        value = _plain(value_node)
        values[key] = _check_value(key, value, value_node, fail)
    kind = values.get("kind", "auto")
    start_line = node.start_mark.line + 1
    for key in POST_CAP_KEYS:
        if key in values and kind != "x":
            raise ConfigError(path, "limits the posts an X source reads, so it needs 'kind: x' "
                                    "(a site's requests are limited by max_pages)",
                              source=name, key=key, line=fields[key][1].start_mark.line + 1)
    if "subdomains" in values and kind == "x":
        raise ConfigError(path, "widens a news site's scope, so it does not apply to 'kind: x'",
                          source=name, key="subdomains", line=fields["subdomains"][1].start_mark.line + 1)
    if kind == "x":
        if not values.get("query"):
            raise ConfigError(path, "an X source needs a 'query'", source=name, key="query", line=start_line)
    elif not values.get("url"):
        raise ConfigError(path, "missing 'url' (the site's address, e.g. https://example.id/)",
                          source=name, key="url", line=start_line)
    values["name"] = name
    return Source(**values)


def _check_value(key: str, value: Any, node: yaml.Node, fail) -> Any:
    if key in ("url", "api_base"):
        parts = urlsplit(str(value or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise fail(f"'{value}' is not a web address: write it in full, e.g. https://example.id/")
        return str(value).strip()
    if key == "kind":
        if value not in KINDS:
            raise fail(f"'{value}' is not a kind; use one of: {', '.join(KINDS)}")
        return value
    if key in ("name", "query"):
        if not isinstance(value, str) or not value.strip():
            raise fail("must be non-empty text")
        return value.strip()
    if key == "every":
        try:
            return parse_every(value)
        except ValueError as exc:
            raise fail(str(exc)) from None
    if key in ("enabled", "social"):
        if not isinstance(value, bool):
            raise fail(f"'{value}' must be true or false")
        return value
    if key in POST_CAP_KEYS:
        if not isinstance(value, int) or isinstance(value, bool) or value < 10:
            raise fail(f"'{value}' must be a whole number of posts, at least 10 (the X API's smallest page)")
        return value
    if key in ("max_pages", "concurrency"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise fail(f"'{value}' must be a whole number of at least 1")
        if key == "concurrency" and value > 16:
            raise fail(f"'{value}' is impolite: at most 16 parallel requests to one site")
        return value
    if key == "delay":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise fail(f"'{value}' must be a number of seconds (0 or more)")
        return float(value)
    if key == "subdomains":
        return _subdomains(value, node, fail)
    if key == "selectors":
        if not isinstance(node, yaml.MappingNode):
            raise fail(f"must be a mapping of {', '.join(SELECTOR_KEYS)} to CSS selectors")
        selectors = {}
        for sel_key, sel_value in value.items():
            if sel_key not in SELECTOR_KEYS:
                raise fail(_unknown(sel_key, SELECTOR_KEYS), key=f"selectors.{sel_key}")
            if not isinstance(sel_value, str) or not sel_value.strip():
                raise fail("must be a CSS selector", key=f"selectors.{sel_key}")
            selectors[sel_key] = sel_value.strip()
        return selectors
    return value


def _subdomains(value: Any, node: yaml.Node, fail) -> bool | tuple[str, ...]:
    """``true``/``false``, or a list of host names (``news.example.id``) or suffixes
    (``.example.id``, ``*.example.id``), each covering that host and its subdomains."""
    if isinstance(value, bool):
        return value
    usage = ("write 'subdomains: true' (every subdomain of the source's domain) or a list of host "
             "names such as [news.example.id, daerah.example.id]")
    if not isinstance(node, yaml.SequenceNode) or not value:
        raise fail(f"'{value}' is not valid: {usage}")
    hosts = []
    for item in value:
        host = _host_name(item) if isinstance(item, str) else None
        if host is None:
            raise fail(f"'{item}' is not a host name: {usage}")
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _host_name(text: str) -> str | None:
    """``News.Example.id``, ``*.example.id``, ``.example.id`` or a URL -> the host (suffix)."""
    text = text.strip().lower()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    text = text.removeprefix("*").strip(".").removeprefix("www.")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    label = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    return text if re.fullmatch(rf"{label}(?:\.{label})*", text) else None


def _mapping(node: yaml.MappingNode, path: Path, source: str | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(_plain(key_node))
        if key in result:
            raise ConfigError(path, "appears twice in the same mapping", source=source, key=key,
                              line=key_node.start_mark.line + 1)
        result[key] = (value_node, key_node)
    return result


def _plain(node: yaml.Node) -> Any:
    if node is None:
        return None
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _unknown(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown key.{hint} Allowed keys: {', '.join(allowed)}"
