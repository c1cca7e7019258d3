"""The public Python API: the same decision as the CLI, importable without the CLI."""

import doctest
import json
import subprocess
import sys

import recommender
from recommender import api

from conftest import ROOT, TODAY, run_cli

REQUEST = {"inference": {"monthly_tokens": "100M"}, "needs": {"style_tone": True}, "baseline": "openai/gpt-4o"}


def _without_id_and_time(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def test_recommend_equals_the_cli_json(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUEST))
    from_cli = json.loads(run_cli("recommend", str(path), "--format", "json", "--no-audit", "--today", TODAY.isoformat()).out)
    from_api = recommender.recommend(str(path), today=TODAY).model_dump(mode="json")
    assert _without_id_and_time(from_api) == _without_id_and_time(from_cli)


def test_a_mapping_a_path_and_a_model_give_the_same_decision(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUEST))
    model = recommender.Requirements.model_validate(REQUEST)
    shown = [_without_id_and_time(recommender.recommend(r, today=TODAY).model_dump(mode="json")) | {"source": None}
             for r in (REQUEST, str(path), model)]
    assert shown[0] == shown[1] == shown[2]


def test_record_appends_to_the_named_log(tmp_path):
    log = tmp_path / "decisions.log"
    decision = recommender.recommend({}, record=log, today=TODAY)
    listed = run_cli("audit", "list", "--format", "json", "--audit-log", str(log))
    assert [row["decision_id"] for row in json.loads(listed.out)] == [decision.decision_id]


def test_bad_input_raises_input_error_with_the_field_path():
    try:
        recommender.recommend({"training": {"epochs": "three"}})
    except recommender.InputError as exc:
        assert str(exc) == 'requirements: training.epochs: must be a whole number, got "three"'
    else:
        raise AssertionError("no InputError")


def test_every_public_name_is_documented_with_an_example():
    for name in ("recommend", "explain", "cost", "sweep", "load_catalog", "load_rules"):
        assert ">>>" in getattr(recommender, name).__doc__, name
    assert set(recommender.__all__) >= {"recommend", "explain", "cost", "sweep", "load_catalog", "load_rules",
                                        "Decision", "Requirements"}


def test_the_docstring_examples_run():
    failures, tried = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert tried >= 6 and failures == 0


def test_importing_recommender_loads_no_decision_machinery():
    code = "import sys, recommender; print(sorted(m for m in sys.modules if m.startswith(('recommender.', 'durable', 'pydantic'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_as_of_prices_the_decision_with_the_prices_then_in_force():
    # GPT-3.5 Turbo's fine-tuned rates were 002's $0.003/$0.006 until genai-prices' $3/$6 (2026-10-14):
    # at 80/20 on 100M tokens, 80 × $0.003 + 20 × $0.006 = $0.36 a month then, $360 now.
    then = recommender.recommend({}, today=TODAY, as_of=__import__("datetime").date(2026, 6, 1))
    now = recommender.recommend({}, today=TODAY)
    monthly = [next(r.cost.monthly for r in d.recommendations if r.offering == "openai/gpt-3.5-turbo")
               for d in (then, now)]
    assert monthly == ["0.36", "360.00"]
    assert then.model_dump(mode="json")["as_of"] == "2026-06-01" and "as_of" not in now.model_dump(mode="json")
