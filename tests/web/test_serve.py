"""`ftrec serve`: loads its web stack only when run, warns off loopback, refuses a log it cannot write."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import run_cli
from tests.web.conftest import Server, free_port


def test_the_command_line_does_not_load_the_web_stack_until_serve_runs():
    code = ("import sys\nfrom recommender.interfaces.cli.main import cli\n"
            "assert 'serve' in cli.list_commands(None)\ncli.get_command(None, 'serve')\n"
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'jinja2', 'starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_serve_answers_on_loopback_with_its_own_log(tmp_path):
    server = Server(tmp_path / "audit.jsonl")
    try:
        with urllib.request.urlopen(server.url + "/") as response:
            assert response.status == 200 and b'id="questionnaire"' in response.read()
    finally:
        err = server.stop()
    assert "warning" not in err and str(tmp_path / "audit.jsonl") in err


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.5", True), ("::1", True),
                                            ("localhost", True), ("0.0.0.0", False), ("192.0.2.1", False),
                                            ("example.org", False)])
def test_loopback_or_not(host, loopback):
    from recommender.interfaces.cli.serve import is_loopback

    assert is_loopback(host) is loopback


def test_a_port_in_use_is_an_environment_problem(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--audit-log", str(tmp_path / "log.jsonl"))
    assert result.code == 3
    assert f"cannot listen on 127.0.0.1:{port}" in result.err and "--port" in result.err


def test_a_warning_when_bound_beyond_loopback(tmp_path):
    # 192.0.2.1 is reserved for documentation: the warning is printed, then the address cannot be
    # had, and nothing is ever reachable from elsewhere.
    done = subprocess.run([sys.executable, "-m", "recommender", "serve", "--host", "192.0.2.1", "--port",
                           str(free_port()), "--audit-log", str(tmp_path / "log.jsonl")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert "warning: listening on 192.0.2.1, not loopback" in done.stderr
    assert "cannot listen on 192.0.2.1" in done.stderr


def test_a_log_that_cannot_be_written_stops_serve_before_it_starts(tmp_path):
    result = run_cli("serve", "--audit-log", str(tmp_path))
    assert result.code in (2, 3) and str(tmp_path) in result.err and len(result.err.splitlines()) == 1


def test_without_the_web_extra_serve_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    result = run_cli("serve", "--port", str(free_port()), "--audit-log", str(tmp_path / "log.jsonl"))
    assert result.code == 3 and "pip install 'ftrec[web]'" in result.err
