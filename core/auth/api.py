"""JSON API of accounts: who am I, the user list for administrators, and API tokens."""

from __future__ import annotations

from flask import Blueprint, jsonify

from core.auth.models import ApiToken, User
from core.auth.operations import all_users, revoke_token, tokens_of
from core.auth.policy import authorize
from core.auth.schemas import TokenList, TokenQuery, UserList, UserOut
from core.db import db
from core.errors import NotFound
from core.validation import Answer, validated

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "commune": user.commune_nis,
        "enabled": user.is_enabled,
    }


def token_json(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "label": token.label,
        "user": token.user_id,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
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
    return jsonify({"users": [user_json(u) for u in all_users(db.session)]})


@bp.get("/tokens")
@validated(
    query=TokenQuery,
    response=TokenList,
    errors=(404,),
    summary="Your API tokens (admins: ?user=ID)",
)
def list_tokens(query: TokenQuery):
    user = authorize("account.view")
    if query.user is not None and query.user != user.id:  # type: ignore[union-attr]
        authorize("users.manage")
        user = db.session.get(User, query.user)
        if user is None:
            raise NotFound(f"No account {query.user}.")
    return jsonify({"tokens": [token_json(t) for t in tokens_of(db.session, user)]})  # type: ignore[arg-type]


@bp.delete("/tokens/<int:token_id>")
@validated(answers=(Answer(204),), summary="Revoke an API token (its owner or an administrator)")
def delete_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token {token_id}.")
    authorize("tokens.revoke", token, hide=True)
    revoke_token(token)
    return "", 204
