"""Initial schema: sources, crawl runs, items, classifications, users, review trail, LAPOR! entries.

Written out explicitly (not imported from ``storage.models``) so that this revision keeps meaning
the same thing when the models change; a test checks that models and migrations agree. The
review trail is made append-only by triggers, on SQLite and on PostgreSQL alike.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Every timestamp is stored in UTC (storage.models.UTCDateTime); timestamptz on PostgreSQL.
TIMESTAMP = sa.DateTime(timezone=True)

_APPEND_ONLY = "review_actions is append-only"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER review_actions_no_{verb.lower()} BEFORE {verb} ON review_actions
    BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]

_POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION review_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER review_actions_no_change BEFORE UPDATE OR DELETE ON review_actions
    FOR EACH ROW EXECUTE FUNCTION review_actions_append_only()""",
    """CREATE TRIGGER review_actions_no_truncate BEFORE TRUNCATE ON review_actions
    FOR EACH STATEMENT EXECUTE FUNCTION review_actions_append_only()""",
]


def upgrade() -> None:
    """Create every table, index and the review-trail triggers."""
    op.create_table('clusters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    op.create_table('crawl_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', TIMESTAMP, nullable=False),
        sa.Column('finished_at', TIMESTAMP, nullable=True),
        sa.Column('status', sa.String(length=16), server_default='running', nullable=False),
        sa.Column('trigger', sa.String(length=32), server_default='cli', nullable=False),
        sa.Column('since', TIMESTAMP, nullable=True),
        sa.Column('pid', sa.Integer(), nullable=True),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('pages', sa.Integer(), server_default='0', nullable=False),
        sa.Column('new', sa.Integer(), server_default='0', nullable=False),
        sa.Column('duplicates', sa.Integer(), server_default='0', nullable=False),
        sa.Column('errors', sa.Integer(), server_default='0', nullable=False),
        sa.CheckConstraint("status IN ('running', 'ok', 'partial', 'failed', 'interrupted')", name=op.f('ck_crawl_runs_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_runs'))
    )
    op.create_table('sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('query', sa.Text(), nullable=True),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('config', sa.JSON(), nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
        sa.UniqueConstraint('name', name=op.f('uq_sources_name'))
    )
    op.create_table('users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.CheckConstraint("role IN ('admin', 'reviewer', 'viewer')", name=op.f('ck_users_role')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('crawl_errors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_crawl_errors_run_id_crawl_runs')),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_crawl_errors_source_id_sources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_errors'))
    )
    op.create_index(op.f('ix_crawl_errors_run_id'), 'crawl_errors', ['run_id'], unique=False)
    op.create_table('crawl_run_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('pages', sa.Integer(), server_default='0', nullable=False),
        sa.Column('new', sa.Integer(), server_default='0', nullable=False),
        sa.Column('duplicates', sa.Integer(), server_default='0', nullable=False),
        sa.Column('errors', sa.Integer(), server_default='0', nullable=False),
        sa.Column('started_at', TIMESTAMP, nullable=True),
        sa.Column('finished_at', TIMESTAMP, nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'running', 'ok', 'partial', 'failed', 'interrupted', 'skipped')", name=op.f('ck_crawl_run_sources_status')),
        sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_crawl_run_sources_run_id_crawl_runs')),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_crawl_run_sources_source_id_sources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_run_sources')),
        sa.UniqueConstraint('run_id', 'source_id', name=op.f('uq_crawl_run_sources_run_id_source_id'))
    )
    op.create_table('items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('source_kind', sa.String(length=16), nullable=False),
        sa.Column('url', sa.String(), nullable=False),
        sa.Column('fetched_url', sa.String(), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author', sa.Text(), nullable=True),
        sa.Column('published_at', TIMESTAMP, nullable=True),
        sa.Column('published_offset_minutes', sa.Integer(), nullable=True),
        sa.Column('harvested_at', TIMESTAMP, nullable=False),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('minhash', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=16), server_default='new', nullable=False),
        sa.Column('duplicate_of', sa.Integer(), nullable=True),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.Column('similarity', sa.Float(), nullable=True),
        sa.Column('raw', sa.JSON(), nullable=False),
        sa.Column('crawl_run_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("source_kind IN ('news', 'x', 'social', 'import')", name=op.f('ck_items_source_kind')),
        sa.CheckConstraint("status IN ('new', 'approved', 'rejected', 'entered', 'duplicate')", name=op.f('ck_items_status')),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], name=op.f('fk_items_cluster_id_clusters')),
        sa.ForeignKeyConstraint(['crawl_run_id'], ['crawl_runs.id'], name=op.f('fk_items_crawl_run_id_crawl_runs')),
        sa.ForeignKeyConstraint(['duplicate_of'], ['items.id'], name=op.f('fk_items_duplicate_of_items')),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_items_source_id_sources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
        sa.UniqueConstraint('content_hash', name=op.f('uq_items_content_hash')),
        sa.UniqueConstraint('url', name=op.f('uq_items_url'))
    )
    op.create_index(op.f('ix_items_cluster_id'), 'items', ['cluster_id'], unique=False)
    op.create_index(op.f('ix_items_fetched_url'), 'items', ['fetched_url'], unique=False)
    op.create_index(op.f('ix_items_harvested_at'), 'items', ['harvested_at'], unique=False)
    op.create_index(op.f('ix_items_published_at'), 'items', ['published_at'], unique=False)
    op.create_index(op.f('ix_items_source_id'), 'items', ['source_id'], unique=False)
    op.create_index(op.f('ix_items_status'), 'items', ['status'], unique=False)
    op.create_table('seen_urls',
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('first_seen_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_seen_urls_source_id_sources')),
        sa.PrimaryKeyConstraint('source_id', 'url', name=op.f('pk_seen_urls'))
    )
    op.create_table('source_state',
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('last_run_at', TIMESTAMP, nullable=True),
        sa.Column('last_success_at', TIMESTAMP, nullable=True),
        sa.Column('newest_published_at', TIMESTAMP, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_state_source_id_sources')),
        sa.PrimaryKeyConstraint('source_id', name=op.f('pk_source_state'))
    )
    op.create_table('classifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('model_version', sa.String(length=64), nullable=False),
        sa.Column('is_complaint', sa.Boolean(), nullable=False),
        sa.Column('complaint_score', sa.Float(), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=True),
        sa.Column('kecamatan', sa.String(length=128), nullable=True),
        sa.Column('desa', sa.String(length=128), nullable=True),
        sa.Column('region_code', sa.String(length=32), nullable=True),
        sa.Column('in_jurisdiction', sa.Boolean(), nullable=True),
        sa.Column('opd', sa.Text(), nullable=True),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_classifications_item_id_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_classifications'))
    )
    op.create_index(op.f('ix_classifications_item_id'), 'classifications', ['item_id'], unique=False)
    op.create_table('lapor_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('lapor_ref', sa.String(length=64), nullable=True),
        sa.Column('klasifikasi', sa.String(length=32), nullable=True),
        sa.Column('judul', sa.Text(), nullable=False),
        sa.Column('isi', sa.Text(), nullable=False),
        sa.Column('kategori', sa.Text(), nullable=True),
        sa.Column('instansi', sa.Text(), nullable=True),
        sa.Column('anonim', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('rahasia', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('entered_by', sa.Integer(), nullable=False),
        sa.Column('entered_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_lapor_entries_entered_by_users')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_lapor_entries_item_id_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lapor_entries'))
    )
    op.create_index(op.f('ix_lapor_entries_item_id'), 'lapor_entries', ['item_id'], unique=False)
    op.create_table('review_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('from_status', sa.String(length=16), nullable=True),
        sa.Column('to_status', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('at', TIMESTAMP, nullable=False),
        sa.CheckConstraint("from_status IN ('new', 'approved', 'rejected', 'entered', 'duplicate')", name=op.f('ck_review_actions_from_status')),
        sa.CheckConstraint("to_status IN ('new', 'approved', 'rejected', 'entered', 'duplicate')", name=op.f('ck_review_actions_to_status')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_review_actions_item_id_items')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_actions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_actions'))
    )
    op.create_index(op.f('ix_review_actions_item_id'), 'review_actions', ['item_id'], unique=False)
    _install_append_only_triggers()


def _install_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = _SQLITE_TRIGGERS
    elif dialect == "postgresql":
        statements = _POSTGRESQL_TRIGGERS
    else:
        raise NotImplementedError(f"no append-only triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Drop everything (the triggers go with their table; the PostgreSQL function by hand)."""
    for table in (
        "review_actions",
        "lapor_entries",
        "classifications",
        "source_state",
        "seen_urls",
        "items",
        "crawl_run_sources",
        "crawl_errors",
        "users",
        "sources",
        "crawl_runs",
        "clusters",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS review_actions_append_only()")
