"""The web page under test: an in-process client, a real `ftrec serve` on a free loopback port, and
Debian's Chromium driven by Playwright (it cannot download a browser of its own here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FTREC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def log_file(tmp_path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def client(log_file):
    from fastapi.testclient import TestClient

    from recommender.interfaces.web.app import create_app

    with TestClient(create_app(log_file)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 20) -> float:
    """Seconds until the port accepts connections (the server is up)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"ftrec serve exited with {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"ftrec serve did not listen on port {port} within {seconds} s")


class Server:
    def __init__(self, log_file: Path, host: str = "127.0.0.1"):
        self.log_file = log_file
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, FTREC_AUDIT_LOG=str(log_file))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "recommender", "serve", "--host", host, "--port", str(self.port),
             "--audit-log", str(log_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.started_in = wait_for(self.port, self.process)

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("web") / "audit.jsonl")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = (f"browser tests need Chromium at {CHROMIUM}: `apt-get install chromium` "
                   "(or set FTREC_CHROMIUM to its path)")
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; in CI they must run (.ci/run installs it)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


# The log is read through its facade only: its storage may change (JSON Lines today).


def recorded(log_file: Path) -> list[dict]:
    """Every decision in the log, oldest first, as recorded."""
    from recommender.records import log

    summaries, _ = log.list_records(log_file, limit=10**6, newest_first=False)
    return [log.load_record(s["decision_id"], str(log_file)) for s in summaries]


def newest(log_file: Path) -> dict:
    return recorded(log_file)[-1]
