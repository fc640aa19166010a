"""Request validation with pydantic: one schema both checks input and documents the API.

Views declare their schemas with `@validated(query=..., body=...)`; the parsed models arrive as
the `query` and `body` keyword arguments. Every declaration is recorded in `ENDPOINTS`, from which
the OpenAPI description is generated, so a schema is never written twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from core.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class EndpointSchemas:
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    summary: str


ENDPOINTS: dict[Callable[..., Any], EndpointSchemas] = {}


def _first_error(exc: ValidationError) -> InvalidInput:
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or "body"
    # A validator's own ValueError reads "Value error, <reason>": the reason is what people need.
    return InvalidInput(field, error["msg"].removeprefix("Value error, "))


def parse(model: type[Model], data: Any) -> Model:
    """DATA validated by MODEL, or a 400 naming the first bad field and why."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def query_data(model: type[BaseModel]) -> dict[str, Any]:
    """The query string as a dict; parameters declared as lists keep every value."""
    data: dict[str, Any] = {}
    for name in request.args:
        field = model.model_fields.get(name)
        is_list = field is not None and getattr(field.annotation, "__origin__", None) is list
        values = request.args.getlist(name)
        data[name] = values if is_list else values[-1]
    return data


def json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput("body", "must be a JSON document (Content-Type: application/json)")
    return data


def reject_nul_characters() -> None:
    """400 for any parameter or field holding a NUL character, which PostgreSQL text refuses:
    checked once for every request instead of in every schema and form."""
    for name, value in request.values.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise InvalidInput(name.replace("\x00", ""), "must not contain NUL characters")
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        raise InvalidInput("body", "must not contain NUL characters")


def validated(
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    summary: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Validate the query string and/or JSON body before the view runs."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = parse(query, query_data(query))
            if body is not None:
                kwargs["body"] = parse(body, json_body())
            return view(*args, **kwargs)

        ENDPOINTS[wrapper] = EndpointSchemas(query, body, response, summary or (view.__doc__ or ""))
        return wrapper

    return decorate
