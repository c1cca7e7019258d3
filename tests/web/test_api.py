"""The JSON API: the command line's objects, recorded in the same log, and bad input never a 500."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.web.conftest import recorded

TYPICAL = {"inference": {"monthly_tokens": "100M"}, "needs": {"style_tone": True}}


def _ranking(decision: dict) -> list[str]:
    return [r["offering"] for r in decision["recommendations"]]


def test_recommend_gives_the_same_approach_and_ranking_as_the_cli(client, tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(TYPICAL))
    cli = run_cli("recommend", str(path), "--format", "json", "--no-audit", "--today", "2026-11-23")
    assert cli.code == 0, cli.err
    from_cli = json.loads(cli.out)
    response = client.post("/api/recommend?record=false&today=2026-11-23", json=TYPICAL)
    assert response.status_code == 200
    from_web = response.json()
    assert from_web["approach"] == from_cli["approach"]
    assert _ranking(from_web) == _ranking(from_cli)
    assert from_web["recommendations"] == from_cli["recommendations"]  # figures, sources and dates too


def test_001s_worked_example_figures(client):
    # 001: GPT-4o mini, 5M tokens x 3 epochs at $3.00/1M = $45 training; 80M x $0.30 + 20M x $1.20 = $48 a month.
    decision = client.post("/api/recommend?record=false", json={}).json()
    mini = next(r for r in decision["recommendations"] if r["offering"] == "openai/gpt-4o-mini")
    assert (mini["cost"]["training"], mini["cost"]["monthly"]) == ("45.00", "48.00")
    assert mini["cost"]["year_one"] == "621.00"  # 45 + 12 x 48
    assert all(line["source"] and line["as_of"] for line in mini["cost"]["breakdown"])


def test_recorded_unless_record_false(client, log_file):
    client.post("/api/recommend?record=false", json={})
    assert recorded(log_file) == []
    made = client.post("/api/recommend", json=TYPICAL).json()
    assert [d["decision_id"] for d in recorded(log_file)] == [made["decision_id"]]
    again = client.get(f"/api/decisions/{made['decision_id'][:17]}")
    assert again.status_code == 200 and again.json() == made


def test_decisions_list_newest_first_and_filtered(client):
    first = client.post("/api/recommend", json={}).json()
    second = client.post("/api/recommend", json={"task": {"knowledge_churn": "daily"}}).json()
    listed = client.get("/api/decisions").json()
    assert [d["decision_id"] for d in listed["decisions"]] == [second["decision_id"], first["decision_id"]]
    only = client.get("/api/decisions", params={"approach": first["approach"]["choice"]}).json()
    assert [d["decision_id"] for d in only["decisions"]] == [first["decision_id"]]
    paged = client.get("/api/decisions", params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 2 and [d["decision_id"] for d in paged["decisions"]] == [first["decision_id"]]


def test_catalog_gives_every_price_with_source_and_date(client):
    offerings = client.get("/api/catalog").json()
    mini = next(o for o in offerings if o["id"] == "openai/gpt-4o-mini")
    assert mini["prices"]["training"]["lora.sft"]["usd"] == "3.00"
    assert mini["prices"]["training"]["lora.sft"]["source"] and mini["prices"]["training"]["lora.sft"]["as_of"]


def test_openapi_and_an_offline_docs_page(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/recommend", "/api/decisions/{decision_id}", "/api/catalog"} <= set(schema["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/recommend" in docs.text
    assert "http" not in docs.text.replace("http://testserver", "")  # nothing loaded from elsewhere


# --- bad input: a 422 with one line naming the field, a 404, a 413; never a 500 ------------------

BAD_BODIES = {
    "negative tokens": ({"inference": {"monthly_tokens": -5}}, "inference.monthly_tokens"),
    "huge tokens": ({"inference": {"monthly_tokens": 10**400}}, "inference.monthly_tokens"),
    "huge float": ({"inference": {"input_share": 1e308}}, "inference.input_share"),
    "negative epochs": ({"training": {"epochs": -1}}, "training.epochs"),
    "huge training hours": ({"training": {"hours": "1e400"}}, "training.hours"),
    "huge baseline rate": ({"baseline": {"input_per_m": 10**40, "output_per_m": 1}}, "baseline.input_per_m"),
    "unknown field": ({"needs": {"citation": True}}, "needs.citation"),
    "unknown section": ({"nonsense": 1}, "nonsense"),
    "wrong type": ({"training": {"epochs": "three"}}, "training.epochs"),
    "list for a section": ({"training": [1, 2]}, "training"),
    "unknown baseline": ({"baseline": "nobody/nothing"}, "baseline"),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_requirements_are_422_naming_the_field(client, log_file, name):
    body, field = BAD_BODIES[name]
    response = client.post("/api/recommend", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert field in detail and "\n" not in detail
    assert recorded(log_file) == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b"null", b'"text"', b"\xff\xfe", b'{"a": NaN}',
                                 b"[" * 5000, b'{"inference": {"monthly_tokens": 1' + b"0" * 5000 + b"}}"])
def test_invalid_json_is_422(client, raw):
    response = client.post("/api/recommend", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "\n" not in detail and (detail.startswith("request body") or detail.startswith("requirements: "))


def test_oversized_bodies_are_413_before_parsing(client, log_file):
    big = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    assert client.post("/api/recommend", content=big).status_code == 413

    def chunks():  # no Content-Length: the limit counts what arrives
        for _ in range(20):
            yield b" " * 100_000

    assert client.post("/api/recommend", content=chunks()).status_code == 413
    assert client.post("/", content=big, headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 413
    assert recorded(log_file) == []


@pytest.mark.parametrize("url", ["/api/decisions/nope", "/api/decisions/1999", "/decisions/nope",
                                 "/decisions/nope/why-not?offering=x", "/no/such/page"])
def test_unknown_ids_are_404(client, url):
    client.post("/api/recommend", json={})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/api/recommend?record=maybe", "/api/recommend?today=yesterday"])
def test_bad_query_parameters_are_422(client, url):
    response = client.post(url, json={})
    assert response.status_code == 422
    assert response.json()["detail"].split(":")[0] in ("record", "today")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": "x"}, {"offset": -1}, {"since": "soon"}])
def test_bad_log_filters_are_422(client, params):
    assert client.get("/api/decisions", params=params).status_code == 422


def test_a_log_that_cannot_be_written_is_503_and_nothing_recorded(tmp_path):
    from fastapi.testclient import TestClient

    from recommender.interfaces.web.app import create_app

    (tmp_path / "log-dir").mkdir()
    with TestClient(create_app(tmp_path / "log-dir")) as client:
        response = client.post("/api/recommend", json={})
    assert response.status_code == 503 and "log-dir" in response.json()["detail"]
