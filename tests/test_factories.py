"""The shared factories make rows the database accepts, in the right place and time."""

from datetime import datetime

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from core.db import db
from shoots.models import Shoot
from tests.conftest import BRUSSELS


def test_location_commune_is_derived_from_its_point(create_location):
    location = create_location(lon=5.5733, lat=50.6451, name="Place Saint-Lambert")
    assert location.commune_nis == "62063"
    assert to_shape(location.point).distance(to_shape(location.point)) == 0


def test_shoot_footprint_and_period(create_shoot):
    shoot = create_shoot(radius_m=50, start=datetime(2027, 3, 28, 1, 0, tzinfo=BRUSSELS), hours=3)
    area = db.session.scalar(select(func.ST_Area(Shoot.footprint)).where(Shoot.id == shoot.id))
    hours = db.session.scalar(
        select(func.extract("epoch", func.upper(Shoot.period) - func.lower(Shoot.period)) / 3600)
    )
    assert 7700 < area < 7900  # about π·50²
    assert hours == 3  # across the spring-forward change, in real hours
