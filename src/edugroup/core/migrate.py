"""Apply Alembic migrations from code (the CLI, `make run`, the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection | None = None, revision: str = "heads") -> None:
    """Bring the database (the configured one, or `connection`'s) to `revision`."""
    command.upgrade(alembic_config(connection), revision)


def check_models_match_migrations() -> None:
    """Fail when the models have changes no migration records (`alembic check` on a scratch SQLite)."""
    import tempfile

    from edugroup.core.db import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/check.sqlite3")
        with engine.begin() as connection:
            upgrade(connection)
        with engine.connect() as connection:
            command.check(alembic_config(connection))
        engine.dispose()


if __name__ == "__main__":
    import sys

    if "--check" in sys.argv:
        check_models_match_migrations()
        print("migrations match the models")
