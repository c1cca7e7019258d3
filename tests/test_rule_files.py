"""Rule files: they load, each rule quotes its source, and broken files are refused with file, rule and reason."""

import json
import re
import shutil

import pytest
import yaml

from recommender.domain.errors import InputError
from recommender.engine.rules import load_rules

from conftest import ROOT, SEEDS, run_cli

RULES = ROOT / "rules"


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside this checkout (set FTREC_SEEDS)")
def test_every_rule_quotes_its_source_word_for_word(ruleset):
    for rule in ruleset.rules:
        document = SEEDS / rule.source_document
        assert document.is_file(), f"{rule.id}: no seed {rule.source_document}"
        text = _normal(document.read_text(encoding="utf-8", errors="replace"))
        position = 0
        for fragment in (f.strip() for f in rule.source_says.split("…")):
            found = text.find(_normal(fragment), position)
            assert found >= 0, f"{rule.id}: {fragment!r} is not in {rule.source_document} (in order)"
            position = found + len(fragment)


def test_every_rule_has_an_id_description_and_source(ruleset):
    for rule in ruleset.rules:
        assert rule.description and rule.source_document.endswith(".txt") and rule.source_says


def test_rules_check_list_show():
    check = run_cli("rules", "check")
    assert check.code == 0 and "rules in" in check.out and "ok" in check.out
    listing = json.loads(run_cli("rules", "list", "--format", "json").out)
    assert len(listing) == len(load_rules().rules)
    shown = run_cli("rules", "show", "offerings.eu_residency")
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "European data residency or sovereignty" in text and "AITOT fine-tuning cost guide 2026" in text
    assert run_cli("rules", "show", "offerings.eu").code == 2


def _broken(tmp_path, mutate) -> str:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    mutate(target)
    return str(target)


def _edit(file: str, change):
    def mutate(target):
        path = target / file
        data = yaml.safe_load(path.read_text())
        change(data["rules"])
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    return mutate


def _rule(rules, rule_id):
    return next(r for r in rules if r["id"] == rule_id)


BROKEN = {
    "unknown fact": (_edit("approach.yaml", lambda rs: _rule(rs, "approach.citations")["when"].update({"needs.citation": True})),
                     "approach.yaml: rules[7] approach.citations: when.needs.citation: unknown fact (did you mean 'needs.citations'?)"),
    "unknown operator": (_edit("approach.yaml", lambda rs: _rule(rs, "approach.low_volume_tokens")["when"].update(
        {"inference.monthly_tokens": {"below": "1M"}})), "when.inference.monthly_tokens.below: unknown operator"),
    "unknown action": (_edit("warnings.yaml", lambda rs: _rule(rs, "warnings.no_baseline").update({"then": {"shout": "x"}})),
                       "then.shout: unknown action"),
    "bad enum value": (_edit("approach.yaml", lambda rs: _rule(rs, "approach.daily_knowledge")["when"].update(
        {"task.knowledge_churn": "dayly"})), "task.knowledge_churn.eq: must be one of daily, weekly, monthly or stable"),
    "duplicate id": (_edit("method.yaml", lambda rs: rs.append(dict(rs[0]))), "rules[7] method.new_knowledge: duplicate rule id"),
    "reason nobody concludes": (_edit("approach.yaml", lambda rs: _rule(rs, "approach.choose_hybrid")["when"].update(
        {"reasons": {"all": ["rag", "fine_tuning"]}})), "no rule concludes reason 'fine_tuning' (did you mean 'fine_tune'?)"),
    "cycle": (_edit("approach.yaml", lambda rs: _rule(rs, "approach.citations")["when"].update({"approach": "rag"})),
              "rules[7] approach.citations: cycle: reasons → approach → reasons (approach.citations reads approach to conclude reasons; approach.choose_prompt_engineering reads reasons to conclude approach)"),
    "no default": (_edit("ranking.yaml", lambda rs: rs.pop()), "the last rule deciding rank_by must have no conditions"),
    "missing source": (_edit("warnings.yaml", lambda rs: _rule(rs, "warnings.no_baseline").pop("source")),
                       "warnings.no_baseline: source: required field is missing"),
    "unknown placeholder": (_edit("warnings.yaml", lambda rs: _rule(rs, "warnings.no_baseline")["then"].update(
        {"warn": "see {needs.citation}"})), "unknown placeholder {needs.citation}"),
    "malformed YAML": (lambda t: (t / "method.yaml").write_text("rules: [\n"), "method.yaml: line 2, column 1: invalid YAML"),
    "empty directory": (lambda t: [p.unlink() for p in t.glob("*.yaml")], "no rule files"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_rule_files_are_refused(tmp_path, case, audit_log):
    mutate, fragment = BROKEN[case]
    directory = _broken(tmp_path, mutate)
    for command in (["rules", "check", "--rules", directory],
                    ["recommend", str(ROOT / "examples" / "typical.yaml"), "--rules", directory]):
        result = run_cli(*command)
        assert result.code == 2, (case, result)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], lines
        assert result.out == ""
    assert not audit_log.exists()


def test_unknown_offering_attribute_in_a_requirement(tmp_path):
    directory = _broken(tmp_path, _edit("offerings.yaml", lambda rs: _rule(rs, "offerings.eu_residency")["then"].update(
        {"require": {"offering.region": {"contains": "eu"}}})))
    with pytest.raises(InputError, match=re.escape("then.require.offering.region: unknown offering attribute (did you mean 'offering.regions'?)")):
        load_rules(directory)


def test_a_rule_set_with_different_content_registers_under_its_own_name(tmp_path, setup):
    directory = _broken(tmp_path, _edit("warnings.yaml", lambda rs: _rule(rs, "warnings.no_baseline")["then"].update(
        {"warn": "Give a baseline, please."})))
    other = load_rules(directory)
    assert other.name != setup.rules.name
    result = run_cli("recommend", str(ROOT / "examples" / "general-assistant.yaml"), "--rules", directory,
                     "--format", "json", "--no-audit")
    assert "Give a baseline, please." in {w["message"] for w in json.loads(result.out)["warnings"]}
