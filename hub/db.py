"""The database: engine and per-request session lifecycle, and the migrations that shape it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from hub.sqlite import sqlite_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Constraint names that Alembic can find again when a later migration alters them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC-aware ones")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def make_engine(url: str, connections: int = 20) -> Engine:
    """An engine for ``url`` whose pool holds ``connections`` (what may run at once)."""
    if url.startswith("sqlite"):
        return sqlite_engine(url, connections)
    # pre_ping lets a web process recover by itself after the database restarts.
    return create_engine(url, pool_pre_ping=True, pool_size=min(connections, 10),
                         max_overflow=max(connections - 10, 0), pool_timeout=10)


class Database:
    """The engine and session factory one app uses."""

    def __init__(self, url: str, connections: int = 20) -> None:
        self.url = url
        self.engine = make_engine(url, connections)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error, for jobs and commands."""
        with self.sessions() as session, session.begin():
            yield session

    def ping(self) -> None:
        """Raise when the database cannot answer a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def upgrade(self, revision: str = "heads") -> None:
        """Bring the schema to ``revision`` with the project's Alembic migrations.

        ``heads``: areas developed side by side may branch from one revision; every branch
        is applied.
        """
        command.upgrade(alembic_config(self.url), revision)

    def dispose(self) -> None:
        """Close every pooled connection: before this process forks, or when it is done."""
        self.engine.dispose()

    def after_fork(self) -> None:
        """In a forked child: forget the parent's connections without touching them."""
        self.engine.dispose(close=False)


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for ``url``, pointing at the migrations shipped in the package."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def get_db(app: Flask | None = None) -> Database:
    """The current app's Database."""
    database: Database = (app or current_app).extensions["hub.db"]
    return database


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask, database: Database) -> None:
    """Attach ``database`` to ``app`` and close each request's session at teardown."""
    app.extensions["hub.db"] = database
    app.teardown_appcontext(_close_session)
