"""Configuration from environment variables, with safe development defaults."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DEVELOPMENT_SECRET = "dev-only-secret-change-me"
TIMEZONE = "Europe/Brussels"  # times are entered and shown in Brussels time
BRUSSELS = ZoneInfo(TIMEZONE)


def in_brussels(moment: datetime) -> datetime:
    """MOMENT in Brussels time, or in UTC (the same instant) where Brussels time would fall
    outside Python's years 1..9999: a time stored before dates were checked must not break
    the pages that show it."""
    try:
        return moment.astimezone(BRUSSELS)
    except OverflowError:
        return moment.astimezone(UTC)


# Base-map tile URL templates (Leaflet syntax); municipal networks may need a proxy of their own.
DEFAULT_TILES_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# SPW's most recent orthophotos, WMTS in the Web Mercator tile grid.
DEFAULT_TILES_ORTHO = (
    "https://geoservices.wallonie.be/arcgis/rest/services/IMAGERIE/ORTHO_LAST/MapServer/WMTS/"
    "tile/1.0.0/IMAGERIE_ORTHO_LAST/default/GoogleMapsCompatible/{z}/{y}/{x}.jpg"
)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict[str, Any]:
    """Settings read from TOURNAGES_* variables (and DATABASE_URL, SECRET_KEY)."""
    env = os.environ.get("TOURNAGES_ENV", "development")
    return {
        "ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
        # None means the embedded default database (core.embedded_db).
        "DATABASE_URL": os.environ.get("DATABASE_URL") or None,
        # The schema owner, for migrations and backups; None means DATABASE_URL's role.
        "MIGRATION_DATABASE_URL": os.environ.get("MIGRATION_DATABASE_URL") or None,
        "UPLOAD_FOLDER": os.environ.get(
            "TOURNAGES_UPLOAD_FOLDER", str(Path(instance_path) / "uploads")
        ),
        "MAX_CONTENT_LENGTH": int(os.environ.get("TOURNAGES_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            minutes=int(os.environ.get("TOURNAGES_SESSION_MINUTES", 8 * 60))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("TOURNAGES_SECURE_COOKIES", env == "production"),
        "REMEMBER_COOKIE_SECURE": _bool("TOURNAGES_SECURE_COOKIES", env == "production"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE,
        "LANGUAGES": ["fr", "en", "de"],
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Notifications: without a host they stay in the outbox and are shown in the app.
        "SMTP_HOST": os.environ.get("TOURNAGES_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("TOURNAGES_SMTP_PORT", 25)),
        "SMTP_USER": os.environ.get("TOURNAGES_SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("TOURNAGES_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool("TOURNAGES_SMTP_STARTTLS", False),
        "SMTP_FROM": os.environ.get("TOURNAGES_SMTP_FROM", "tournages@localhost"),
        "TOURNAGES_TILES_OSM": os.environ.get("TOURNAGES_TILES_OSM") or DEFAULT_TILES_OSM,
        "TOURNAGES_TILES_ORTHO": os.environ.get("TOURNAGES_TILES_ORTHO") or DEFAULT_TILES_ORTHO,
        # The basemap the server fetches under site plans ("" for none), its credit, its cache.
        "TOURNAGES_PLAN_TILES": os.environ.get("TOURNAGES_PLAN_TILES", DEFAULT_TILES_OSM),
        "TOURNAGES_PLAN_ATTRIBUTION": os.environ.get(
            "TOURNAGES_PLAN_ATTRIBUTION", "© OpenStreetMap contributors"
        ),
        "TOURNAGES_TILE_CACHE": os.environ.get(
            "TOURNAGES_TILE_CACHE", str(Path(instance_path) / "tile-cache")
        ),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        "PROXY_COUNT": int(os.environ.get("TOURNAGES_PROXY_COUNT", 0)),
        # Shared by every process of every node in production, e.g. redis://host:6379
        # (docs/deploy.md); memory:// counts per process.
        "RATELIMIT_STORAGE_URI": os.environ.get("TOURNAGES_RATELIMIT_STORAGE", "memory://"),
        # While that store is unreachable each process counts on its own, so signing in keeps
        # working (the delays of core.auth.throttle, in the database, still hold); the store is
        # tried again with a growing back-off.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("TOURNAGES_LOGIN_RATE_LIMIT", "10/minute;50/hour"),
        # Progressive delays (core.auth.throttle): free failures per account and per address,
        # then 1, 2, 4, … seconds up to the ceiling, never a lock-out.
        "LOGIN_FREE_FAILURES_PER_ACCOUNT": int(
            os.environ.get("TOURNAGES_LOGIN_FREE_FAILURES_PER_ACCOUNT", 5)
        ),
        "LOGIN_FREE_FAILURES_PER_ADDRESS": int(
            os.environ.get("TOURNAGES_LOGIN_FREE_FAILURES_PER_ADDRESS", 10)
        ),
        "LOGIN_MAX_DELAY_SECONDS": int(os.environ.get("TOURNAGES_LOGIN_MAX_DELAY_SECONDS", 300)),
        # A browser that signed in skips its account's delay for this long, until it fails this
        # often itself.
        "LOGIN_DEVICE_COOKIE_DAYS": int(os.environ.get("TOURNAGES_LOGIN_DEVICE_COOKIE_DAYS", 90)),
        "LOGIN_DEVICE_COOKIE_FAILURES": 10,
        # A Nominatim-style geocoder for street addresses in the place search (core.geocoder);
        # without one the search finds communes, provinces and library locations.
        "GEOCODER_URL": os.environ.get("TOURNAGES_GEOCODER_URL") or None,
        "GEOCODER_TIMEOUT_S": float(os.environ.get("TOURNAGES_GEOCODER_TIMEOUT_S", 2.0)),
        # Map tile servers the pages may load images from (space-separated origins).
        "CSP_IMAGE_SOURCES": os.environ.get("TOURNAGES_CSP_IMAGE_SOURCES", "").split(),
    }


def check(config: dict[str, Any]) -> None:
    """Refuse to run in production with the development secret."""
    if config.get("ENV") == "production" and config.get("SECRET_KEY") in (None, DEVELOPMENT_SECRET):
        raise ConfigurationError(
            "TOURNAGES_ENV=production needs a SECRET_KEY of its own: "
            "the development secret is public."
        )
