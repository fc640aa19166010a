"""Public pages of the web shell."""

from flask import Blueprint, render_template

from core.auth.policy import acting_user
from core.shell import home_cards, home_panels

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    user = acting_user()
    return render_template("home.html", panels=home_panels(user), cards=home_cards(user))
