"""Full-text search of items' titles and texts: SQLite FTS5 and a PostgreSQL GIN index.

Staff type words; an item matches when each word begins a word of its title or text, ignoring
case (``jalan rus`` finds "Jalan rusak", in any order). The query is cut into words here, and
only letters and digits survive, so nothing typed is read as search syntax: quotes, ``OR``,
``NEAR(``, ``*``, ``-x`` and ``:`` become plain words or are dropped, and the words reach the
database as one bound parameter.

The index lives outside the ORM models (migration 0006). On SQLite it is the external-content
FTS5 table ``items_search``, kept in step with ``items`` by triggers (unicode61 tokenizer,
diacritics removed). On PostgreSQL it is the generated column ``items.search_document`` =
``to_tsvector('simple', title || ' ' || text)`` with the GIN index ``ix_items_search``
('simple': no stemming and no stop words, which suits Indonesian); stored rather than computed
per row because parsing an article costs tens of microseconds, too much for every row a page
passes. Neither is described by the ORM models (see :mod:`storage.extras`).
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, func, literal_column, select, table
from sqlalchemy.orm import Session

from storage.extras import SEARCH_COLUMN, SEARCH_TABLE
from storage.models import Item

# The words of a query: runs of letters and digits, as both tokenizers split text.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12  # more words than anyone types; bounds the work a pasted paragraph can cause
_SIMPLE = literal_column("'simple'")  # the text search configuration (a regconfig literal)
FEW_MATCHES = 1000


def query_words(query: str | None) -> list[str]:
    """The distinct words of a staff query, lower-cased, in order, at most :data:`MAX_WORDS`."""
    words: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", query or "").casefold()):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _fts5_query(words: list[str]) -> str:
    # Each word as an FTS5 string (only letters and digits: no quote to escape) with a prefix
    # star; words side by side must all match.
    return " ".join(f'"{word}"*' for word in words)


def _tsquery(words: list[str]) -> str:
    return " & ".join(f"'{word}':*" for word in words)


def matching(session: Session, words: list[str]) -> ColumnElement[bool]:
    """A condition on ``items``: the item matches every word (see the module's docstring).

    A list page wants the newest 50 matches, and the cheapest way there depends on how many
    items match, which neither planner estimates well for prefixes. So up to
    :data:`FEW_MATCHES` matches are first fetched from the search index: when that is all of
    them, the page reads them by id and sorts them. More matches are tested on the rows met
    while reading the list in its order instead (a common word finds its 50 within the first
    few hundred rows), in a form no index serves so that the planner cannot pick the other way.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        found = (select(literal_column("rowid")).select_from(table(SEARCH_TABLE))
                 .where(literal_column(SEARCH_TABLE).op("MATCH")(_fts5_query(words))))
        ids = session.scalars(found.limit(FEW_MATCHES + 1)).all()
        if len(ids) <= FEW_MATCHES:
            return Item.id.in_(ids)
        return (Item.id + 0).in_(found)  # "+ 0": test each row, do not look the matches up by id
    if dialect == "postgresql":
        document, query = literal_column(f"items.{SEARCH_COLUMN}"), func.to_tsquery(_SIMPLE, _tsquery(words))
        ids = session.scalars(select(Item.id).where(document.op("@@")(query)).limit(FEW_MATCHES + 1)).all()
        if len(ids) <= FEW_MATCHES:
            return Item.id.in_(ids)
        return func.ts_match_vq(document, query)  # @@ as a function: no index, estimated common
    raise NotImplementedError(f"no full-text search for {dialect}")
