"""The HTML pages: the questionnaire, a decision's report, why not X, the decision log, the API docs."""

from __future__ import annotations

from datetime import date
from typing import Optional
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from recommender.domain.errors import InputError
from recommender.domain.vocabulary import APPROACH_NAMES
from recommender.interfaces.web import form, report

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def _site(request: Request):
    return request.app.state.site


def _pages(request: Request):
    return request.app.state.pages


# --- the questionnaire ---------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def questionnaire(request: Request):
    sections = form.sections(offerings=tuple(_site(request).offerings))
    return _pages(request).render("form.html", sections=sections, top_error=None, first_error=None)


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request):
    site = _site(request)
    kind = request.headers.get("content-type", "application/x-www-form-urlencoded")
    if "application/x-www-form-urlencoded" not in kind:
        return _form_again(request, {}, {form.TOP: "send the form as application/x-www-form-urlencoded"}, True)
    body = await request.body()
    posted = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200))
    outcome = form.read(posted, site.setup, date.today())
    errors = outcome.errors
    if not errors:
        decision, errors = form.decide(site, outcome.answers)
    if errors:
        return _form_again(request, posted, errors, outcome.fine_tuning_possible)
    site.record(decision)
    return RedirectResponse(f"/decisions/{decision['decision_id']}", status_code=303)


def _form_again(request: Request, posted: dict, errors: dict, fine_tuning_possible: bool):
    sections = form.sections(posted, errors, fine_tuning_possible, tuple(_site(request).offerings))
    first = next((f for section in sections for f in section.fields if f.error), None)
    count = sum(1 for key in errors if key != form.TOP)
    top = errors.get(form.TOP) or f"{count} answer{'s' if count > 1 else ''} to fix: see the message{'s' if count > 1 else ''} below."
    return _pages(request).render("form.html", 422, sections=sections, top_error=top,
                                  first_error=first.dom_id if first else None)


# --- a decision ----------------------------------------------------------------------------------


def _record(request: Request, decision_id: str) -> dict:
    try:
        return _site(request).load(decision_id)
    except InputError as exc:
        raise HTTPException(404, exc.problem) from None


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
async def decision_page(request: Request, decision_id: str):
    site = _site(request)
    decision = _record(request, decision_id)
    page = report.report(decision, site.explain(decision), site.sweep(decision))
    return _pages(request).render("report.html", **page)


@router.get("/decisions/{decision_id}/why-not", response_class=HTMLResponse)
async def why_not_page(request: Request, decision_id: str, offering: str = Query("", max_length=200)):
    from recommender.presentation.explain_text import why_not_lines

    site = _site(request)
    decision = _record(request, decision_id)
    offerings = report.report_offerings(decision)
    try:
        answer, status, problem = why_not_lines(site.explain(decision, why_not=offering.strip())), 200, None
    except InputError as exc:
        answer, status, problem = [], 422, exc.problem
    return _pages(request).render("why_not.html", status, decision=decision, offering=offering, offerings=offerings,
                                  answer=answer, problem=problem)


# --- the log -------------------------------------------------------------------------------------


@router.get("/decisions", response_class=HTMLResponse)
async def log_page(request: Request, approach: str = Query("", max_length=40), offering: str = Query("", max_length=200),
                   since: str = Query("", max_length=10), until: str = Query("", max_length=10),
                   page: int = Query(1, ge=1, le=1_000_000)):
    site = _site(request)
    filters = {"approach": approach, "offering": offering, "since": since, "until": until}
    problem = _filter_problem(filters)
    rows, total = ([], 0) if problem else site.listing(
        approach=approach or None, offering=offering or None, since=since or None, until=until or None,
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return _pages(request).render(
        "decisions.html", 422 if problem else 200, rows=rows, total=total, page=page, pages=pages, filters=filters,
        problem=problem, approaches=APPROACH_NAMES, offerings=site.offerings, log_file=str(site.log_file),
        newer=_page_link(filters, page - 1) if page > 1 else None,
        older=_page_link(filters, page + 1) if page < pages else None)


def _filter_problem(filters: dict) -> Optional[str]:
    if filters["approach"] and filters["approach"] not in APPROACH_NAMES:
        return f"approach: choose one of {', '.join(APPROACH_NAMES)}"
    for name in ("since", "until"):
        if filters[name]:
            try:
                date.fromisoformat(filters[name])
            except ValueError:
                return f"{name}: expected a date as YYYY-MM-DD, got {filters[name]!r}"
    return None


def _page_link(filters: dict, page: int) -> str:
    kept = {k: v for k, v in filters.items() if v}
    return "/decisions?" + urlencode({**kept, "page": page})


# --- the API's documentation, offline ------------------------------------------------------------


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request):
    from recommender.interfaces.web.api_routes import endpoints

    return _pages(request).render("docs.html", endpoints=endpoints(request.app.openapi()),
                                  base=str(request.base_url).rstrip("/"))
