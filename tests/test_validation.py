from typing import Annotated

import pytest
from pydantic import BaseModel, Field, field_validator

from core.errors import InvalidInput
from core.validation import parse, query_data


class Search(BaseModel):
    category: list[str] = []
    limit: Annotated[int, Field(ge=1, le=100)] = 20


def test_repeatable_parameters_keep_every_value(app):
    with app.test_request_context("/?category=castle&category=farm&limit=5"):
        search = parse(Search, query_data(Search))
    assert search.category == ["castle", "farm"]
    assert search.limit == 5


@pytest.mark.parametrize("raw", ["0", "101", "ten"])
def test_bad_value_names_the_field(app, raw):
    with app.test_request_context(f"/?limit={raw}"), pytest.raises(InvalidInput) as error:
        parse(Search, query_data(Search))
    assert error.value.field == "limit"
    assert error.value.detail.startswith("limit: ")


def test_nul_characters_are_refused_everywhere(client):
    query = client.get("/api/v1/communes/at?lon=4.8\x00&lat=50.4")
    body = client.post("/api/v1/me", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert query.status_code == 400 and query.get_json()["field"] == "lon"
    assert body.status_code == 400 and body.get_json()["field"] == "body"


class Window(BaseModel):
    bbox: str

    @field_validator("bbox")
    @classmethod
    def _check(cls, value: str) -> str:
        raise ValueError("boxes crossing the antimeridian are not supported")


def test_a_validators_reason_reads_plainly(app):
    with pytest.raises(InvalidInput) as error:
        parse(Window, {"bbox": "5,50,4,51"})
    assert error.value.detail == "bbox: boxes crossing the antimeridian are not supported"
