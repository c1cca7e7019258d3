"""The web application: pages, JSON API, and the rules that keep bad input from ever being a 500.

Bad input is a 422 with one line naming the field (the API) or the page again with the messages
(HTML); unknown ids are 404; bodies over 1 MB are 413, refused before parsing; a log that cannot be
written is 503, naming the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from recommender import __version__
from recommender.domain.errors import InputError
from recommender.domain.vocabulary import source_words
from recommender.domain.units import dollars, tokens
from recommender.interfaces.web import api_routes, views
from recommender.interfaces.web.limits import BodyLimit, SecurityHeaders
from recommender.interfaces.web.site import LogUnavailable, Site

HERE = Path(__file__).resolve().parent

DESCRIPTION = ("Should we fine-tune an LLM, and if so, where? The same decisions as the `ftrec` command line: "
               "`POST /api/recommend` takes a requirements object (`ftrec schema requirements`) and returns the "
               "decision `ftrec recommend --format json` prints.")


class Pages:
    """Jinja2 templates from this package, autoescaped."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                      autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                                      lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.env.filters["dollars"] = dollars
        self.env.filters["tokens"] = lambda n: tokens(int(n)) if n is not None else "—"
        self.env.filters["code"] = _code_spans
        self.env.filters["words"] = lambda text: source_words(text) if text else text
        self.env.globals["version"] = __version__

    def render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)


def _code_spans(text: str):
    """`like this` as <code>, the rest escaped (OpenAPI descriptions are markdown)."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def create_app(log_file: Path, catalog: Optional[str] = None, rules: Optional[str] = None) -> FastAPI:
    app = FastAPI(title="ftrec", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.site = Site(log_file, catalog, rules)
    app.state.pages = Pages()
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: a 413 carries the headers too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(views.router)
    app.include_router(api_routes.router)
    _handle_errors(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, message: str):
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return request.app.state.pages.render("error.html", status, code=status, message=message)


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(request, 422, one_line(exc.errors()))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return _error(request, 422, str(exc))

    @app.exception_handler(LogUnavailable)
    async def no_log(request: Request, exc: LogUnavailable):
        return _error(request, 503, f"{exc} — nothing was recorded")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # a bug: say so without a traceback
        return _error(request, 500, f"internal error ({type(exc).__name__}); please report it")


def one_line(errors) -> str:
    """The first of FastAPI's validation errors as `where: problem`."""
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body"))
    return f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid")
