"""`ftrec serve`: the questionnaire, reports, the decision log and the JSON API on a local web page.

FastAPI, Jinja2 and uvicorn are imported only here, when the command runs (`pip install 'ftrec[web]'`).
"""

from __future__ import annotations

import ipaddress

import click

from recommender.domain.errors import EnvironmentProblem
from recommender.interfaces.cli.common import catalog_option, rules_option


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: only this machine).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--audit-log", type=click.Path(), default=None, metavar="FILE",
              help="Decision log to record in and browse (default $FTREC_AUDIT_LOG or ~/.local/share/ftrec/audit.jsonl).")
@catalog_option
@rules_option
def serve(host, port, audit_log, catalog_dir, rules_dir) -> None:
    """The questionnaire and the reports as a local web page, with the decision log and a JSON API
    (POST /api/recommend, GET /api/decisions/ID, GET /api/catalog; described at /docs).

    Decisions made on the page are recorded in the same log as `ftrec recommend`, so `ftrec audit
    list` and `ftrec explain ID` show them, and the page shows the command line's.
    """
    from recommender.records import log

    path = log.log_path(audit_log)
    log.check_writable(path)
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach this machine can read the "
                   "decision log and record decisions (there is no login); use --host 127.0.0.1 to keep it local",
                   err=True)
    check_free(host, port)
    try:
        import uvicorn

        from recommender.interfaces.web.app import create_app
    except ImportError as exc:
        raise EnvironmentProblem(f"the web page needs FastAPI, Jinja2 and uvicorn ({exc.name} is missing): "
                         "pip install 'ftrec[web]'", path="ftrec serve") from None
    app = create_app(path, catalog_dir, rules_dir)
    click.echo(f"ftrec: http://{_shown(host)}:{port}/ · decision log {path} · Ctrl-C stops", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def check_free(host: str, port: int) -> None:
    """Say plainly when the address cannot be had (exit 3), instead of uvicorn's log line."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot listen on {_shown(host)}:{port}: {exc.strerror or exc} "
                                 "(another server there? choose one with --port)", path="ftrec serve") from None


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
