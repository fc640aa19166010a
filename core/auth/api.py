"""JSON API of accounts: who am I, and the user list for administrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from core.auth.models import User
from core.auth.policy import authorize
from core.auth.schemas import UserList, UserOut
from core.db import db
from core.validation import validated

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "commune": user.commune_nis,
    }


@bp.get("/me")
@validated(response=UserOut, summary="The account of the token or session")
def me():
    user = authorize("account.view")
    return jsonify(user_json(user))  # type: ignore[arg-type]


@bp.get("/users")
@validated(response=UserList, summary="List every account (administrators)")
def list_users():
    authorize("users.manage")
    users = db.session.scalars(select(User).order_by(User.email))
    return jsonify({"users": [user_json(u) for u in users]})
