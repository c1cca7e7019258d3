"""The start-up cache: a changed file is seen at once, a broken cache entry is rebuilt."""

import shutil

from recommender.cache import cache_dir
from recommender.catalog import load_catalog
from recommender.rules import load_rules

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


def test_cached_load_equals_fresh_load(tmp_path, monkeypatch):
    directory = _copy(tmp_path, "rules")
    first, second = load_rules(directory), load_rules(directory)  # second from the cache
    monkeypatch.setenv("FTREC_NO_CACHE", "1")
    fresh = load_rules(directory)
    assert first.rules == second.rules == fresh.rules and first.sha256 == fresh.sha256
    assert {r.file for r in second.rules} == {str(directory / f) for f in ("approach.yaml", "method.yaml",
                                                                           "offerings.yaml", "ranking.yaml", "warnings.yaml")}


def test_a_corrupt_cache_entry_is_rebuilt(tmp_path):
    directory = _copy(tmp_path, "catalog")
    load_catalog(directory)
    for entry in cache_dir().glob("catalog-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert len(load_catalog(directory).offerings) == 18


def test_the_same_files_elsewhere_keep_their_own_paths(tmp_path):
    one, two = _copy(tmp_path / "a", "rules"), _copy(tmp_path / "b", "rules")
    assert load_rules(one).rules[0].file.startswith(str(one))
    assert load_rules(two).rules[0].file.startswith(str(two))
