from core.auth.operations import authenticate
from core.db import db
from core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


def test_demo_load_is_idempotent_and_accounts_can_sign_in(runner):
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert f"accounts: {len(DEMO_ACCOUNTS)} accounts created" in first.output
    assert "0 accounts created" in second.output
    for email, role, commune, _name in DEMO_ACCOUNTS:
        user = authenticate(db.session, email, DEMO_PASSWORD)
        assert user is not None and user.role == role and user.commune_nis == commune
