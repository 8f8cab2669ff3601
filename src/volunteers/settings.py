"""Typed settings read from the environment, once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app reads from its environment."""

    database_url: str | None
    data_dir: Path
    secret_key: str | None
    public_base_url: str
    token_ttl_hours: int
    guardian_required_under: int
    fast_password_hashing: bool
    scans_per_client_minute: int  # refused scans (and registrations) per client address
    scans_per_phone_minute: int  # scans per (check-in code, phone)

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from `os.environ` (see README, "Configuration")."""
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("VOLUNTEERS_DATA_DIR", ".volunteers")).resolve(),
            secret_key=env.get("VOLUNTEERS_SECRET_KEY") or None,
            public_base_url=env.get("VOLUNTEERS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            token_ttl_hours=int(env.get("VOLUNTEERS_TOKEN_TTL_HOURS", "12")),
            guardian_required_under=int(env.get("VOLUNTEERS_GUARDIAN_UNDER", "18")),
            fast_password_hashing=env.get("VOLUNTEERS_FAST_HASHING") == "1",
            scans_per_client_minute=int(env.get("VOLUNTEERS_SCANS_PER_CLIENT_MINUTE", "30")),
            scans_per_phone_minute=int(env.get("VOLUNTEERS_SCANS_PER_PHONE_MINUTE", "10")),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return Settings.from_env()
