"""Imports every model so the metadata knows all tables (Alembic autogenerate, tests)."""

from core.auth.models import ApiToken, User
from core.communes.models import Commune

__all__ = ["ApiToken", "Commune", "User"]
