"""The forms of the permit pages (core/forms.py): a request for shoots, a decision on a request
or on an amendment, the insurance certificate."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.dates import period
from core.forms import CheckboxesField, Form, choices
from permits.workflow import ACTION_LABELS
from shoots.models import Production, Shoot

# The inbox's filters (the API's PermitQuery) by their labels on the page.
INBOX_LABELS = {
    "status": _l("Status"),
    "from": _l("Shoots from"),
    "to": _l("Shoots until"),
    "commune": _l("NIS code"),
}


class PermitRequestForm(Form):
    """Shoots of one production to request permits for (the page has one form per production)."""

    production_id = HiddenField(validators=[DataRequired()])
    shoot_ids = CheckboxesField(
        _l("Shoots"), coerce=int, validators=[DataRequired(_l("select at least one shoot"))]
    )
    public_domain_use = TextAreaField(
        _l("Use of the public domain (what, where, how long)"), validators=[Length(max=5000)]
    )
    notes = TextAreaField(_l("Notes for the commune"), validators=[Length(max=5000)])

    def offer(self, production: Production, shoots: list[Shoot]) -> None:
        """The shoots of PRODUCTION to tick; ids of their own, several forms share the page."""
        self.shoot_ids.choices = [(shoot.id, _shoot_label(shoot)) for shoot in shoots]
        for field in self:
            field.id = f"{field.name}-{production.id}"

    def is_for(self, production: Production) -> bool:
        return self.production_id.data == str(production.id)

    def values(self) -> dict[str, Any]:
        """The request as the API's PermitCreate takes it."""
        return {
            "production_id": self.production_id.data,
            "shoot_ids": list(self.shoot_ids.data or []),
            "public_domain_use": self.public_domain_use.data or "",
            "notes": self.notes.data or "",
        }


def _shoot_label(shoot: Shoot) -> str:
    when = period(shoot.period.lower, shoot.period.upper, "day")
    place = f" · {shoot.location.name}" if shoot.location else ""
    return f"{_l('Shoot %(id)s', id=shoot.id)} · {when}{place}"


class TransitionForm(Form):
    """A move in the workflow: the button pressed is the action."""

    action = SelectField(
        _l("Decision"), choices=choices(ACTION_LABELS), validate_choice=False
    )  # the workflow says which moves exist and are allowed
    comment = TextAreaField(
        _l(
            "Comment (conditions, reasons or changes asked; required to decide otherwise than "
            "approve)"
        ),
        validators=[Length(max=5000)],
    )

    def values(self) -> dict[str, Any]:
        """The move as the API's TransitionBody takes it."""
        return {"action": self.action.data or "", "comment": self.comment.data or ""}


class AmendmentDecisionForm(TransitionForm):
    """A move on an amendment: a commune's decision on its review, or the production's
    withdrawal (the API's AmendmentTransitionBody)."""

    comment = TextAreaField(
        _l("Comment (conditions or reasons; required to decide otherwise than approve)"),
        validators=[Length(max=5000)],
    )


class InsuranceForm(Form):
    # The operations name the certificate "insurance" (the API's multipart field is "file").
    field_aliases: ClassVar[dict[str, str]] = {"insurance": "file"}

    file = FileField(_l("Insurance certificate (PDF, at most 5 MB)"), validators=[FileRequired()])


class CommuneSettingsForm(Form):
    """A commune's notice, notification address and warning thresholds (its officers' page).
    The limits are the domain's (permits.leadtime, shoots.schemas.CommuneSettingsIn): the page
    shows their refusals next to the fields."""

    field_aliases: ClassVar[dict[str, str]] = {"working_days": "notice_working_days"}

    notice_working_days = IntegerField(
        _l("Minimum notice (working days)"), validators=[InputRequired()]
    )
    notification_email = StringField(
        _l("Also send the notifications to (e-mail)"), validators=[Optional(), Length(max=254)]
    )
    nearby_distance_m = IntegerField(
        _l("Neighbouring sets: warn within (metres)"), validators=[InputRequired()]
    )
    saturation_days = IntegerField(
        _l("Over-filmed area: warn from (shoot days)"), validators=[InputRequired()]
    )
    saturation_radius_m = IntegerField(
        _l("… within a radius of (metres)"), validators=[InputRequired()]
    )
    saturation_window_days = IntegerField(
        _l("… over the last (days)"), validators=[InputRequired()]
    )

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
