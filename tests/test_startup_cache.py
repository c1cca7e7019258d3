"""The start-up cache (domain/disk_cache.py): a hit decides exactly as a miss; nothing it finds on
disk is trusted unless it is ftrec's own entry for these very files; FTREC_CACHE=off writes nothing."""

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from recommender.domain import catalog as catalogs, disk_cache
from recommender.domain.catalog import load_catalog
from recommender.engine import rules as rule_sets
from recommender.engine.rules import load_rules

from conftest import ROOT, forget_loaded, recommend_typical

FIREWORKS_8B = "fireworks/llama-4-8b"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("FTREC_CACHE_DIR", str(directory))
    monkeypatch.delenv("FTREC_CACHE", raising=False)
    forget_loaded()
    yield directory
    forget_loaded()


def _catalog_copy(tmp_path):
    return shutil.copytree(ROOT / "catalog", tmp_path / "catalog")


def _entries(directory, kind="catalog"):
    return sorted(directory.glob(f"{kind}-*.json")) if directory.exists() else []


def _fresh(directory):
    """The catalog in DIRECTORY as a new process would load it."""
    forget_loaded()
    return load_catalog(directory)


def _without_id_and_time(decision):
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def _must_not_build(monkeypatch):
    def refuse(*args):
        raise AssertionError("parsed the YAML files: the cache was not used")

    monkeypatch.setattr(catalogs, "_build", refuse)
    monkeypatch.setattr(rule_sets, "_build", refuse)


def _forged(entry, old: bytes, new: bytes) -> bytes:
    """ENTRY's bytes with OLD replaced by NEW in its body, the body's checksum made to match."""
    magic, key, _, body = entry.read_bytes().split(b"\n", 3)
    assert old in body
    body = body.replace(old, new, 1)
    return b"\n".join([magic, key, hashlib.sha256(body).hexdigest().encode(), body])


# --- a hit is the same as a miss --------------------------------------------------------------


def test_a_hit_gives_the_same_decision_as_parsing_the_files(cache, monkeypatch):
    monkeypatch.setenv("FTREC_CACHE", "off")
    parsed = _without_id_and_time(recommend_typical("--no-audit"))
    monkeypatch.delenv("FTREC_CACHE")
    forget_loaded()
    missed = _without_id_and_time(recommend_typical("--no-audit"))
    assert _entries(cache) and _entries(cache, "rules")
    _must_not_build(monkeypatch)
    forget_loaded()
    hit = _without_id_and_time(recommend_typical("--no-audit"))
    assert hit == missed == parsed


def test_every_shipped_file_round_trips_exactly(cache, monkeypatch):
    monkeypatch.setenv("FTREC_CACHE", "off")
    forget_loaded()
    parsed_catalog, parsed_rules = load_catalog(), load_rules()
    monkeypatch.delenv("FTREC_CACHE")
    forget_loaded()
    load_catalog(), load_rules()  # written
    _must_not_build(monkeypatch)
    forget_loaded()
    cached_catalog, cached_rules = load_catalog(), load_rules()
    assert cached_catalog is not parsed_catalog
    assert repr(cached_catalog) == repr(parsed_catalog)  # Decimal exponents, dates, types, defaults
    assert cached_catalog == parsed_catalog
    for oid, offering in parsed_catalog.offerings.items():
        again = cached_catalog.offerings[oid]
        assert again.model_dump_json() == offering.model_dump_json()
        assert _fields_set(again) == _fields_set(offering)  # what the file gave, not its defaults
    assert repr(cached_rules) == repr(parsed_rules) and cached_rules.rules == parsed_rules.rules
    assert cached_rules.builtin and cached_rules.rules[0].file == parsed_rules.rules[0].file


def _fields_set(model):
    from pydantic import BaseModel

    nested = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        nested[name] = [_fields_set(v) for v in items if isinstance(v, BaseModel)]
    return model.model_fields_set, nested


def test_a_decimal_keeps_its_exponent_and_a_workload_keeps_its_types(cache, tmp_path):
    directory = _catalog_copy(tmp_path)
    path = directory / "fireworks.yaml"
    path.write_text(path.read_text().replace('usd: "0.20"', 'usd: "0.200"', 1))
    parsed = _fresh(directory)
    cached = _fresh(directory)
    assert str(cached.offerings[FIREWORKS_8B].prices.inference_flat.usd) == "0.200"
    assert repr(cached) == repr(parsed)


def test_the_same_files_elsewhere_share_the_entry_and_keep_their_paths(cache, tmp_path):
    one = shutil.copytree(ROOT / "rules", tmp_path / "one")
    two = shutil.copytree(ROOT / "rules", tmp_path / "two")
    forget_loaded()
    assert load_rules(one).rules[0].file.startswith(str(one))
    forget_loaded()
    assert load_rules(two).rules[0].file.startswith(str(two))
    assert len(_entries(cache, "rules")) == 1


# --- keys -------------------------------------------------------------------------------------


def test_a_changed_file_is_a_new_key(cache, tmp_path):
    directory = _catalog_copy(tmp_path)
    _fresh(directory)
    first = _entries(cache)
    path = directory / "fireworks.yaml"
    path.write_text(path.read_text().replace('usd: "0.20"', 'usd: "0.25"', 1))
    changed = _fresh(directory)
    assert str(changed.offerings[FIREWORKS_8B].prices.inference_flat.usd) == "0.25"
    assert len(_entries(cache)) == 2 and first[0] in _entries(cache)
    assert str(_fresh(directory).offerings[FIREWORKS_8B].prices.inference_flat.usd) == "0.25"


def test_another_ftrec_version_is_another_key(cache, monkeypatch):
    import recommender

    load_catalog()
    monkeypatch.setattr(recommender, "__version__", "99.0.0")
    forget_loaded()
    load_catalog()
    assert len(_entries(cache)) == 2


def test_an_entry_under_another_key_is_not_read(cache, tmp_path, monkeypatch):
    import recommender

    directory = _catalog_copy(tmp_path)
    _fresh(directory)
    [entry] = _entries(cache)
    monkeypatch.setattr(recommender, "__version__", "99.0.0")
    forged = _forged(entry, b'"0.20"', b'"9.99"')
    key = disk_cache.key("catalog", load_catalog(directory).sha256)
    (cache / f"catalog-{key[:40]}.json").write_bytes(forged)  # the body of another version's entry
    os.chmod(cache / f"catalog-{key[:40]}.json", 0o600)
    assert str(_fresh(directory).offerings[FIREWORKS_8B].prices.inference_flat.usd) == "0.20"


# --- nothing found on disk is trusted ---------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated", "altered", "empty"])
def test_a_damaged_entry_is_ignored_and_rebuilt(cache, tmp_path, damage):
    directory = _catalog_copy(tmp_path)
    _fresh(directory)
    [entry] = _entries(cache)
    genuine = entry.read_bytes()
    damaged = {"garbage": b"\x80\x04not json at all", "truncated": genuine[: len(genuine) // 2],
               "altered": genuine.replace(b'"0.20"', b'"9.99"', 1), "empty": b""}[damage]
    entry.write_bytes(damaged)
    assert str(_fresh(directory).offerings[FIREWORKS_8B].prices.inference_flat.usd) == "0.20"
    assert entry.read_bytes() == genuine  # rebuilt


def _planted(cache, tmp_path):
    """A copy of the catalog, loaded once, and its cache entry rewritten to say $9.99 (checksum and all)."""
    directory = _catalog_copy(tmp_path)
    _fresh(directory)
    [entry] = _entries(cache)
    entry.write_bytes(_forged(entry, b'"0.20"', b'"9.99"'))
    os.chmod(entry, 0o600)
    return directory, entry


def _fireworks_price(directory) -> str:
    return str(_fresh(directory).offerings[FIREWORKS_8B].prices.inference_flat.usd)


def _symlinked(entry, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_bytes(entry.read_bytes())
    os.chmod(target, 0o600)
    entry.unlink()
    entry.symlink_to(target)


@pytest.mark.parametrize("how", ["symlinked", "writable by others", "owned by someone else"])
def test_an_entry_that_is_not_ones_own_is_not_read(cache, tmp_path, how):
    if how == "owned by someone else" and os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    directory, entry = _planted(cache, tmp_path)
    if how == "symlinked":
        _symlinked(entry, tmp_path)
    elif how == "writable by others":
        os.chmod(entry, 0o666)
    else:
        os.chown(entry, 12345, 12345)
    assert _fireworks_price(directory) == "0.20"


def test_a_forged_entry_of_ones_own_is_read_which_shows_the_test_above_tests_something(cache, tmp_path):
    directory, _ = _planted(cache, tmp_path)
    assert _fireworks_price(directory) == "9.99"


def test_a_symlinked_or_shared_cache_directory_is_not_used(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv("FTREC_CACHE_DIR", str(link))
    _fresh(None)
    assert not any(real.iterdir())
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("FTREC_CACHE_DIR", str(shared))
    assert disk_cache.read("catalog", "0" * 64) is None  # never read from a directory others may write


def test_the_directory_is_made_0700_and_entries_0600(cache):
    _fresh(None)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()} == {0o600}
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]  # written whole, then renamed


def test_an_unwritable_cache_directory_is_skipped_silently(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("FTREC_CACHE_DIR", str(blocker / "ftrec"))
    forget_loaded()
    assert _without_id_and_time(recommend_typical("--no-audit"))["recommendations"]


# --- where, and off ---------------------------------------------------------------------------


def test_it_lives_under_xdg_cache_home_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("FTREC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert disk_cache.directory() == tmp_path / "xdg" / "ftrec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert disk_cache.directory() == tmp_path / "home" / ".cache" / "ftrec"


def test_off_writes_nothing_and_reads_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FTREC_CACHE_DIR", str(tmp_path / "chosen"))
    monkeypatch.setenv("FTREC_CACHE", "off")
    forget_loaded()
    assert _without_id_and_time(recommend_typical("--no-audit"))["recommendations"]
    assert not [p for p in tmp_path.rglob("*")]


def test_a_cold_process_hits_the_cache_and_prints_the_same(tmp_path):
    env = {**os.environ, "FTREC_CACHE_DIR": str(tmp_path / "cache"), "FTREC_AUDIT_LOG": os.devnull}
    argv = [sys.executable, "-m", "recommender", "recommend", str(ROOT / "examples" / "typical.yaml"),
            "--no-audit", "--today", "2026-11-23"]
    off = subprocess.run(argv, env={**env, "FTREC_CACHE": "off"}, capture_output=True, text=True, check=True)
    miss = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    hit = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    assert off.stdout == miss.stdout == hit.stdout and off.stderr == miss.stderr == hit.stderr
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2


# --- start-up: what a cold `recommend` does not load -----------------------------------------

MODULES_AFTER = """
import json, sys
from recommender.interfaces.cli.main import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
import gc
with open(sys.argv[1], "w") as out:
    json.dump({"modules": sorted(sys.modules), "threshold": gc.get_threshold()}, out)
"""


def test_recommend_loads_no_plugin_machinery_and_collects_as_usual_after_start_up(tmp_path):
    report = tmp_path / "report.json"
    env = {**os.environ, "FTREC_CACHE_DIR": str(tmp_path / "cache"), "FTREC_AUDIT_LOG": os.devnull}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    subprocess.run([sys.executable, "-c", MODULES_AFTER, str(report), "recommend",
                    str(ROOT / "examples" / "typical.yaml"), "--no-audit"], env=env, check=True,
                   capture_output=True)
    seen = json.loads(report.read_text())
    assert "importlib.metadata" not in seen["modules"]  # pydantic's plugin scan, spared
    for unused in ("difflib", "rich._emoji_codes", "recommender.decision.prices", "recommender.domain.reference",
                   "recommender.decision.schema"):
        assert unused not in seen["modules"]  # suggestions, emoji, genai-prices, the Decision model: not needed
    assert "pydantic" in seen["modules"] and "recommender.domain.catalog" in seen["modules"]
    assert seen["threshold"] == list(__import__("gc").get_threshold())


def test_the_stand_in_plugin_loader_answers_as_pydantic_would():
    from recommender.interfaces.cli import startup

    loader = startup._NoPluginLoader(startup.PLUGIN_LOADER)
    assert tuple(loader.get_plugins()) == ()  # the switch is set in this process (conftest imports the CLI)
    assert loader.PYDANTIC_ENTRY_POINT_GROUP == "pydantic"  # anything else: the real module's
    import pydantic.plugin._loader as real

    assert not isinstance(real, startup._NoPluginLoader)


def test_emoji_codes_in_data_are_printed_literally():
    """Tables are printed with rich's emoji codes off, as data is never rich markup (and the emoji
    table is not loaded at start-up)."""
    from recommender.presentation.layout import Column, console, fitted_table

    table, _ = fitted_table([[Column("offering", lambda item: item)]], ["llama :thumbs_up: 8b"], 80)
    out = console(wide=True)
    with out.capture() as captured:
        out.print(table)
    assert ":thumbs_up:" in captured.get() and "\N{THUMBS UP SIGN}" not in captured.get()


def test_only_the_newest_entries_are_kept(cache, tmp_path):
    directory = _catalog_copy(tmp_path)
    path = directory / "fireworks.yaml"
    text = path.read_text()
    for cents in range(21, 21 + disk_cache.KEEP + 2):
        path.write_text(text.replace('usd: "0.20"', f'usd: "0.{cents}"', 1))
        _fresh(directory)
    assert len(_entries(cache)) == disk_cache.KEEP
    assert str(_fresh(directory).offerings[FIREWORKS_8B].prices.inference_flat.usd) == f"0.{cents}"


@pytest.mark.parametrize("note", [{}, {"note": "from the history"}, {"note": None}])
def test_a_price_from_checked_values_is_the_validated_one(note):
    from datetime import date
    from decimal import Decimal

    from recommender.domain.catalog import Price

    built = Price.of(Decimal("0.50"), "requirements: baseline.input_per_m", date(1970, 1, 1), **note)
    validated = Price(usd=Decimal("0.50"), source="requirements: baseline.input_per_m", as_of=date(1970, 1, 1), **note)
    assert built.__getstate__() == validated.__getstate__() and repr(built) == repr(validated)


def test_a_directory_one_names_is_used_as_it_is_and_the_default_one_is_made_private(tmp_path, monkeypatch):
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    os.chmod(chosen, 0o755)
    monkeypatch.setenv("FTREC_CACHE_DIR", str(chosen))
    _fresh(None)
    assert _entries(chosen) and stat.S_IMODE(chosen.stat().st_mode) == 0o755  # never chmod what one names
    monkeypatch.delenv("FTREC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    default = tmp_path / "xdg" / "ftrec"
    default.mkdir(parents=True)
    os.chmod(default, 0o755)  # as an older ftrec left it
    _fresh(None)
    assert _entries(default) and stat.S_IMODE(default.stat().st_mode) == 0o700
    forget_loaded()


@pytest.mark.parametrize("old, new", [(b'"0.20"', b'"not a number"'), (b'"2026-01-01"', b'"yesterday"'),
                                      (b'"offerings":[', b'"offerings":7,"x":['),
                                      (b'"offerings":[1,', b'"offerings":[0,'),  # 0 is null in every table
                                      (b'"offerings":[1,', b'"offerings":[99999,')])
def test_an_entry_of_ones_own_that_does_not_decode_is_rebuilt(cache, tmp_path, old, new):
    directory = _catalog_copy(tmp_path)
    _fresh(directory)
    [entry] = _entries(cache)
    entry.write_bytes(_forged(entry, old, new))
    assert _fireworks_price(directory) == "0.20"
