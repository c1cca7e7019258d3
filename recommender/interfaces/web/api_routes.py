"""The JSON API: the same objects as the command line's `--format json`."""

from __future__ import annotations

from datetime import date
from typing import Optional

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from recommender.domain import files
from recommender.domain.errors import InputError

router = APIRouter(prefix="/api")
BODY_LABEL = "request body"


_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "A requirements object, as a requirements file holds it (`ftrec schema requirements`); "
                                     "every field has a default, so {} is a typical request."}}}}}
_DECISION = {200: {"description": "The decision, as `ftrec recommend --format json` prints it (`ftrec schema decision`)."}}
_BAD = {422: {"description": "Bad input: `{\"detail\": \"one line naming the field and the problem\"}`."}}
_UNKNOWN = {404: {"description": "No such decision in the log."}}


@router.post("/recommend", openapi_extra=_BODY, responses={**_DECISION, **_BAD, 413: {"description": "Body over 1 MB."},
                                                           503: {"description": "The decision log cannot be written."}})
async def recommend(request: Request, record: bool = Query(True, description="Append the decision to the log."),
                    today: Optional[date] = Query(None, description="Judge prices on this date (default today).")):
    """Decide the approach and rank the allowed offerings; recorded in the decision log unless `record=false`."""
    site = request.app.state.site
    data = _json_body(await request.body())
    decision = site.decide(data, "web api", today)
    if record:
        site.record(decision)
    return JSONResponse(decision)


def _json_body(raw: bytes) -> dict:
    text = files.decode(raw, BODY_LABEL)
    data = files.parse(text, BODY_LABEL, json_text=True)
    if data is None:
        raise InputError("expected a JSON object of requirement fields, got an empty body", file=BODY_LABEL)
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object of requirement fields, got {type(data).__name__}", file=BODY_LABEL)
    return data


@router.get("/decisions/{decision_id}", responses={**_DECISION, **_UNKNOWN, **_BAD})
async def decision(request: Request, decision_id: str):
    """A recorded decision (a unique prefix of its id is enough), as it was recorded."""
    try:
        return JSONResponse(request.app.state.site.load(decision_id))
    except InputError as exc:
        raise HTTPException(404, exc.problem) from None


@router.get("/decisions", responses=_BAD)
async def decisions(request: Request, approach: Optional[str] = Query(None, max_length=40),
                    offering: Optional[str] = Query(None, max_length=200), since: Optional[date] = None,
                    until: Optional[date] = None, limit: int = Query(50, ge=1, le=1000),
                    offset: int = Query(0, ge=0, le=10**9)):
    """The decision log, newest first: one summary per decision, filtered and paged."""
    rows, total = request.app.state.site.listing(
        approach=approach, offering=offering, since=since and since.isoformat(), until=until and until.isoformat(),
        limit=limit, offset=offset)
    return {"total": total, "offset": offset, "limit": limit, "decisions": rows}


@router.get("/catalog")
async def catalog(request: Request):
    """Every offering with every price, each with its source and date (`ftrec catalog show --format json`)."""
    from recommender.presentation.catalog_view import offerings_json

    return offerings_json(request.app.state.site.catalog, brief=False)


def endpoints(openapi: dict) -> list[dict]:
    """The API's operations for the offline docs page."""
    found = []
    for path, operations in openapi.get("paths", {}).items():
        for method, op in operations.items():
            found.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                          "description": op.get("description", ""),
                          "parameters": [{"name": p["name"], "in": p["in"], "description": p.get("description", ""),
                                          "required": p.get("required", False)} for p in op.get("parameters", [])],
                          "responses": {code: r.get("description", "") for code, r in op.get("responses", {}).items()}})
    return found
