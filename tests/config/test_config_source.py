"""source.parse builds its located tree from the parser's events: it must agree with
PyYAML's own composer and constructor on every document both accept, with libyaml and
with the pure Python parser, and report what PyYAML refuses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config.source import LOADER, Entry, Node, parse
from reconciler.errors import Issue

LOADERS = [pytest.param(LOADER, id="libyaml"), pytest.param(yaml.SafeLoader, id="python")]


class _KeepText(yaml.constructor.SafeConstructor):
    """PyYAML's safe construction, with date-times and mapping keys kept as the text
    written (as the configuration keeps them)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # `<<` merges, as PyYAML does them
        return {
            k.value: self.construct_object(v, deep=deep)
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode)
        }

    def construct_timestamp_text(self, node: Any) -> str:
        return str(self.construct_scalar(node))


_KeepText.add_constructor(  # type: ignore[type-var]  # the stubs expect a whole Loader
    "tag:yaml.org,2002:timestamp", _KeepText.construct_timestamp_text
)


def _reference(loader: Any) -> Any:
    """`loader`'s own parser (libyaml and PyYAML's scanner differ on odd input), with
    PyYAML's composer and the constructor above."""
    return type("Reference", (loader, _KeepText), {})


def _plain(node: Node | None) -> Any:
    """The Python value of a located tree (what PyYAML's constructor would give)."""
    if node is None:
        return None
    if isinstance(node.value, dict):
        return {k: _plain(e.node) for k, e in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(n) for n in node.value]
    return node.value


def _marks(node: Any) -> Any:
    """The (line, column) of every value and key of a composed PyYAML node graph."""
    where = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        keys = {
            k.value: ((k.start_mark.line + 1, k.start_mark.column + 1), _marks(v))
            for k, v in node.value
        }
        return where, keys
    if isinstance(node, yaml.SequenceNode):
        return where, [_marks(n) for n in node.value]
    return where, node.value


def _our_marks(node: Node) -> Any:
    where = (node.line, node.column)
    if isinstance(node.value, dict):
        entries: dict[str, Entry] = node.value
        return where, {k: ((e.line, e.column), _our_marks(e.node)) for k, e in entries.items()}
    if isinstance(node.value, list):
        return where, [_our_marks(n) for n in node.value]
    return where, node.text


def _parse(text: str, loader: Any = LOADER) -> tuple[Node | None, list[str]]:
    issues: list[Issue] = []
    root = parse(text, "f.yaml", issues, loader=loader)
    return root, [str(i) for i in issues]


# --- agreement with PyYAML ---------------------------------------------------------------

_WORDS = "yes no on off true false ~ null 12 0x1f 1_000 3.5 .inf 2024-03-31T00:00:00Z x <<"
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.sampled_from(_WORDS.split()),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)
# What changes the structure: indicators, anchors, aliases, merges, tags, documents.
_DAMAGE = ": - [ ] { } &a *a &b *b <<: ! !!str !!int !!set ? --- ' \" #"
damage = st.lists(
    st.tuples(st.integers(0, 300), st.sampled_from([*_DAMAGE.split(), "\n", "\n  ", " "])),
    max_size=4,
)


def _damaged(document: object, edits: list[tuple[int, str]]) -> str:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    for position, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    return text


@pytest.mark.parametrize("loader", LOADERS)
@settings(max_examples=300, deadline=None)
@given(document=values, edits=damage)
def test_agrees_with_pyyaml(loader: Any, document: object, edits: list[tuple[int, str]]) -> None:
    text = _damaged(document, edits)
    root, issues = _parse(text, loader)
    try:
        expected = yaml.load(text, Loader=_reference(loader))
    except yaml.constructor.ConstructorError:
        assert issues, text  # a tag PyYAML cannot build: an unsupported tag for us
        return
    except yaml.YAMLError:
        # PyYAML cannot read it: so must we (a syntax issue, no tree)...
        assert root is None and issues, text
        return
    except (LookupError, ValueError, TypeError, OverflowError, RecursionError):
        assert issues, text  # PyYAML's constructor fails on it (`!!int abc`): we report it
        return
    if issues:
        # What we report and PyYAML accepts: duplicate keys, tags, keys that are not names.
        assert root is None or any(
            word in " ".join(issues)
            for word in (
                "duplicate key",
                "unsupported YAML tag",
                "plain name",
                "merges only",
                "is not a valid !!",
            )
        ), issues
        return
    assert _plain(root) == _normalised(expected), text
    if root is not None and "<<" not in text and "*" not in text:
        assert _our_marks(root) == _marks(yaml.compose(text, Loader=loader)), text


SNIPPETS = [
    "a: &x [1, &y {b: *x}]\n",  # an alias inside the collection it names: reported
    "l: [&s one, *s, {k: *s}]\nm: {<<: {a: 1}, b: 2}\n",
    "base: &b {x: 1}\nr: {<<: [*b, {y: 2}], x: 0}\n",
    "t: !!str 12\nu: !!int '3'\nv: !!float 1\nw: !!bool 'yes'\nn: !!null ''\nd: !!str 2024-03-31\n",
    "? explicit key\n: value\n? plain\n",
    "lit: |\n  two\n  lines\nfold: >-\n  folded\n  text\nq: 'it''s'\ndq: \"a\\tb\"\n",
    "---\na: 1\n...\n",
    "%YAML 1.1\n---\n- 1\n- [a, b]\n",
    "a: b: c\n",
    "- &a x\n- &a y\n",
    "k: *missing\n",
    "a:\n  - b\n c: d\n",
    "1: one\ntrue: yes\nnull: ~\n3.5: x\n",
    "anchored: &m\n  k: v\ncopy:\n  <<: *m\n  k: own\n",
    "<<: {a: 1}\n'<<': quoted\n",
    "e: !custom thing\nf: !custom {a: 1}\n",
    "a: !!int\nb: !!int abc\nc: !!float x\nd: !!bool maybe\ne: !!int 0x\n",
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_agree_with_pyyaml(loader: Any, text: str) -> None:
    root, issues = _parse(text, loader)
    try:
        expected = yaml.load(text, Loader=_reference(loader))
    except yaml.constructor.ConstructorError:
        assert issues and "unsupported YAML tag" in " ".join(issues)
        return
    except (LookupError, ValueError):  # PyYAML fails on an explicit tag; we report it
        assert issues and all("is not a valid !!" in issue for issue in issues), issues
        return
    except yaml.YAMLError:
        assert root is None and len(issues) == 1 and "invalid YAML" in issues[0]
        return
    if "*x" in text:  # the recursive alias: PyYAML builds a cycle, we report it
        assert issues and "recursive YAML alias" in issues[0]
        return
    assert issues == []
    assert _plain(root) == _normalised(expected)
    if root is not None and "<<" not in text and "*" not in text:
        assert _our_marks(root) == _marks(yaml.compose(text, Loader=loader))


def _normalised(value: Any) -> Any:
    """PyYAML's value with date-times as text (a tagged `!!timestamp` still constructs)."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# --- located values ----------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_lines_columns_text_and_plainness(loader: Any) -> None:
    root, issues = _parse('a:\n  - x: no\n    y: "no"\n  - [1, {z: 2}]\n', loader)
    assert issues == []
    assert root is not None and isinstance(root.value, dict)
    items = root.value["a"].node.value
    assert isinstance(items, list)
    first = items[0].value
    assert first["x"] == Entry(2, 5, Node(False, 2, 8, "no", True))
    assert first["y"] == Entry(3, 5, Node("no", 3, 8, "no", False))
    flow = items[1]
    assert (flow.line, flow.column) == (4, 5)
    assert flow.value[1].value["z"] == Entry(4, 10, Node(2, 4, 13, "2", True))


@pytest.mark.parametrize("loader", LOADERS)
def test_empty_and_null_documents(loader: Any) -> None:
    assert _parse("", loader) == (None, [])
    assert _parse("# only a comment\n", loader) == (None, [])
    root, issues = _parse("---\n", loader)
    assert issues == [] and root is not None and root.value is None


# --- anchors, aliases and merges ---------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_an_alias_is_the_anchored_node_itself(loader: Any) -> None:
    root, issues = _parse("a: &x {k: 1}\nb: *x\nc: &s text\nd: *s\n", loader)
    assert issues == []
    assert root is not None and isinstance(root.value, dict)
    assert root.value["b"].node is root.value["a"].node
    assert root.value["d"].node == Node("text", 3, 4, "text", True)


@pytest.mark.parametrize("loader", LOADERS)
def test_anchored_and_aliased_keys(loader: Any) -> None:
    root, issues = _parse("&k name: 1\nother:\n  *k : 2\n", loader)
    assert issues == []
    assert _plain(root) == {"name": 1, "other": {"name": 2}}


@pytest.mark.parametrize("loader", LOADERS)
def test_merges_keep_the_mapping_own_keys(loader: Any) -> None:
    text = "base: &b {x: 1, y: 2}\nmore: &m {z: 3}\nr:\n  <<: [*b, *m]\n  y: 9\ns:\n  <<: *b\n"
    root, issues = _parse(text, loader)
    assert issues == []
    assert _plain(root) == {
        "base": {"x": 1, "y": 2},
        "more": {"z": 3},
        "r": {"y": 9, "x": 1, "z": 3},
        "s": {"x": 1, "y": 2},
    }


@pytest.mark.parametrize("loader", LOADERS)
def test_merging_a_scalar_is_reported_where_the_merge_is(loader: Any) -> None:
    root, issues = _parse("s: &s text\nr:\n  <<: *s\n  a: 1\n", loader)
    assert issues == ["f.yaml:3:7: r.<<: `<<` merges only mappings"]
    assert _plain(root) == {"s": "text", "r": {"a": 1}}


@pytest.mark.parametrize("loader", LOADERS)
def test_recursive_alias(loader: Any) -> None:
    root, issues = _parse("a: &x\n  - 1\n  - *x\n", loader)
    assert issues == [
        "f.yaml:1:4: a[1]: recursive YAML alias: "
        "the collection anchored here contains an alias to itself"
    ]
    assert _plain(root) == {"a": [1, None]}


@pytest.mark.parametrize("loader", LOADERS)
def test_undefined_and_duplicate_anchors_are_yaml_errors(loader: Any) -> None:
    assert _parse("a: *nope\n", loader) == (
        None,
        ["f.yaml:1:4: invalid YAML: found undefined alias 'nope'"],
    )
    root, issues = _parse("a: &x 1\nb: &x 2\n", loader)
    assert root is None
    assert issues == [
        "f.yaml:2:4: invalid YAML: second occurrence "
        "(found duplicate anchor 'x'; first occurrence started at line 1, column 4)"
    ]


@pytest.mark.parametrize("loader", LOADERS)
def test_a_second_document_is_refused(loader: Any) -> None:
    root, issues = _parse("a: 1\n---\nb: 2\n", loader)
    assert root is None
    assert issues == [
        "f.yaml:2:1: a configuration file holds one YAML document: "
        "remove this `---` or move the rest to another file"
    ]


# --- what is passed over ------------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_a_syntax_error_replaces_earlier_findings(loader: Any) -> None:
    """Only the syntax error is reported: the rest of the file could not be read."""
    root, issues = _parse("a: 1\na: 2\nb: [\n", loader)  # libyaml and Python word it apart
    assert root is None
    assert len(issues) == 1 and issues[0].startswith("f.yaml:4:1: invalid YAML: "), issues


@pytest.mark.parametrize("loader", LOADERS)
def test_passed_over_values_are_quiet_but_their_anchors_count(loader: Any) -> None:
    text = (
        "a: 1\n"
        "a: &dup {k: !!binary eA==}\n"  # duplicate key: its value is not checked
        "? [x]\n"
        ": &key 2\n"  # a list as key: its value is not checked
        "t: !!set {&inside m: 3}\n"  # an unsupported tag: its content is not checked
        "b: *dup\n"
        "c: *key\n"
    )
    root, issues = _parse(text, loader)
    assert issues == [
        'f.yaml:2:1: a: duplicate key "a": already given on line 1',
        "f.yaml:3:3: a mapping key must be a plain name, not a list or mapping",
        "f.yaml:5:4: t: unsupported YAML tag !!set: use a plain list or mapping",
    ]
    # The duplicate's value was still built: the alias to it works (and keeps the
    # unsupported tag inside it, whose issue belongs to the passed-over value).
    assert _plain(root) == {"a": 1, "t": None, "b": {"k": None}, "c": 2}


@pytest.mark.parametrize("loader", LOADERS)
def test_too_deep_is_passed_over_with_its_anchors(loader: Any) -> None:
    deep = "[" * 70 + "&in 5" + "]" * 70
    root, issues = _parse(f"a: {deep}\nb: *in\nc: 1\n", loader)
    assert issues == ["f.yaml:1:67: a" + "[0]" * 63 + ": nested more than 64 levels deep"]
    assert root is not None and isinstance(root.value, dict)
    assert root.value["b"].node.value is None  # the anchor inside stands for nothing
    assert root.value["c"].node.value == 1


@pytest.mark.parametrize("loader", LOADERS)
def test_aliases_standing_for_too_many_values_end_the_file(loader: Any) -> None:
    # One 1,000-row list aliased from 2,000 rows: two million values to check (27 s and
    # 420 MB before the bound), from a 125 kB file.
    rows = "".join(f"      - {{halo_id: {i}, third_party_id: x{i}}}\n" for i in range(1000))
    text = "quickbooks:\n  - name: A\n    qbo_sitemappings: &m\n" + rows
    text += "".join(f"  - name: A{i}\n    qbo_sitemappings: *m\n" for i in range(1, 2000))
    issues: list[Issue] = []
    assert parse(text, "c.yaml", issues, loader=loader) is None
    assert [str(i) for i in issues] == [
        "c.yaml:1071:23: quickbooks[34].qbo_sitemappings: YAML aliases in this file stand for "
        "more than 100,000 values: write the values out, or share less through anchors"
    ]


def test_modest_sharing_through_aliases_is_fine() -> None:
    # Five default fields merged into 10,000 records: 60,000 values through aliases.
    text = "xero:\n  - &d {name: A, enablesync: true, a: 1, b: 2, c: 3}\n"
    text += "".join(f"  - {{<<: *d, name: A{i}}}\n" for i in range(1, 10_000))
    issues: list[Issue] = []
    assert parse(text, "c.yaml", issues) is not None
    assert issues == []
