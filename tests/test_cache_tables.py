"""The start-up cache's tables (domain/rebuild.py): models come back exactly as they went in (values,
types, Decimal exponents, fields set, field order), equal parts come back as one object, and
anything that would not come back exactly is refused when written, not read back changed."""

import json
import shutil
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Optional

import orjson
import pytest
from pydantic import BaseModel, ConfigDict, Field

from recommender.domain import catalog as catalogs, disk_cache
from recommender.domain.catalog import load_catalog
from recommender.domain.rebuild import Decoder, Encoder

from conftest import ROOT, forget_loaded


class Leaf(BaseModel):
    model_config = ConfigDict(frozen=True)
    usd: Decimal
    source: str
    as_of: Optional[date] = None
    kind: Literal["a", "b"] = "a"
    notes: list[str] = Field(default_factory=list)


class Tree(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    flag: bool = False
    count: int = 0
    leaf: Optional[Leaf] = None
    leaves: list[Leaf] = Field(default_factory=list)
    by_key: dict[str, Leaf] = Field(default_factory=dict)
    anything: Any = None


def _round_trip(*trees: Tree) -> list[Tree]:
    tables = Encoder()
    indices = [tables.model(t) for t in trees]
    stored = orjson.loads(orjson.dumps(tables.tables()))
    return Decoder(stored, (Tree,)).models(Tree, indices)


def _same(one: BaseModel, other: BaseModel) -> bool:
    return (repr(one) == repr(other) and one.__getstate__() == other.__getstate__()
            and list(one.__dict__) == list(other.__dict__))


def test_models_come_back_exactly():
    leaf = Leaf(usd="0.200", source="s", as_of=date(2026, 1, 1), kind="b", notes=["n"])
    trees = [Tree(name="t", flag=True, count=3, leaf=leaf, leaves=[leaf, Leaf(usd="1E+3", source="s")],
                  by_key={"k": leaf}, anything={"x": [1, 1.5, True, None, "1"], "y": {"z": 2}}),
             Tree(name="bare"), Tree(name="nothing", anything=None, leaves=[])]
    for before, after in zip(trees, _round_trip(*trees)):
        assert _same(before, after) and after.model_fields_set == before.model_fields_set
    assert str(_round_trip(trees[0])[0].leaf.usd) == "0.200"
    assert type(_round_trip(trees[0])[0].anything["x"][2]) is bool  # not 1


def test_equal_parts_come_back_as_one_object():
    one, two = (Tree(name=name, leaf=Leaf(usd="1.00", source="same"), leaves=[Leaf(usd="1.00", source="same")])
                for name in ("one", "two"))
    first, second = _round_trip(one, two)
    assert first.leaf is second.leaf is first.leaves[0]
    assert first.leaf.notes is second.leaves[0].notes == []  # every empty list is one
    assert first.model_fields_set is not None and first.leaf.source is second.leaf.source


def test_models_are_made_by_model_construct_when_the_fast_way_would_differ(monkeypatch):
    from recommender.domain import rebuild

    tree = Tree(name="t", leaves=[Leaf(usd="0.200", source="a"), Leaf(usd="1", source="b")])
    fast = _round_trip(tree)[0]
    assert fast.leaves[0].model_fields_set is fast.leaves[1].model_fields_set  # one set for each field set
    monkeypatch.setattr(rebuild, "_fast_is_exact", lambda *args: False)
    constructed = _round_trip(tree)[0]
    assert constructed.leaves[0].model_fields_set is not constructed.leaves[1].model_fields_set
    assert _same(fast, tree) and _same(constructed, tree)


@pytest.mark.parametrize("tree", [
    Tree(name="t", anything=float("nan")),  # JSON has no NaN
    Tree(name="t", anything=date(2026, 1, 1)),  # would come back as text
    Tree(name="t", anything={1: "x"}),  # would come back keyed by "1"
    Tree.model_construct(_fields_set={"name"}, name="t", count=5),  # count unset, yet not its default
    Tree.model_construct(name="t", leaf={"usd": "1"}),  # not a Leaf
])
def test_what_would_not_come_back_exactly_is_refused(tree):
    with pytest.raises(TypeError):
        Encoder().model(tree)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FTREC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FTREC_CACHE", raising=False)
    forget_loaded()
    yield tmp_path / "cache"
    forget_loaded()


def test_a_first_run_decides_with_the_catalog_a_later_run_reads(cache, monkeypatch):
    monkeypatch.setenv("FTREC_CACHE", "off")
    parsed = load_catalog()
    monkeypatch.delenv("FTREC_CACHE")
    forget_loaded()
    written = load_catalog()  # parsed, stored, and read back from what was stored
    assert written is not parsed and repr(written) == repr(parsed)
    sources = {}
    for offering in written.offerings.values():
        for price in offering.prices.training.values():
            assert sources.setdefault((price.source, price.as_of), price.source) is price.source  # shared
    assert len(list(cache.glob("catalog-*.json"))) == 1


def test_equal_prices_in_the_files_are_one_object_read_back(cache, tmp_path):
    directory = shutil.copytree(ROOT / "catalog", tmp_path / "catalog")
    text = (directory / "fireworks.yaml").read_text()
    (directory / "fireworks-copy.yaml").write_text(text.replace("id: fireworks/", "id: fireworks/copy-"))
    load_catalog(directory)
    forget_loaded()
    catalog = load_catalog(directory)
    original, copy = catalog.offerings["fireworks/llama-4-8b"], catalog.offerings["fireworks/copy-llama-4-8b"]
    assert original.prices is copy.prices and original is not copy


def test_an_entry_too_large_to_read_is_not_written(cache, monkeypatch):
    monkeypatch.setattr(disk_cache, "MAX_ENTRY", 1000)
    assert load_catalog().offerings
    assert not list(cache.glob("catalog-*.json"))


def test_the_entry_is_far_smaller_than_the_catalog():
    catalog = catalogs.load_catalog()
    body = catalogs._encode(catalog)
    as_json = json.dumps([o.model_dump(mode="json") for o in catalog.offerings.values()])
    assert len(body) * 2 < len(as_json)


def test_a_directory_is_hashed_from_its_bytes_as_from_its_texts(tmp_path):
    import codecs

    from recommender.domain import files

    (tmp_path / "a.yaml").write_bytes(codecs.BOM_UTF8 + "x: — é\n".encode())  # the BOM is not the text's
    (tmp_path / "b.yaml").write_text("y: ascii\n")
    (tmp_path / "c.yaml").write_text("z: ✓ ünïcode\n", encoding="utf-8")
    _, texts, sha = files.read_directory(tmp_path, "catalog", "--catalog", (".yaml",))
    assert texts[0][1] == "x: — é\n" and sha == files.content_sha256(texts)
