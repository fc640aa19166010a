"""The forms of the log-in and account pages (core/forms.py)."""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import Form, choices


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {
        "password": "new_password"
    }  # the strength rules name the password

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])


class TokenForm(Form):
    label = StringField(_l("What the token is for"), validators=[Optional(), Length(max=120)])


class LanguageForm(Form):
    """The language of the user's pages (and of what is sent to them); none: the browser's."""

    language = SelectField(
        _l("Language"),
        choices=choices(
            {"": _l("The browser's language"), "fr": "Français", "de": "Deutsch", "en": "English"}
        ),
        default="",
    )


class NameForm(Form):
    """The name shown for the user (empty: their e-mail address)."""

    display_name = StringField(_l("Your name"), validators=[Optional()])
