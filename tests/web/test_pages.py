"""The HTML pages through FastAPI's TestClient: the questionnaire, the report, why not, the log; and
decisions shared with the command line through the one decision log."""

from __future__ import annotations

import json
import re

import pytest

from recommender.interfaces.questions import QUESTIONS, default_of, validate
from tests.conftest import ROOT, run_cli
from tests.web.conftest import newest, recorded


def _field_names(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="([^"]+)"', html.split('id="questionnaire"')[1].split("</form>")[0])))


def _submit(client, answers: dict):
    return client.post("/", data=answers, follow_redirects=False)


def test_the_form_asks_every_question_in_order_with_defaults_and_help(client):
    html = client.get("/").text
    assert _field_names(html) == [q.id for q in QUESTIONS]
    for question in QUESTIONS:
        assert question.help.replace("'", "&#39;") in html
        default = default_of(question)
        if default is not None and not question.choices:
            assert f'name="{question.id}" id="q-{question.id.replace(".", "-").replace("_", "-")}-input" value="{default}"' in html
    assert '<meta name="viewport"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from elsewhere
    assert '<option value="openai/gpt-4o">' in html.split('id="q-baseline-list"')[1]  # ids suggested


def test_the_browser_is_told_to_load_nothing_from_elsewhere(client):
    for response in (client.get("/"), client.get("/api/catalog"), client.post("/api/recommend", content=b"x" * 2_000_000)):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_branching_is_described_for_the_browser(client):
    html = client.get("/").text
    tag = html.split('id="q-tokens-per-request"')[1].split(">")[0]
    assert "data-when=" in tag and "volume_unit" in tag and "requests" in tag
    always = html.split('id="q-task-kind"')[1].split(">")[0]
    assert "data-when" not in always


def test_submitting_the_defaults_records_and_redirects_to_the_report(client, log_file):
    response = _submit(client, {})
    assert response.status_code == 303
    decision_id = response.headers["location"].rsplit("/", 1)[1]
    record = newest(log_file)
    assert record["decision_id"] == decision_id and record["source"] == "web form"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    html = page.text
    for rec in record["recommendations"][:3]:
        assert rec["offering"] in html
    assert "<svg" in html and "Year-1 total per offering" in html and "by monthly volume" in html
    first_line = record["recommendations"][0]["cost"]["breakdown"][0]
    from html import unescape

    from recommender.domain.vocabulary import source_words

    shown = unescape(html)
    assert first_line["as_of"] in shown and source_words(first_line["source"]) in shown
    assert "000_19179cd3903228f0.txt" not in shown.split("<q ")[0]  # sources in words where a person reads


def test_requests_branch_turns_requests_into_tokens(client, log_file):
    # 2M requests a month x 500 tokens each = 1B tokens a month, worked out by hand.
    _submit(client, {"volume_unit": "requests", "requests_per_month": "2M", "tokens_per_request": "500",
                     "inference.monthly_tokens": "this answer no longer applies"})
    record = newest(log_file)
    assert record["requirements"]["inference"]["monthly_tokens"] == 1_000_000_000
    assert record["requirements"]["inference"]["monthly_queries"] == 2_000_000


def test_bad_answers_come_back_next_to_their_fields_keeping_what_was_typed(client, log_file):
    response = _submit(client, {"inference.monthly_tokens": "lots", "training.epochs": "-2", "needs.citations": "maybe"})
    assert response.status_code == 422
    html = response.text
    for field, raw in (("inference.monthly_tokens", "lots"), ("training.epochs", "-2")):
        question = next(q for q in QUESTIONS if q.id == field)
        with pytest.raises(ValueError) as expected:
            validate(question, raw)
        block = html.split(f'data-question="{field}"')[1].split('<div class="question')[0]
        assert str(expected.value).replace('"', "&#34;").replace("'", "&#39;") in block  # the same message `ftrec ask` gives
        assert f'value="{raw}"' in block
    assert "choose one of yes, no" in html
    assert recorded(log_file) == []


def test_training_answers_are_not_required_once_the_rules_rule_fine_tuning_out(client):
    # Knowledge that changes daily rules fine-tuning out (001), so a nonsense epoch count is never read.
    response = _submit(client, {"task.knowledge_churn": "daily", "training.epochs": "nonsense"})
    assert response.status_code == 303


def test_an_unknown_baseline_is_shown_at_its_question(client):
    response = _submit(client, {"baseline_kind": "offering", "baseline": "nobody/nothing"})
    assert response.status_code == 422
    block = response.text.split('data-question="baseline"')[1].split('<div class="question')[0]
    assert 'class="error"' in block


def test_why_not_answers_like_the_cli(client, log_file):
    location = _submit(client, {"needs.data_residency": "eu"}).headers["location"]
    decision_id = location.rsplit("/", 1)[1]
    cli = run_cli("explain", decision_id, "--why-not", "openai/gpt-4o", "--audit-log", str(log_file))
    assert cli.code == 0, cli.err
    page = client.get(f"{location}/why-not", params={"offering": "openai/gpt-4o"})
    assert page.status_code == 200
    answer = page.text.split('id="why-not-answer">')[1].split("</pre>")[0]
    # the same words; the terminal wraps them to its width
    assert " ".join(answer.replace("&#34;", '"').replace("&#39;", "'").split()) == " ".join(cli.out.split())
    assert "offerings.eu_residency" in answer
    assert client.get(f"{location}/why-not", params={"offering": "nobody/nothing"}).status_code == 422


def test_a_web_decision_shows_in_audit_list_and_explain(client, log_file):
    decision_id = _submit(client, {}).headers["location"].rsplit("/", 1)[1]
    listed = run_cli("audit", "list", "--audit-log", str(log_file))
    assert decision_id in listed.out
    explained = run_cli("explain", decision_id, "--audit-log", str(log_file))
    assert explained.code == 0 and decision_id in explained.out


def test_a_cli_decision_shows_on_the_web(client, log_file, tmp_path):
    path = tmp_path / "req.yaml"
    path.write_text("needs: {style_tone: true}\n")
    made = run_cli("recommend", str(path), "--format", "json", "--audit-log", str(log_file))
    decision = json.loads(made.out)
    log_page = client.get("/decisions").text
    assert f'href="/decisions/{decision["decision_id"]}"' in log_page
    report = client.get(f"/decisions/{decision['decision_id']}")
    assert report.status_code == 200 and decision["recommendations"][0]["offering"] in report.text


def test_the_log_pages_and_filters(client):
    for _ in range(23):
        client.post("/api/recommend", json={})
    client.post("/api/recommend", json={"task": {"knowledge_churn": "daily"}})
    first = client.get("/decisions").text
    assert "page 1 of 2" in first and "Older" in first and first.count('<a class="mono" href="/decisions/') == 20
    second = client.get("/decisions", params={"page": 2}).text
    assert "page 2 of 2" in second and second.count('<a class="mono" href="/decisions/') == 4
    only = client.get("/decisions", params={"approach": "rag"}).text
    assert only.count('<a class="mono" href="/decisions/') == 1
    assert client.get("/decisions", params={"since": "not a date"}).status_code == 422
    assert client.get("/decisions", params={"approach": "magic"}).status_code == 422
    assert client.get("/decisions", params={"page": "x"}).status_code == 422


def test_the_report_shows_fields_the_engine_may_add(client, log_file):
    from recommender.interfaces.web.report import report

    decision = client.post("/api/recommend", json={}).json()
    decision["approach"]["assumed"] = ["task.knowledge_churn"]
    decision["approaches"] = [{"approach": "rag", "chosen": False, "offering": "openai/gpt-4o-mini", "monthly": "12.50",
                               "year_one": "150.00", "basis": [{"item": "embedding", "amount": "0.50", "times": 12,
                                                                "source": "002"}], "note": None}]
    decision["dead_end"] = None
    decision["recommendations"][0]["break_even"] = {"against": "x", "tokens": 5, "months": "2", "months_high": "7.5",
                                                     "baseline_rate": None, "fine_tuned_rate": None, "monthly_saving": None}
    page = report(decision, {"approach": {"because": [], "method_because": []}}, None)
    assert page["assumed"] == [{"field": "task.knowledge_churn", "value": "stable"}]
    assert page["approaches"][0]["year_one"] == "$150.00"  # 12 x $12.50
    assert page["approaches"][0]["basis"] == "embedding $0.50 × 12"
    assert page["rows"][0]["break_even"] == "5 tok · 2.0–7.5 mo"
    from recommender.records import log

    decision["decision_id"] = "29990101-000000-newfields"
    decision["recommendations"][0]["capability"] = {"class": "small", "source": "000 size tier"}
    log.append(decision, log_file)
    html = client.get("/decisions/29990101-000000-newfields").text
    for shown in ("task.knowledge_churn", "embedding $0.50 × 12", "2.0–7.5 mo", "small model"):
        assert shown in html


def test_every_skip_test_is_described_for_the_browser():
    from recommender.interfaces.questions import condition_of

    described = {q.id: condition_of(q) for q in QUESTIONS}
    assert described["task.kind"] is None
    assert described["tokens_per_request"] == {"is": "volume_unit", "values": ["requests"]}
    assert described["training.evaluations"] == {"all": [{"fine_tuning": True}, {"not_zero": "training.validation_tokens"}]}
    source = (ROOT / "recommender" / "interfaces" / "questions.py").read_text()
    conditional = [q.id for q in QUESTIONS if described[q.id] is not None]
    assert len(conditional) == source.count("ask_if=")  # no skip test the browser cannot read


def test_the_form_says_when_the_rules_rule_fine_tuning_out(client):
    html = _submit(client, {"task.knowledge_churn": "daily", "inference.monthly_tokens": "lots"}).text
    assert "the rules rule fine-tuning out: these answers are ignored" in html


def test_a_decision_that_allows_nothing_still_reads(client):
    # No GPT model documents EU residency (001: only Mistral does), so every offering is excluded.
    decision = client.post("/api/recommend", json={"needs": {"data_residency": "eu", "model_family": "gpt"}}).json()
    assert decision["recommendations"] == []
    page = client.get(f"/decisions/{decision['decision_id']}")
    assert page.status_code == 200 and "No offering is allowed" in page.text
    assert "offerings.eu_residency" in page.text


def test_the_report_names_sources_in_words(client):
    from html import unescape

    location = _submit(client, {}).headers["location"]
    shown = unescape(client.get(location).text)
    visible = shown.replace('cite="', "")  # a quote keeps its file name in the cite attribute
    for name in ("000_19179cd3903228f0.txt", "001_90cd665d03d0a11e.txt", "002_dea53b92ca302776.txt"):
        assert name not in visible.split('<q class="source"')[0]
    assert "per 001" not in shown and "(001;" not in shown
