"""Settings from the environment (prefix EDUGROUP_), with defaults that serve `make run`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDUGROUP_", env_file=None, extra="ignore")

    environment: str = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = DEFAULT_SECRET
    session_max_age: int = 8 * 3600
    upload_max_bytes: int = 20 * 1024 * 1024
    default_language: str = "zh"

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("EDUGROUP_SECRET_KEY must be set in production")
        return self

    @property
    def effective_database_url(self) -> str:
        """EDUGROUP_DATABASE_URL, or the embedded SQLite file under var/."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.var_dir / 'edugroup.sqlite3').resolve()}"


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
