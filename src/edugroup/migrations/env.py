"""Alembic environment: the URL comes from EDUGROUP_DATABASE_URL (or var/), or a connection the caller passes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from edugroup.core.db import make_engine
from edugroup.core.settings import get_settings
from edugroup.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=get_settings().effective_database_url, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
