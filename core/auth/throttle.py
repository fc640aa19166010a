"""Log-in throttling that a guesser cannot turn into a lock-out of the account's owner.

After the free failures of a key (an account, a client address), each failure doubles the
wait before that key's next attempt is examined, up to a ceiling: no hard lock-out, and a
guesser gets a handful of tries an hour. Attempts made while a key waits are refused without
looking at the password, so they teach nothing and do not lengthen the wait.

A trusted-device cookie (OWASP, "Blocking brute force attacks: device cookies"): a signed,
per-user cookie set after a successful log-in. Presented with that user's e-mail, the
account's wait does not apply, so the owner signs in from a known browser while guessers
elsewhere keep the account waiting. A device cookie that fails too often stops being trusted.

State lives in the database (table login_throttle) so that every worker process sees it;
concurrent attempts on one key are serialised with a transaction-scoped advisory lock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Flask, Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.auth.models import LoginThrottle, User

DEVICE_COOKIE = "tournages_device"
FORGET_AFTER_SECONDS = 24 * 3600  # a key's failures count for a day after the last one


@dataclass(frozen=True)
class Keys:
    """What one log-in attempt is counted against."""

    account: str
    address: str
    device: str | None  # the nonce of a device cookie trusted for this account

    def counted(self) -> list[str]:
        return [k for k in (self.account, self.address, self.device) if k]


def wait_seconds(failures: int, free: int, ceiling: int) -> int:
    """Seconds to wait after FAILURES failures: none while within FREE, then 1, 2, 4, … up to
    CEILING."""
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), ceiling)


def _settings(app: Flask) -> dict[str, int]:
    config = app.config
    return {
        "account": config["LOGIN_FREE_FAILURES_PER_ACCOUNT"],
        "address": config["LOGIN_FREE_FAILURES_PER_ADDRESS"],
        "device": config["LOGIN_DEVICE_COOKIE_FAILURES"],
        "ceiling": config["LOGIN_MAX_DELAY_SECONDS"],
    }


def keys_for(session: Session, req: Request, email: str, address: str) -> Keys:
    """The keys of an attempt on EMAIL from ADDRESS; the device key only when REQ carries a
    device cookie of that account that has not failed LOGIN_DEVICE_COOKIE_FAILURES times."""
    account = email.strip().lower()[:254]
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == account))
    nonce = _device_nonce(req, user_id) if user_id is not None else None
    device = f"device:{nonce}" if nonce else None
    if device is not None:
        failures = session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == device))
        if (failures or 0) >= _settings(current_app)["device"]:
            device = None
    return Keys(account=f"account:{account}", address=f"address:{address}", device=device)


def _stale():
    """A key whose last failure is older than FORGET_AFTER_SECONDS."""
    return LoginThrottle.last_failure_at < func.clock_timestamp() - func.make_interval(
        0, 0, 0, 0, 0, 0, FORGET_AFTER_SECONDS
    )


def retry_after(session: Session, keys: Keys) -> int:
    """Seconds before this attempt may be examined (0: now). Locks the keys until commit."""
    counted = sorted(keys.counted())
    for key in counted:  # sorted: two attempts lock shared keys in the same order
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    rows = session.execute(
        select(
            LoginThrottle.key,
            LoginThrottle.failures,
            func.extract("epoch", func.clock_timestamp() - LoginThrottle.last_failure_at),
        ).where(LoginThrottle.key.in_(counted))
    ).all()
    limits = _settings(current_app)
    waits = [0]
    for key, failures, elapsed in rows:
        if elapsed > FORGET_AFTER_SECONDS:
            continue
        kind = key.partition(":")[0]
        if kind == "device":
            continue  # a device's failures decide whether it is trusted, not a wait
        if kind == "account" and keys.device:
            continue  # the owner's known browser skips the account's wait
        wait = wait_seconds(failures, limits[kind], limits["ceiling"])
        waits.append(int(wait - float(elapsed)) + 1 if wait > elapsed else 0)
    return max(waits)


def record_failure(session: Session, keys: Keys) -> None:
    for key in keys.counted():
        statement = insert(LoginThrottle).values(
            key=key, failures=1, last_failure_at=func.clock_timestamp()
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[LoginThrottle.key],
                set_={
                    "failures": case((_stale(), 1), else_=LoginThrottle.failures + 1),
                    "last_failure_at": func.clock_timestamp(),
                },
            )
        )


def record_success(session: Session, keys: Keys) -> None:
    """The account's count starts again; the address keeps its own (a guesser with one account
    of their own must not clear their address's count by signing in)."""
    forgotten = [keys.account] + ([keys.device] if keys.device else [])
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(forgotten)))
    session.execute(delete(LoginThrottle).where(_stale()))  # keeps the table small


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="tournages.trusted-device")  # type: ignore[arg-type]


def _device_nonce(req: Request, user_id: int) -> str | None:
    """The nonce of REQ's device cookie if it is genuine, recent, issued to USER_ID and has
    not failed too often."""
    cookie = req.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    max_age = current_app.config["LOGIN_DEVICE_COOKIE_DAYS"] * 86400
    try:
        owner, nonce = _serializer(current_app).loads(cookie, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    return nonce if owner == user_id else None


def trust_device(response: Response, user: User) -> None:
    """Give the browser that just signed in a fresh device cookie for USER."""
    config = current_app.config
    value = _serializer(current_app).dumps([user.id, secrets.token_urlsafe(16)])
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=config["LOGIN_DEVICE_COOKIE_DAYS"] * 86400,
        path="/login",
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
