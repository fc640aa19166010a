"""Queryables (OGC API – Features Part 3): the properties features can be filtered by.

Derived from each collection's declaration (`Collection.properties`), never listed twice: a
property is queryable when its column has a type a query parameter can carry — text
(String, not paragraphs of Text), an integer, a boolean, one of an Enum's values, or an
array of text (`categories=castle`: the features whose categories include it). Times are
filtered by `datetime`, places by `bbox`. The same definitions give the JSON Schema of
/collections/{id}/queryables, the parsing of the query parameters and their OpenAPI
description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Enum,
    Integer,
    String,
    Text,
    any_,
    cast,
    literal,
)

from core.errors import InvalidInput
from core.validation import MAX_DATABASE_ID
from ogc.collections import Collection

MAX_TEXT_LENGTH = 500  # longer than any name or address we store
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Queryable:
    name: str
    column: ColumnElement[Any]
    schema: dict[str, Any]  # JSON Schema of the property
    parameter: TypeAdapter[Any]  # parses the query parameter's value
    contains: bool = False  # an array: the parameter is one of its items

    def condition(self, raw: str) -> ColumnElement[bool]:
        """The WHERE condition for the query parameter's RAW value; a 400 naming it if bad."""
        try:
            value = self.parameter.validate_python(raw)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"]
            raise InvalidInput(self.name, reason) from None
        if self.contains:
            # Cast to its own type: ANY over an array even when the column is a scalar subquery
            # (the public shoots' communes); ANY (SELECT …) would compare with its rows instead.
            return literal(value) == any_(cast(self.column, self.column.type))
        return self.column == value

    def parameter_schema(self) -> dict[str, Any]:
        """The query parameter's schema: one item for an array property."""
        return self.schema["items"] if self.contains else self.schema


def _text(column: ColumnElement[Any], name: str, **schema: Any) -> Queryable:
    return Queryable(
        name,
        column,
        {"type": "string", **schema},
        TypeAdapter(Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]),
    )


def _queryable(name: str, column: ColumnElement[Any]) -> Queryable | None:
    kind = column.type
    if isinstance(kind, Enum):
        values = tuple(kind.enums)
        return Queryable(
            name, column, {"type": "string", "enum": list(values)}, TypeAdapter(Literal[values])
        )  # type: ignore[valid-type]
    if isinstance(kind, Boolean):
        return Queryable(name, column, {"type": "boolean"}, TypeAdapter(bool))
    if isinstance(kind, Integer):  # a PostgreSQL integer: a larger one is a 400, not a 500
        bounds = {"minimum": -MAX_DATABASE_ID - 1, "maximum": MAX_DATABASE_ID}
        adapter = TypeAdapter(Annotated[int, Field(ge=bounds["minimum"], le=bounds["maximum"])])
        return Queryable(name, column, {"type": "integer", **bounds}, adapter)
    if isinstance(kind, Text):
        return None  # paragraphs: equality is no filter
    if isinstance(kind, String):
        return _text(column, name)
    if isinstance(kind, ARRAY) and isinstance(kind.item_type, String):
        item = _text(column, name)
        return Queryable(
            name, column, {"type": "array", "items": item.schema}, item.parameter, contains=True
        )
    return None


_BY_COLLECTION: dict[str, dict[str, Queryable]] = {}


def queryables(collection: Collection) -> dict[str, Queryable]:
    """The queryable properties of COLLECTION, in declaration order (computed once)."""
    if collection.id not in _BY_COLLECTION:
        found = (_queryable(name, column) for name, column in collection.properties.items())
        _BY_COLLECTION[collection.id] = {q.name: q for q in found if q is not None}
    return _BY_COLLECTION[collection.id]


def conditions(collection: Collection, parameters: dict[str, str]) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the queryable PARAMETERS (name → raw value) of a request."""
    known = queryables(collection)
    return [known[name].condition(raw) for name, raw in parameters.items()]


def json_schema(collection: Collection, url: str) -> dict[str, Any]:
    """The queryables resource: a JSON Schema whose properties are the queryables."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": url,
        "type": "object",
        "title": str(collection.title),
        "properties": {
            name: {"title": name, **queryable.schema}
            for name, queryable in queryables(collection).items()
        },
        "additionalProperties": False,
    }


def query_parameters(collection: Collection) -> list[dict[str, Any]]:
    """The queryables as OpenAPI query parameters of the collection's items."""
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": (
                f"Features whose {name} includes this value."
                if queryable.contains
                else f"Features whose {name} is this value."
            ),
            "schema": queryable.parameter_schema(),
        }
        for name, queryable in queryables(collection).items()
    ]
