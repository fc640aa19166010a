"""The demo data shows each rule and loads twice without duplicates."""

from __future__ import annotations

from sqlalchemy import func, select, text

from core.db import db
from shoots.models import Production, Shoot
from shoots.operations.shoots import findings_for


def test_demo_shows_every_rule_and_is_idempotent(runner):
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "shoots: already there" in second.output
    assert db.session.scalar(select(func.count()).select_from(Production)) == 2
    shoots = db.session.scalars(select(Shoot).order_by(Shoot.id)).all()
    assert len(shoots) == 5
    assert shoots[0].location is not None and shoots[0].location.name == "Gare de Namur"
    rules = {f.rule for s in shoots for f in findings_for(db.session, s).items}
    assert rules == {"nearby_set", "blackout"}
    straddling = db.session.execute(
        text("""SELECT count(DISTINCT c.nis) FROM shoots s JOIN communes c
                ON ST_Intersects(s.footprint, c.boundary)
                WHERE s.notes LIKE '%Profondeville%'""")
    ).scalar()
    assert straddling == 2
