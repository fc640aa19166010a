"""Public pages of the web shell."""

from flask import Blueprint, render_template

from core.auth.policy import acting_user
from core.shell import home_cards

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html", cards=home_cards(acting_user()))
