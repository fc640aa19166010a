"""Request and response schemas of the permits API (they also document it)."""

from __future__ import annotations

from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.validation import DatabaseId, WindowedDate
from permits.models import AmendmentStatus, PermitStatus
from permits.transitions import ACTIONS, AMENDMENT_ACTIONS

Action = Literal[ACTIONS]  # type: ignore[valid-type]
AmendmentAction = Literal[AMENDMENT_ACTIONS]  # type: ignore[valid-type]


class PermitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    production_id: DatabaseId
    shoot_ids: list[DatabaseId] = Field(min_length=1, max_length=500)
    public_domain_use: str = Field("", max_length=5000)
    notes: str = Field("", max_length=5000)


class IntroductionBody(BaseModel):
    """The film commission puts two productions in touch; neither learns the other's
    addresses: each production's coordinators get the message on their own."""

    model_config = ConfigDict(extra="forbid")

    productions: list[int] = Field(min_length=2, max_length=2, description="two production ids")
    message: str = Field(min_length=1, max_length=5000)


class PermitQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    commune: str | None = Field(None, pattern=r"^\d{5}$", description="NIS code")
    status: list[PermitStatus] = []
    start: WindowedDate | None = Field(
        None, alias="from", description="a shoot on or after this day"
    )
    end: WindowedDate | None = Field(None, alias="to", description="a shoot on or before this day")

    @model_validator(mode="after")
    def _ordered(self) -> PermitQuery:
        if self.start and self.end and self.end < self.start:
            raise ValueError(_l("'to' must not be before 'from'"))
        return self


class TransitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    comment: str = Field("", max_length=5000)


class AmendmentTransitionBody(BaseModel):
    """An officer moves their commune's review; the production's coordinators withdraw."""

    model_config = ConfigDict(extra="forbid")

    action: AmendmentAction
    comment: str = Field("", max_length=5000)


class AmendmentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[AmendmentStatus] = []


class PermitSummary(BaseModel):
    id: int
    group_id: str
    status: PermitStatus
    commune_nis: str
    commune: str
    production_id: int
    production: str
    is_late: bool
    first_start: str | None
    last_end: str | None
    shoot_count: int


class PermitList(BaseModel):
    permits: list[PermitSummary]


class PermitCreated(BaseModel):
    group_id: str
    permits: list[PermitSummary]
