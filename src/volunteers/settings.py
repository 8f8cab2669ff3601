"""Typed settings read from the environment, once per process."""

from __future__ import annotations

import os
import socket
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
    four_eyes: bool  # nobody approves a manual record (补录) they entered themselves

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from `os.environ` (see README, "Configuration")."""
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("VOLUNTEERS_DATA_DIR", ".volunteers")).resolve(),
            secret_key=env.get("VOLUNTEERS_SECRET_KEY") or None,
            public_base_url=env.get(PUBLIC_URL, "http://127.0.0.1:8000").rstrip("/"),
            token_ttl_hours=int(env.get("VOLUNTEERS_TOKEN_TTL_HOURS", "12")),
            guardian_required_under=int(env.get("VOLUNTEERS_GUARDIAN_UNDER", "18")),
            fast_password_hashing=env.get("VOLUNTEERS_FAST_HASHING") == "1",
            scans_per_client_minute=int(env.get("VOLUNTEERS_SCANS_PER_CLIENT_MINUTE", "30")),
            scans_per_phone_minute=int(env.get("VOLUNTEERS_SCANS_PER_PHONE_MINUTE", "10")),
            four_eyes=env.get("VOLUNTEERS_FOUR_EYES", "").strip().lower() in ("1", "true", "yes", "on"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return Settings.from_env()


PUBLIC_URL = "VOLUNTEERS_PUBLIC_URL"


def public_url_for(host: str, port: int) -> str:
    """The base URL posters and QR codes carry when `VOLUNTEERS_PUBLIC_URL` is unset: where `serve` listens,
    and for a server listening on every interface, this machine's address on its local network (so a phone
    on the same Wi-Fi reaches it)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        host = _lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _lan_address() -> str:
    """The address of the interface that routes to a private network (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address: str = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address
