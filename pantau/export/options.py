"""The ``pantau export`` options, checked and turned into storage filters.

Each problem is an :class:`ExportOptionError` whose message names the option and says what to
type instead; the CLI prints it and exits with code 2. Options that take names accept them
repeated (``--category bansos --category kesehatan``) or as a comma list
(``--category bansos,kesehatan``); an OPD is first tried whole, since official names contain
commas.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pantau.export.lapor import LaporMapping
from pantau.export.open311 import OPEN311_STATUSES
from pantau.export.records import STATUSES
from spiders.dates import JAKARTA
from storage.filters import ListFilter, day_range

FORMATS = ("jsonl", "csv", "xlsx", "open311")
BINARY_FORMATS = ("xlsx",)


class ExportOptionError(ValueError):
    pass


@dataclass
class ExportFilters:
    """The chosen filters (:meth:`query`: the :class:`~storage.filters.ListFilter` for
    ``repo.iter_export_records``) plus a readable description."""

    status: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    sources: list[str] | None = None
    categories: list[str] | None = None
    kecamatan: list[str] | None = None
    opds: list[str] | None = None
    described: dict[str, Any] = field(default_factory=dict)  # option -> what the user asked for
    warnings: list[str] = field(default_factory=list)

    def query(self) -> ListFilter:
        """The storage filter: the same one the web's list applies."""
        return ListFilter.from_export_options(status=self.status, since=self.since, until=self.until,
                                              sources=self.sources, categories=self.categories,
                                              kecamatan=self.kecamatan, opds=self.opds)

    def description(self) -> str:
        if not self.described:
            return "semua item"
        return "; ".join(f"{option} {', '.join(values) if isinstance(values, list) else values}"
                         for option, values in self.described.items())


def split_values(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma lists as one list (None when the option was not given)."""
    if not values:
        return None
    result = [part.strip() for value in values for part in value.split(",")]
    return list(dict.fromkeys(part for part in result if part)) or None


def days(first: datetime | None, last: datetime | None) -> tuple[datetime | None, datetime | None]:
    """``--since``/``--until`` as instants: from the first day's midnight (WIB) to the midnight
    after the last day, which is included — as the web's list reads *dari*/*sampai*."""
    return day_range(first.astimezone(JAKARTA).date() if first else None,
                     last.astimezone(JAKARTA).date() if last else None, JAKARTA)


def _suggest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value.lower(), [k.lower() for k in known], n=1)
    if not close:
        return ""
    original = next(k for k in known if k.lower() == close[0])
    return f" Did you mean '{original}'?"


def check_format(format: str, *, out: Any, per_opd: bool) -> None:
    if format not in FORMATS:
        raise ExportOptionError(f"--format '{format}' is not supported; use one of: {', '.join(FORMATS)}")
    if format in BINARY_FORMATS and out is None:
        raise ExportOptionError(f"--format {format} writes a file: add --out FILE, e.g. --out aduan.{format}")
    if per_opd and format != "xlsx":
        raise ExportOptionError("--per-opd makes one sheet per OPD and needs --format xlsx")


def statuses(values: list[str] | None, format: str) -> list[str] | None:
    chosen = split_values(values)
    for status in chosen or ():
        if status not in STATUSES:
            raise ExportOptionError(f"--status '{status}' is not a status; use one of: {', '.join(STATUSES)}"
                                    f"{_suggest(status, list(STATUSES))}")
    if format == "open311":
        if chosen is None:
            return list(OPEN311_STATUSES)
        other = [s for s in chosen if s not in OPEN311_STATUSES]
        if other:
            raise ExportOptionError(f"--format open311 carries only approved and entered items, not "
                                    f"{', '.join(other)}; use --status approved and/or --status entered")
    return chosen


def categories(values: list[str] | None, mapping: LaporMapping) -> list[str] | None:
    chosen = split_values(values)
    codes = list(mapping.categories)
    labels = {c.label.lower(): c.code for c in mapping.categories.values()}
    result = []
    for value in chosen or ():
        code = value if value in mapping.categories else value.lower() if value.lower() in mapping.categories \
            else labels.get(value.lower())
        if code is None:
            raise ExportOptionError(f"--category '{value}' is not a category code; use one of: "
                                    f"{', '.join(codes)}{_suggest(value, codes)}")
        result.append(code)
    return result or None


def opds(values: list[str] | None, mapping: LaporMapping) -> tuple[list[str] | None, list[str]]:
    """(every stored spelling of the chosen agencies, the agencies' official names)."""
    if not values:
        return None, []
    chosen = []
    for value in values:
        if mapping.opd(value) is not None:  # whole: "Dinas Komunikasi, Informatika, ..." has commas
            chosen.append(value)
        else:
            chosen.extend(split_values([value]) or ())
    spellings: list[str] = []
    names: list[str] = []
    known = sorted({o.id for o in mapping.taxonomy.opds})
    for value in chosen:
        opd = mapping.opd(value)
        if opd is None:
            shorts = ", ".join(f"{o.id} ({o.short})" for o in mapping.taxonomy.opds if not o.route_to)
            raise ExportOptionError(f"--opd '{value}' is not an OPD in opd_routing.yaml{_suggest(value, known)} "
                                    f"Give its id, short name or official name, e.g. {shorts}")
        spellings.extend(mapping.spellings(opd))
        names.append(opd.name)
    return sorted(set(spellings)), list(dict.fromkeys(names))


def kecamatan(values: list[str] | None, region: str) -> tuple[list[str] | None, list[str]]:
    """(official kecamatan names, warnings). A name the gazetteer does not know is kept as
    typed — labels are compared without case — with a warning, since it may still match."""
    chosen = split_values(values)
    if chosen is None:
        return None, []
    from classify.gazetteer import Gazetteer

    gazetteer = Gazetteer.load(region)
    names, warnings = [], []
    for value in chosen:
        found = gazetteer.find(f"Kecamatan {value}")
        if found.kecamatan and found.in_jurisdiction:
            names.append(found.kecamatan)
        else:
            names.append(value)
            warnings.append(f"--kecamatan '{value}' is not a kecamatan of region {region} that Pantau knows; "
                            "filtering by the name as written")
    return list(dict.fromkeys(names)), warnings


def sources(values: list[str] | None, repo) -> list[str] | None:
    chosen = split_values(values)
    for name in chosen or ():
        if repo.source_id(name) is None:
            raise ExportOptionError(f"--source '{name}' is not a source in the database; use a name from the "
                                    "sources file (e.g. kabarbromo) or import:<platform> for posts added by hand")
    return chosen


def unmasking_admin(repo, username: str | None) -> dict[str, Any]:
    """The active admin who asked for an unmasked export, or an error saying what is needed."""
    if not username:
        raise ExportOptionError("--no-mask exports NIK, phone numbers and e-mail addresses and is for admins: "
                                "add --user YOUR_ADMIN_NAME (the export is recorded in the audit log)")
    user = repo.user_for_login(username)
    if user is None:
        raise ExportOptionError(f"--user '{username}' is not a Pantau user; --no-mask needs an admin "
                                "account (create one with `pantau user add NAME --role admin`)")
    if not user["active"]:
        raise ExportOptionError(f"--user '{username}' is deactivated; --no-mask needs an active admin")
    if user["role"] != "admin":
        raise ExportOptionError(f"--user '{username}' is a {user['role']}; only an admin may export with --no-mask "
                                "(personal data stays masked otherwise)")
    return {"id": user["id"], "username": user["username"]}


def describe(filters: ExportFilters, *, status_given: bool, since: str | None, until: str | None,
             opd_names: list[str]) -> None:
    """Record in ``filters.described`` the options the user gave, as the export's notes, the
    progress line and the audit log name them (dates as typed, OPDs by official name)."""
    asked = {"--status": filters.status if status_given else None, "--since": since, "--until": until,
             "--category": filters.categories, "--kecamatan": filters.kecamatan, "--opd": opd_names or None,
             "--source": filters.sources}
    filters.described = {option: value for option, value in asked.items() if value}
