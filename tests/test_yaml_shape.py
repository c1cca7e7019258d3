"""The YAML shape check (domain/files.py) against PyYAML's own node tree: random flow-style documents,
some nested past the depth limit, some with a key given twice in one mapping, some sharing a node
through an anchor; the check refuses exactly those the tree shows too deep or with a repeated key,
and passes the rest, whose data is then what PyYAML's stock safe loader builds. A node used inside
its own value is refused, however it is nested."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import files
from recommender.domain.errors import InputError

KEYS = st.sampled_from(["a", "b", "c", "<<x", "1", "'q'"])
SCALARS = st.sampled_from(["1", "2.5", "text", "null", "true", "'quoted'", "2026-01-01"])


def _document(depth: int):
    """YAML flow text for a random tree (keys may repeat within a mapping) as deep as DEPTH."""
    if depth == 0:
        return SCALARS
    inner = _document(depth - 1)
    mapping = st.lists(st.tuples(KEYS, inner), min_size=1, max_size=3).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
    sequence = st.lists(inner, min_size=1, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    return st.one_of(SCALARS, mapping, sequence)


def _chain(depth: int) -> str:
    """A list nested DEPTH deep around one scalar."""
    return "[" * depth + "1" + "]" * depth


DOCUMENTS = st.one_of(
    _document(4),
    st.builds(lambda depth, body: _chain(depth).replace("1", body, 1), st.integers(38, 44), _document(2)),
    st.builds(lambda body: f"{{x: &shared {body}, y: *shared, z: [*shared, *shared]}}", _document(3)),
)


def _shape(node, depth: int = 0) -> tuple[int, bool]:
    """(the depth of nested collections, whether a mapping repeats a plain-text key) in PyYAML's tree."""
    if isinstance(node, yaml.ScalarNode):
        return depth, False
    deepest, repeated = depth + 1, False
    children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else node.value
    if isinstance(node, yaml.MappingNode):
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode) and key.value != "<<"]
        repeated = len(keys) != len(set(keys))
    for child in children:
        child_depth, child_repeated = _shape(child, depth + 1)
        deepest, repeated = max(deepest, child_depth), repeated or child_repeated
    return deepest, repeated


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_the_check_refuses_what_the_tree_shows_too_deep_or_repeated(text):
    depth, repeated = _shape(yaml.compose(text, Loader=yaml.SafeLoader))
    if depth > files.MAX_DEPTH and not repeated:
        with pytest.raises(InputError, match="nested deeper than"):
            files.parse(text, "doc.yaml")
    elif repeated and depth <= files.MAX_DEPTH:
        with pytest.raises(InputError, match="duplicate key"):
            files.parse(text, "doc.yaml")
    elif repeated:
        with pytest.raises(InputError):
            files.parse(text, "doc.yaml")
    else:
        assert files.parse(text, "doc.yaml") == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - a safe loader


@settings(max_examples=100, deadline=None)
@given(_document(2).filter(lambda body: not _shape(yaml.compose(body, Loader=yaml.SafeLoader))[1]),
       st.integers(0, 3), st.booleans())
def test_a_node_inside_its_own_value_is_refused(body, depth, in_mapping):
    inner = "{k: *self}" if in_mapping else "[*self]"
    text = f"{{top: &self [{body}, {_chain(depth).replace('1', inner, 1)}]}}"
    with pytest.raises(InputError, match="an anchor used inside its own value"):
        files.parse(text, "doc.yaml")


# --- the document built as it is checked (files._read_checked), against PyYAML's loader ----------

SCALAR_TEXTS = [
    "1", "-3", "+5", "0", "010", "0x10", "1_000", "1e3", "2.5", "-0.5e-2", ".inf", ".NaN", "1:30", "1e400",
    "123456789012345678901234567890123456789012345", "true", "Yes", "NO", "on", "off", "~", "null", "Null", "",
    "2026-01-01", "2026-01-01 10:00:00", "2026-01-01T10:00:00+02:00", "2026-13-45", "'quoted'", '"d\\u00e9q"',
    "!!str 5", "!!int 7", "!!float 1", "!!int 5x", "! x", "text", "two words", "<<", "=", "'<<'",
]
FLOW_KEYS = ["a", "b", "1", "'1'", "2.0", "true", "~", "2026-01-01", "<<", "'<<'", "=", "[k]", "{k: v}", "!!str k"]


@st.composite
def _anchored(draw, depth: int = 3):
    """Flow-style YAML with tricky scalars and keys, nodes anchored (&aN, each once) and aliases (*aN)
    mostly to nodes already built, now and then to one still open or to none."""
    done: list[str] = []
    open_now: list[str] = []

    def node(level: int) -> str:
        choice = draw(st.integers(0, 9)) if level else 0
        prefix = ""
        if draw(st.integers(0, 4)) == 0:
            name = f"a{len(done) + len(open_now)}"
            prefix = f"&{name} "
        else:
            name = None
        if choice == 0 or choice > 6:
            if done and draw(st.integers(0, 3)) == 0:
                return "*" + draw(st.sampled_from(done))
            if draw(st.integers(0, 40)) == 0:
                return "*" + draw(st.sampled_from([*open_now, "nowhere"]))
            text = prefix + draw(st.sampled_from(SCALAR_TEXTS))
        else:
            if name:
                open_now.append(name)
            count = draw(st.integers(0, 3))
            if choice <= 3:
                text = prefix + "{" + ", ".join(f"{draw(st.sampled_from(FLOW_KEYS))}: {node(level - 1)}"
                                                for _ in range(count)) + "}"
            else:
                text = prefix + "[" + ", ".join(node(level - 1) for _ in range(count)) + "]"
            if name:
                open_now.remove(name)
        if name:
            done.append(name)
        return text

    return node(depth)


SCALARS_DATA = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=False), st.booleans(), st.none(),
                         st.dates(), st.sampled_from([t for t in SCALAR_TEXTS if t]), st.text(max_size=8))


@st.composite
def _dumped(draw):
    """Block-style YAML as yaml.dump writes it, with anchors and aliases where a list or mapping is shared
    (as in a generated catalog)."""
    shared = draw(st.lists(SCALARS_DATA, max_size=3))
    data = draw(st.recursive(SCALARS_DATA | st.just(shared),
                             lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                        max_size=3),
                             max_leaves=12))
    return yaml.dump({"top": data, "again": shared}, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True)


def _typed(data):
    """DATA with every value's type beside it: 1, 1.0 and True are not the same here."""
    if isinstance(data, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in data.items()])
    if isinstance(data, list):
        return ("list", [_typed(v) for v in data])
    return (type(data).__name__, repr(data))


def _sharing(data, seen=None) -> list:
    """Which collections are the same object, as the order each is first met in."""
    seen = {} if seen is None else seen
    found = []
    if isinstance(data, (dict, list)):
        found.append(seen.setdefault(id(data), len(seen)))
        for item in (data.values() if isinstance(data, dict) else data):
            found.extend(_sharing(item, seen))
    return found


@settings(max_examples=600, deadline=None)
@given(st.one_of(_anchored(), _dumped(), _document(3)))
def test_a_document_built_as_it_is_checked_is_what_pyyaml_builds(text):
    try:
        built = files._read_checked(text, "doc.yaml")
    except (InputError, yaml.YAMLError):
        return  # refused before anything is built, as before
    try:
        loaded = yaml.load(text, Loader=files._Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        assert built is files._NOT_PLAIN  # only PyYAML's loader refuses it, in its own words
        return
    if built is not files._NOT_PLAIN:
        assert _typed(built) == _typed(loaded)
        assert _sharing(built) == _sharing(loaded)
    assert _typed(files.parse(text, "doc.yaml")) == _typed(loaded)


def test_catalog_and_rules_files_are_built_as_they_are_checked(tmp_path, monkeypatch):
    """The files ftrec reads most (and a generated catalog's, which share lists through anchors) never
    go through PyYAML's slower loader."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    import bench_inputs

    bench_inputs.write_catalog(tmp_path, 60)
    paths = [*(root / "catalog").glob("*.yaml"), *(root / "rules").glob("*.yaml"), *tmp_path.glob("*.yaml")]
    assert len(paths) > 10
    for path in paths:
        text = path.read_text()
        built = files._read_checked(text, path.name)
        assert built is not files._NOT_PLAIN, path
        assert _typed(built) == _typed(yaml.load(text, Loader=files._Loader)), path  # noqa: S506 - a safe loader


@pytest.mark.parametrize("text, refused", [
    ("- 1\n---\n- 2\n", "line 2, column 1: invalid YAML: but found another document"),
    ("a: &x 1\nb: &x 2\n", "line 2, column 4: invalid YAML: an anchor given twice (first on line 1)"),
    ("a: *nowhere\n", "line 1, column 4: invalid YAML: found undefined alias"),
    ("? [1]\n: 2\n", "line 1, column 3: invalid YAML: found unhashable key"),
    ("a: 2026-13-45\na: 1\n", "line 2: duplicate key 'a'"),  # the whole shape is checked first, as before
    ("a: [1, 2026-13-45]\n", "line 1, column 8: invalid YAML: '2026-13-45' is not a real date or time"),
])
def test_what_pyyaml_refuses_is_refused_in_its_words(text, refused):
    with pytest.raises(InputError) as caught:
        files.parse(text, "doc.yaml")
    assert str(caught.value) == f"doc.yaml: {refused}"


@pytest.mark.parametrize("text, data", [
    ("base: &b {x: 1, y: 2}\nmine:\n  <<: *b\n  y: 3\n", {"base": {"x": 1, "y": 2}, "mine": {"x": 1, "y": 3}}),
    ("a: !!str 5\nb: !!float 1\nc: '<<'\n", {"a": "5", "b": 1.0, "c": "<<"}),
    ("---\n", None),
    ("", None),
])
def test_tags_and_merge_keys_are_built_by_pyyaml(text, data):
    assert files.parse(text, "doc.yaml") == data
