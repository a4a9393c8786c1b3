"""Manual intake: posts staff collected by hand, read from a CSV, XLSX or JSON file.

Staff copy complaints from Facebook groups, WhatsApp forwards and Instagram comments into a
spreadsheet with the columns platform, url, author, text and date (English or Indonesian names,
any case). :func:`read_import` reads such a file and checks **every** row before anything is
stored: a file with bad rows raises :class:`ImportProblems` listing each one as ``FILE:ROW:
message``, where ROW is the row number the user sees (the spreadsheet row, header = 1; for JSON
the item's position, 1-based). Good rows become :class:`ImportPost`, and
:meth:`ImportPost.to_article` the items ``pantau import`` (:mod:`pantau.intake`) hands to the
same ingest sequence as crawled items (normalize → dedupe → classify → store), so they are
classified and recognised as repeats of stored news and posts.

Re-importing a file adds nothing: a row's URL is its identity, and a row without one (a WhatsApp
forward) gets a stable ``urn:pantau:import:<sha256>`` from its platform, author, text and date.
Rows of one file that share a link with different texts (comments under one post) are told apart
by a ``#teks=`` suffix made from their text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from spiders.source import Source
from spiders.dates import EARLIEST, FUTURE_SLACK, JAKARTA, parse_date
from spiders.items import Article
from spiders.social import guess_platform, title_from_text
from spiders.urls import canonicalize

COLUMNS = ("platform", "url", "author", "text", "date")
REQUIRED = ("text", "date")
# Accepted column names (compared lowercased, spaces collapsed).
COLUMN_NAMES = {
    "platform": ("platform", "platforma", "medsos", "media sosial"),
    "url": ("url", "link", "tautan"),
    "author": ("author", "penulis", "akun", "nama akun"),
    "text": ("text", "isi", "teks", "pesan", "komentar"),
    "date": ("date", "tanggal", "waktu", "tanggal posting"),
}
_COLUMN_OF = {name: column for column, names in COLUMN_NAMES.items() for name in names}
PLATFORMS = ("facebook", "instagram", "whatsapp", "tiktok", "x", "youtube", "lainnya")
# Spellings staff use, compared lowercased without spaces and punctuation ("X (Twitter)", "Tik Tok").
PLATFORM_NAMES = {
    "facebook": "facebook", "fb": "facebook", "instagram": "instagram", "ig": "instagram",
    "whatsapp": "whatsapp", "wa": "whatsapp", "tiktok": "tiktok", "x": "x", "twitter": "x",
    "xtwitter": "x", "youtube": "youtube", "yt": "youtube", "lainnya": "lainnya", "other": "lainnya",
    "lain": "lainnya", "lainlain": "lainnya",
}
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json",
           ".jsonl": "json", ".ndjson": "json"}
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header
DATE_HINT = "like 20/11/2026 14.30, 20 November 2026 or 2026-11-20"


class ImportProblems(ValueError):
    """The file cannot be imported; ``problems`` lists every reason as ``FILE[:ROW]: message``."""

    def __init__(self, file: str, problems: list[str], *, bad_rows: int = 0):
        self.file = file
        self.problems = problems
        self.bad_rows = bad_rows
        summary = (f"{bad_rows} row(s) of {file} have problems; nothing was imported. Fix them and "
                   "run the import again." if bad_rows else problems[0])
        super().__init__(summary)


@dataclass(frozen=True)
class ImportPost:
    """One checked row of an import file."""

    row: int  # as the user sees it: spreadsheet row (header = 1), or JSON item (1-based)
    platform: str  # one of PLATFORMS
    url: str  # the post's canonical link, or a stable urn:pantau:import: name
    author: str | None
    text: str
    published_at: datetime  # aware

    def to_article(self, source: str, file_name: str | None = None) -> Article:
        return Article(
            source=source, url=self.url, title=title_from_text(self.text), text=self.text,
            published_at=self.published_at, author=self.author, source_kind="import",
            harvested_at=datetime.now(JAKARTA),
            raw={"platform": self.platform, "row": self.row, "file": file_name},
        )


# -- reading a file -------------------------------------------------------------------------------

def read_import(path: str | Path) -> list[ImportPost]:
    """Every row of ``path`` as an :class:`ImportPost`; :class:`ImportProblems` if any row (or the
    file itself) is not right, listing all of them."""
    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblems(file, [f"{file}: file not found"]) from None
    except OSError as exc:
        raise ImportProblems(file, [f"{file}: cannot read the file ({exc.strerror or exc})"]) from None
    if not data.strip():
        raise ImportProblems(file, [f"{file}: the file is empty"])
    kind = _format(path, data)
    records = {"csv": _csv_records, "xlsx": _xlsx_records, "json": _json_records}[kind](file, data)
    posts, problems, bad_rows = [], [], set()
    for row, values in records:
        if isinstance(values, str):  # the reader could not make a row of it
            problems.append(f"{file}:{row}: {values}")
            bad_rows.add(row)
            continue
        post, messages = _check_row(row, values)
        problems.extend(f"{file}:{row}: {message}" for message in messages)
        if messages:
            bad_rows.add(row)
        elif post is not None:
            posts.append(post)
    if problems:
        raise ImportProblems(file, problems, bad_rows=len(bad_rows))
    if not posts:
        raise ImportProblems(file, [f"{file}: no rows to import below the header"])
    return _distinct_links(posts)


def _format(path: Path, data: bytes) -> str:
    file = str(path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblems(file, [f"{file}: an old Excel .xls file; save it as .xlsx or CSV (UTF-8) first"])
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:  # no telling extension: look at the content
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if data.startswith(b"PK\x03\x04"):
            kind = "xlsx"
        elif head in (b"[", b"{"):
            kind = "json"
        elif b"\x00" not in data[:4096] and _decode(data) is not None:
            kind = "csv"
        else:
            raise ImportProblems(file, [f"{file}: not a CSV, XLSX or JSON file"])
    if kind == "xlsx" and not data.startswith(b"PK\x03\x04"):
        raise ImportProblems(file, [f"{file}: not a valid XLSX file (save it again from Excel, or as CSV)"])
    return kind


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else Windows-1252: what Excel's plain "CSV" writes."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


Records = Iterator[tuple[int, "dict[str, Any] | str"]]


def _csv_records(file: str, data: bytes) -> Records:
    text = _decode(data)
    if text is None or "\x00" in text:
        raise ImportProblems(file, [f"{file}: not a text file; save the sheet as CSV UTF-8 or XLSX"])
    delimiter = max(DELIMITERS, key=lambda d: _header_score(csv.reader(io.StringIO(text), delimiter=d)))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportProblems(file, [f"{file}: not a readable CSV file ({exc})"]) from None
    # One record is one spreadsheet row (a quoted cell may span lines), as Excel shows it.
    yield from _table_records(file, enumerate(rows, start=1))


def _header_score(reader) -> int:
    best = 0
    try:
        for _, cells in zip(range(HEADER_SEARCH_ROWS), reader):
            best = max(best, sum(_column(cell) is not None for cell in cells))
    except csv.Error:
        return 0
    return best


def _xlsx_records(file: str, data: bytes) -> Records:
    from openpyxl import load_workbook

    try:
        # Not data_only: a cell a user typed as "=HYPERLINK(...)" is text worth keeping (the
        # exports defuse it), and Excel's cached results are not always saved.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = book.worksheets
            rows = list(sheets[0].iter_rows(values_only=True)) if sheets else []
        finally:
            book.close()
    except Exception as exc:  # a damaged workbook fails in many ways (zip, XML, openpyxl's own)
        raise ImportProblems(file, [f"{file}: not a readable XLSX file ({exc.__class__.__name__}: {exc})"]) from None
    yield from _table_records(file, enumerate(rows, start=1))


def _table_records(file: str, rows: Iterator[tuple[int, Any]]) -> Records:
    """(row number, {column: value}) for each non-empty row below the header row."""
    header: dict[int, str] | None = None
    first: tuple[int, Any] | None = None  # the first non-empty row, for the error message
    looked = 0
    for number, cells in rows:
        if not any(_cell(value) is not None for value in cells):
            continue
        if header is None:
            first = first or (number, cells)
            header = _header(file, number, cells)
            looked += 1
            if header is None and looked >= HEADER_SEARCH_ROWS:
                break
            continue
        yield number, {column: cells[index] for index, column in header.items() if index < len(cells)}
    if header is None:
        found = ""
        if first is not None:
            found = f"; row {first[0]} has: " + ", ".join(str(_cell(c)) for c in first[1] if _cell(c) is not None)
        raise ImportProblems(file, [f"{file}: no header row with the columns {', '.join(COLUMNS)} "
                                    f"(or platforma, tautan, penulis, isi, tanggal){found}"])


def _header(file: str, number: int, cells) -> dict[int, str] | None:
    """Column index → column for a header row; None when ``cells`` is not one (a title line)."""
    found: dict[int, str] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(cells):
        column = _column(cell)
        if column is None:
            continue
        if column in names:
            raise ImportProblems(file, [f"{file}:{number}: the columns '{names[column]}' and '{_cell(cell)}' "
                                        f"both mean {column}; keep one"])
        found[index], names[column] = column, str(_cell(cell))
    if not found:
        return None
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        seen = ", ".join(str(_cell(c)) for c in cells if _cell(c) is not None)
        raise ImportProblems(file, [
            f"{file}:{number}: no '{column}' column (also accepted: {', '.join(COLUMN_NAMES[column][1:])}); "
            f"the columns are: {seen}" for column in missing])
    return found


def _column(cell: Any) -> str | None:
    value = _cell(cell)
    if not isinstance(value, str):
        return None
    return _COLUMN_OF.get(" ".join(value.lower().replace("_", " ").split()).rstrip(":"))


def _json_records(file: str, data: bytes) -> Records:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblems(file, [f"{file}: not UTF-8 text; save the JSON as UTF-8"]) from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        if text.lstrip().startswith("["):
            raise ImportProblems(file, [f"{file}: not valid JSON ({exc})"]) from None
        document = None
    if isinstance(document, (list, dict)):  # one JSON document: a list of objects (or just one)
        numbered = enumerate(document if isinstance(document, list) else [document], start=1)
    else:  # JSON Lines: the line number is the item's number
        numbered = ((number, _json_line(line)) for number, line in enumerate(text.splitlines(), start=1)
                    if line.strip())
    for number, item in numbered:
        if isinstance(item, _BadLine):
            yield number, f"not valid JSON ({item.message})"
        elif not isinstance(item, dict):
            yield number, "not an object with the keys platform, url, author, text, date"
        else:
            values: dict[str, Any] = {}
            for key, value in item.items():
                column = _column(key)
                if column is not None:
                    values[column] = value
            yield number, values


@dataclass
class _BadLine:
    message: str


def _json_line(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError as exc:
        return _BadLine(str(exc))


# -- checking a row -------------------------------------------------------------------------------

def _check_row(row: int, values: dict[str, Any]) -> tuple[ImportPost | None, list[str]]:
    """The row as a post, or what is wrong with it (every problem, not just the first)."""
    cells = {column: _cell(values.get(column)) for column in COLUMNS}
    if all(value is None for value in cells.values()):
        return None, []  # an empty row or object: nothing to import, nothing wrong
    problems: list[str] = []
    text = cells["text"]
    if text is None:
        problems.append("the text is empty")
    elif isinstance(text, (dict, list)):
        problems.append("the text must be text, not a list or an object")
    elif not isinstance(text, str):
        text = _number_text(text)
    url, url_problem = _url(cells["url"])
    if url_problem:
        problems.append(url_problem)
    platform, platform_problem = _platform(cells["platform"], url)
    if platform_problem:
        problems.append(platform_problem)
    published_at, date_problem = _date(cells["date"])
    if date_problem:
        problems.append(date_problem)
    author = cells["author"]
    if author is not None and not isinstance(author, str):
        if isinstance(author, (dict, list)):
            problems.append("the author must be text")
        author = _number_text(author)
    if problems:
        return None, problems
    text = text.strip()
    url = url or _pseudo_url(platform, author, text, published_at)
    return ImportPost(row=row, platform=platform, url=url, author=author, text=text,
                      published_at=published_at), []


def _cell(value: Any) -> Any:
    """A cell's value with text stripped; empty text is no value."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _number_text(value: Any) -> str:
    """A number cell as staff typed it (a phone number in Excel is 6281234567890, not 6.28e12)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _url(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    text = value if isinstance(value, str) else str(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        return None, (f"'{text}' is not a web address; write it in full (https://...) or leave the url empty")
    return canonicalize(text), None


def _platform(value: Any, url: str | None) -> tuple[str | None, str | None]:
    if value is None:  # not given: from the link when it tells, else "lainnya"
        guessed = guess_platform(url, "") if url else None
        return (guessed if guessed in PLATFORMS else "lainnya"), None
    key = re.sub(r"[^a-z0-9]", "", str(value).lower())
    if key in PLATFORM_NAMES:
        return PLATFORM_NAMES[key], None
    return None, f"'{value}' is not a platform; use one of: {', '.join(PLATFORMS)} (or other)"


def _date(value: Any) -> tuple[datetime | None, str | None]:
    now = datetime.now(JAKARTA)
    if value is None:
        return None, "the date is empty"
    if isinstance(value, datetime):  # an Excel date cell: local time, WIB
        parsed = value if value.tzinfo else value.replace(tzinfo=JAKARTA)
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(), tzinfo=JAKARTA)
    elif isinstance(value, str):
        # Read against two "now"s a year apart, both far ahead so that a future date is told as
        # such: a relative date ("kemarin", "2 jam yang lalu", a day without a year) comes out
        # differently and is refused, as it would change with the day of the import.
        parsed = parse_date(value, now=now + timedelta(days=3650))
        if parsed is None:
            return None, f"'{value}' is not a date; write it {DATE_HINT}"
        again = parse_date(value, now=now + timedelta(days=3650 - 400))
        if again is not None and again != parsed:
            return None, f"'{value}' is not a fixed date; write the day it was posted, {DATE_HINT}"
    elif isinstance(value, time):
        return None, f"'{value}' is a time without a day; write the date {DATE_HINT}"
    else:
        return None, f"'{value}' is not a date (format the cell as a date, or write it {DATE_HINT})"
    if parsed > now + FUTURE_SLACK:
        return None, f"'{value}' is in the future"
    if parsed < EARLIEST:
        return None, f"'{value}' is before {EARLIEST.year}"
    return parsed, None


def _pseudo_url(platform: str, author: str | None, text: str, published_at: datetime) -> str:
    """A stable name for a post without a link: the same row always gets the same one."""
    key = "|".join((platform, author or "", " ".join(text.split()), published_at.isoformat()))
    return "urn:pantau:import:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _distinct_links(posts: list[ImportPost]) -> list[ImportPost]:
    """Rows sharing one link with different texts (comments under one post) would be stored as
    one item; each gets the link plus ``#teks=`` and a hash of its text instead."""
    texts: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        texts[post.url].add(" ".join(post.text.split()))
    result = []
    for post in posts:
        if len(texts[post.url]) > 1:
            digest = hashlib.sha256(" ".join(post.text.split()).encode("utf-8")).hexdigest()[:16]
            post = ImportPost(post.row, post.platform, f"{post.url}#teks={digest}", post.author, post.text,
                              post.published_at)
        result.append(post)
    return result


# -- where imported posts are stored -------------------------------------------------------------

def import_source(platform: str) -> Source:
    """The source imported posts of one platform are stored under (``import:facebook``)."""
    return Source(name=f"import:{platform}", kind="import")
