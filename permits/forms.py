"""The forms of the permit pages (core/forms.py): a request for shoots, a decision on a request
or on an amendment, the insurance certificate."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.dates import period
from core.forms import CheckboxesField, DecimalCommaField, Form, LocalDateTimeField, choices
from permits.conditions import Condition
from permits.models import DOCUMENT_LABELS, FEE_STATUS_LABELS, SERVICE_LABELS
from permits.workflow import ACTION_LABELS
from shoots.forms import TYPE_LABELS
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


class DecisionForm(Form):
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
        """The move as the API's TransitionBody (or AmendmentTransitionBody) takes it."""
        return {"action": self.action.data or "", "comment": self.comment.data or ""}


class TransitionForm(DecisionForm):
    """A move of a request; an approval with conditions may tick the commune's standard ones."""

    # Offered by the view (permits.conditions); the workflow refuses a code not offered.
    conditions = CheckboxesField(_l("Standard conditions of the commune"))

    def offer(self, offered: list[Condition], language: str) -> None:
        self.conditions.choices = [(c.code, c.text(language)) for c in offered]

    def values(self) -> dict[str, Any]:
        return {**super().values(), "conditions": list(self.conditions.data or [])}


class AmendmentDecisionForm(DecisionForm):
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
    valid_from = DateField(_l("Covers from (optional)"), validators=[Optional()])
    valid_until = DateField(_l("Covers until (optional)"), validators=[Optional()])


class DocumentForm(Form):
    """A compliance document: its kind, the file, the dates it is valid, and whether it serves
    this request only (by default, every request of the production)."""

    kind = SelectField(_l("Document"), choices=choices(DOCUMENT_LABELS))
    file = FileField(
        _l("File (PDF, JPEG, PNG or WebP, at most 10 MB)"), validators=[FileRequired()]
    )
    valid_from = DateField(_l("Valid from (optional)"), validators=[Optional()])
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()])
    only_this_request = BooleanField(_l("For this request only"))

    def values(self) -> dict[str, Any]:
        """The upload as the API's DocumentUpload takes it (the file aside)."""
        return {
            "kind": self.kind.data,
            "valid_from": self.valid_from.data,
            "valid_until": self.valid_until.data,
            "scope": "request" if self.only_this_request.data else "production",
        }


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
    fast_track_working_days = IntegerField(
        _l("Fast track: notice of a low-impact request (working days)"),
        validators=[InputRequired()],
    )
    fast_track_max_crew = IntegerField(_l("Fast track: largest crew"), validators=[InputRequired()])
    parking_space_m = DecimalCommaField(
        _l("Length of a parking space (m)"), validators=[InputRequired()]
    )
    resident_notice_days = IntegerField(
        _l("Residents' notice: delivered at least (days before the first shoot)"),
        validators=[InputRequired()],
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


class DeliveryForm(Form):
    """When and how the production delivered the notice to the residents."""

    delivered_at = LocalDateTimeField(
        _l("Delivered on (Brussels time)"), validators=[InputRequired()]
    )
    method = StringField(
        _l("How (letterboxes, poster, meeting…)"), validators=[InputRequired(), Length(max=200)]
    )


class FeeStatusForm(Form):
    """The officer's word on a request's fees."""

    status = SelectField(_l("Fees"), choices=choices(FEE_STATUS_LABELS))


class RuleForm(Form):
    """What one special activity asks in a commune (permits.requirements.Rule)."""

    extra_working_days = IntegerField(
        _l("Extra notice (working days)"), default=0, validators=[InputRequired()]
    )
    documents = CheckboxesField(_l("Documents required"), choices=choices(DOCUMENT_LABELS))
    services = CheckboxesField(_l("Services to inform"), choices=choices(SERVICE_LABELS))
    allows_fast_track = BooleanField(_l("A low-impact request may still take the fast track"))

    def values(self) -> dict[str, Any]:
        return {
            "extra_working_days": self.extra_working_days.data,
            "documents": tuple(self.documents.data or ()),
            "services": tuple(self.services.data or ()),
            "allows_fast_track": bool(self.allows_fast_track.data),
        }


class ServiceForm(Form):
    """A service of a commune's directory (permits.services)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=2000)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50)])

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in ("name", "address", "email", "phone")}


AMOUNT_FIELDS = ("per_day", "per_m2_day", "per_sign", "per_parking_space_day")


class TariffForm(Form):
    """A commune's fees (permits.fees), in euros; a comma is a decimal point."""

    per_day = DecimalCommaField(_l("Per shoot day (€)"), validators=[InputRequired()])
    per_m2_day = DecimalCommaField(
        _l("Per m² of public domain a day (€)"), validators=[InputRequired()]
    )
    per_sign = DecimalCommaField(_l("Per sign (€)"), validators=[InputRequired()])
    per_parking_space_day = DecimalCommaField(
        _l("Per parking space a day (€)"), validators=[InputRequired()]
    )
    urgency_surcharge_percent = IntegerField(
        _l("Urgency surcharge inside the notice (%)"), default=0, validators=[InputRequired()]
    )
    exempt_types = CheckboxesField(_l("Productions that pay nothing"), choices=choices(TYPE_LABELS))

    def values(self) -> dict[str, Any]:
        return {
            **{name: self[name].data for name in AMOUNT_FIELDS},
            "urgency_surcharge_percent": self.urgency_surcharge_percent.data,
            "exempt_types": list(self.exempt_types.data or []),
        }


class ConditionForm(Form):
    """A standard condition of the commune in its two languages (permits.conditions)."""

    code = StringField(
        _l("Code (lower-case letters, digits, _)"), validators=[Optional(), Length(max=40)]
    )
    text_fr = TextAreaField(_l("In French"), validators=[InputRequired(), Length(max=2000)])
    text_de = TextAreaField(_l("In German"), validators=[InputRequired(), Length(max=2000)])

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in ("code", "text_fr", "text_de")}


class TemplateForm(Form):
    """The commune's Word template of the ordinance draft (its letterhead and styles)."""

    file = FileField(_l("Word template (.docx, at most 2 MB)"))
    remove = BooleanField(_l("Write on a blank document again"))

    def values(self) -> dict[str, Any]:
        return {}
