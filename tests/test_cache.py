"""Loading catalog and rules: a changed file is seen at once, in this process and through the start-up cache."""

import shutil

from recommender.domain.catalog import load_catalog
from recommender.engine.rules import load_rules

from conftest import ROOT


def _copy(tmp_path, name):
    target = tmp_path / name
    shutil.copytree(ROOT / name, target)
    return target


def test_a_changed_price_is_seen_at_once(tmp_path):
    directory = _copy(tmp_path, "catalog")
    before = load_catalog(directory)
    path = directory / "fireworks.yaml"
    path.write_text(path.read_text().replace('usd: "0.20"', 'usd: "0.25"', 1))
    after = load_catalog(directory)
    assert before.sha256 != after.sha256
    assert after.offerings["fireworks/llama-4-8b"].prices.inference_flat.usd == 0.25


def test_loading_twice_gives_the_same_rules(tmp_path):
    directory = _copy(tmp_path, "rules")
    first, second = load_rules(directory), load_rules(directory)
    assert first.rules == second.rules and first.sha256 == second.sha256
    assert {r.file for r in second.rules} == {str(directory / f) for f in ("approach.yaml", "method.yaml",
                                                                           "offerings.yaml", "ranking.yaml", "warnings.yaml")}


def test_the_same_files_elsewhere_keep_their_own_paths(tmp_path):
    one, two = _copy(tmp_path / "a", "rules"), _copy(tmp_path / "b", "rules")
    assert load_rules(one).rules[0].file.startswith(str(one))
    assert load_rules(two).rules[0].file.startswith(str(two))


