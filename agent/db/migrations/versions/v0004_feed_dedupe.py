"""Feed items keyed per feed, with a link key for de-duplication across feeds.

Revision ID: 0004_feed_dedupe
Revises: 0003_approval_history
Create Date: 2026-12-01

Keys stored by 0002 ("id:1") were global, so one feed's guid hid another feed's item. Each
existing key is rewritten into its feed's scope, exactly as hearth now computes it, so an
upgrade neither loses an item nor brings an already briefed one back.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0004_feed_dedupe"
down_revision = "0003_approval_history"
branch_labels = None
depends_on = None

_items = sa.table("feed_item", sa.column("id", sa.Integer), sa.column("key", sa.String),
                  sa.column("feed_url", sa.String), sa.column("link", sa.String),
                  sa.column("link_key", sa.String))


def upgrade() -> None:
    """Add feed_item.link_key and scope every existing key to its feed."""
    from agent.feeds.identity import link_key, scoped_key

    with op.batch_alter_table("feed_item") as batch:
        batch.add_column(sa.Column("link_key", sa.String(64), nullable=True))
    op.create_index("ix_feed_item_link_key", "feed_item", ["link_key"])
    conn = op.get_bind()
    rows = conn.execute(sa.select(_items.c.id, _items.c.key, _items.c.feed_url,
                                  _items.c.link)).all()
    links = {row.id: link_key(row.link) for row in rows}
    # A link several items of one feed share names none of them (as for new items).
    shared = Counter((row.feed_url, links[row.id]) for row in rows if links[row.id])
    for row in rows:
        own = links[row.id] if shared[(row.feed_url, links[row.id])] == 1 else None
        conn.execute(sa.update(_items).where(_items.c.id == row.id).values(
            key=scoped_key(row.feed_url, row.key), link_key=own))


def downgrade() -> None:
    """Drop link_key and unscope the keys, keeping the first item of each old key."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(_items.c.id, _items.c.key).order_by(_items.c.id)).all()
    kept: set[str] = set()
    for row in rows:
        old = row.key.split("|", 1)[-1]
        if old in kept:
            conn.execute(sa.delete(_items).where(_items.c.id == row.id))
            continue
        kept.add(old)
        conn.execute(sa.update(_items).where(_items.c.id == row.id).values(key=old))
    op.drop_index("ix_feed_item_link_key", table_name="feed_item")
    with op.batch_alter_table("feed_item") as batch:
        batch.drop_column("link_key")
