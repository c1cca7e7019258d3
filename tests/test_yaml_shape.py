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
