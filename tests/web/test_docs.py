"""docs/web.md documents every route and every query parameter of the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from dateline.web.app import api_router
from dateline.web.pages import page_router

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def routes_and_parameters(app: FastAPI) -> dict[str, set[str]]:
    """Every route of the two routers the app includes, with its query parameters."""
    found: dict[str, set[str]] = {}
    for route in [*api_router().routes, *page_router().routes]:
        if isinstance(route, APIRoute):
            names = {p.alias or p.name for p in route.dependant.query_params}
            found.setdefault(route.path.replace(":path}", "}"), set()).update(names)
    return found


def test_every_route_and_query_parameter_is_in_docs_web_md(app: FastAPI) -> None:
    text = DOC.read_text(encoding="utf-8")
    found = routes_and_parameters(app)
    assert "/events" in found and "/article/{article_id}" in found  # the API and the pages
    assert set(app.openapi()["paths"]) <= set(found)
    missing_routes = [
        path
        for path in found
        if f"`{path}`" not in text and f"`GET {path}`" not in text and f"`POST {path}`" not in text
    ]
    assert missing_routes == [], f"routes not in docs/web.md: {missing_routes}"
    missing = sorted(
        {
            f"{path}?{name}"
            for path, names in found.items()
            for name in names
            if f"`{name}`" not in text
        }
    )
    assert missing == [], f"query parameters not in docs/web.md: {missing}"


def test_the_screenshots_it_shows_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    shots = [
        line.split("(")[1].split(")")[0] for line in text.splitlines() if line.startswith("![")
    ]
    assert len(shots) >= 6
    for shot in shots:
        assert (DOC.parent / shot).is_file(), shot
