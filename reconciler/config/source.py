"""YAML text -> a tree of located nodes: every value keeps its line, column and source text.

libyaml (`yaml.CSafeLoader`) composes the node graph when PyYAML has it, else the pure
Python `SafeLoader`; the Python values are built here rather than by PyYAML's constructor
so that duplicate keys are reported at the second occurrence, an unquoted `no` can be
told apart from `false`, and every later issue can say file:line:column.

Reports, never raises: malformed YAML, duplicate keys, unsupported tags and alias cycles
become Issues. Knows nothing of configuration keys or `${...}`: the modules using it do.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor

from reconciler.config.wording import quote
from reconciler.errors import Issue

_Y = "tag:yaml.org,2002:"
STR, INT, BOOL, NULL, FLOAT = _Y + "str", _Y + "int", _Y + "bool", _Y + "null", _Y + "float"
TIMESTAMP, MERGE, SEQ, MAP = _Y + "timestamp", _Y + "merge", _Y + "seq", _Y + "map"
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]  # PyYAML's loaders are untyped
    """The fastest safe loader PyYAML has, resolving tags with less work: a plain scalar's
    tag is remembered (a configuration repeats the same keys and values thousands of
    times) and, with no path resolvers in use, collections take their default tags."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted (or tagged `!`): a string
                return STR
            tag = self._tags.get(value)
            if tag is None:
                tag = self._tags[value] = super().resolve(kind, value, implicit)
            return tag
        return SEQ if kind is yaml.SequenceNode else MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track."""


# Far deeper than any configuration; keeps a hostile file from exhausting the stack.
MAX_DEPTH = 64
MAX_FLOW_DEPTH = 1000
_BRACKETS = re.compile(r"[\[\]{}]")
_CONSTRUCT = SafeConstructor()


class Node(NamedTuple):
    """A YAML value with its place (1-based). Mappings hold `dict[str, Entry]`, lists
    `list[Node]`, scalars a Python value; `text` is a scalar's source text (None else)."""

    value: object
    line: int
    column: int
    text: str | None = None
    plain: bool = False  # an unquoted scalar: YAML typed it (true, 12, ~ ...)


class Entry(NamedTuple):
    """One key of a mapping: where the key is written, and its value."""

    line: int
    column: int
    node: Node


def parse(text: str, file: str, issues: list[Issue]) -> Node | None:
    """The document in `text` (None when empty); problems are appended to `issues`."""
    # libyaml's composer recurses in C and crashes the process on ~50,000 nested `[`:
    # refuse deep flow nesting first (cheap unless the file holds many brackets).
    if text.count("[") + text.count("{") > MAX_FLOW_DEPTH:
        too_deep = _flow_too_deep(text)
        if too_deep is not None:
            line, column = _position(text, too_deep)
            message = f"nested more than {MAX_FLOW_DEPTH} levels deep"
            issues.append(Issue(file, line, column, "", message))
            return None
    loader = None
    try:
        loader = Loader(text)  # the pure-Python reader checks characters right here
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        issues.append(_syntax_issue(file, exc))
        return None
    except RecursionError:  # the pure-Python parser, on deep nesting
        issues.append(Issue(file, 1, 1, "", f"nested more than {MAX_DEPTH} levels deep"))
        return None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        issues.append(
            Issue(file, line, column, "", f"character #x{char:04x} is not allowed in YAML")
        )
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None
    return _Builder(file, issues).build(root, "", 0)


def _flow_too_deep(text: str) -> int | None:
    """Offset where `[`/`{` nesting passes MAX_FLOW_DEPTH (brackets in strings count too)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            return match.start()
    return None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_issue(file: str, exc: yaml.MarkedYAMLError) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "unreadable"
    if problem.startswith("but found another document"):
        return Issue(
            file,
            line,
            column,
            "",
            "a configuration file holds one YAML document: "
            "remove this `---` or move the rest to another file",
        )
    message = f"invalid YAML: {problem}"
    ctx = exc.context_mark
    if exc.context and ctx is not None and exc.context != problem:
        message += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
    return Issue(file, line, column, "", message)


def _short(tag: str) -> str:
    """`!!binary` for YAML's own tags, as the user wrote them."""
    return "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Builder:
    """Turns a composed node graph into `Node`s; an alias reuses the anchor's result."""

    def __init__(self, file: str, issues: list[Issue]) -> None:
        self.file = file
        self.issues = issues
        self.done: dict[int, Node] = {}
        self.active: set[int] = set()

    def issue(self, mark: Any, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, mark.line + 1, mark.column + 1, path, message))

    def build(self, node: Any, path: str, depth: int) -> Node:
        mark = node.start_mark
        if type(node) is yaml.ScalarNode:
            if node.tag == STR:  # the common case, inlined
                text = node.value
                return Node(text, mark.line + 1, mark.column + 1, text, not node.style)
            return self.scalar(node, path)
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.active:
            message = (
                "recursive YAML alias: the collection anchored here contains an alias to itself"
            )
            self.issue(mark, path, message)
            return Node(None, mark.line + 1, mark.column + 1)
        if depth >= MAX_DEPTH:
            self.issue(mark, path, f"nested more than {MAX_DEPTH} levels deep")
            return Node(None, mark.line + 1, mark.column + 1)
        if node.tag not in (SEQ, MAP):
            self.issue(
                mark, path, f"unsupported YAML tag {_short(node.tag)}: use a plain list or mapping"
            )
            return Node(None, mark.line + 1, mark.column + 1)
        self.active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                items = [self.build(n, f"{path}[{i}]", depth + 1) for i, n in enumerate(node.value)]
                built = Node(items, mark.line + 1, mark.column + 1)
            else:
                built = Node(self.mapping(node, path, depth), mark.line + 1, mark.column + 1)
        finally:
            self.active.discard(key)
        self.done[key] = built
        return built

    def mapping(self, node: Any, path: str, depth: int) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        merges: list[Any] = []
        for knode, vnode in node.value:
            kmark = knode.start_mark
            if knode.tag == MERGE:
                merges.append(vnode)
                continue
            if not isinstance(knode, yaml.ScalarNode):
                self.issue(kmark, path, "a mapping key must be a plain name, not a list or mapping")
                continue
            name = str(knode.value)
            first = entries.get(name)
            if first is not None:
                self.issue(
                    kmark,
                    _child(path, name),
                    f"duplicate key {quote(name)}: already given on line {first.line}",
                )
                continue
            if type(vnode) is yaml.ScalarNode and vnode.tag == STR:  # the common case, inlined
                vmark = vnode.start_mark
                text = vnode.value
                value = Node(text, vmark.line + 1, vmark.column + 1, text, not vnode.style)
            else:
                value = self.build(vnode, _child(path, name), depth + 1)
            entries[name] = Entry(kmark.line + 1, kmark.column + 1, value)
        for merge in merges:
            self.merge(entries, merge, path, depth)
        return entries

    def merge(self, entries: dict[str, Entry], vnode: Any, path: str, depth: int) -> None:
        """`<<: *anchor` (or a list of them): keys written in the mapping itself win."""
        sources = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
        for source in sources:
            built = self.build(source, path, depth + 1)
            if not isinstance(built.value, dict):
                self.issue(vnode.start_mark, _child(path, "<<"), "`<<` merges only mappings")
                return
            for name, entry in built.value.items():
                entries.setdefault(name, entry)

    def scalar(self, node: Any, path: str) -> Node:
        mark = node.start_mark
        text = node.value
        tag = node.tag
        value: object
        # Plain scalars carry the tag the YAML 1.1 resolver gave them; quoted ones are str.
        if tag in (STR, TIMESTAMP):  # a date-time stays the text the user wrote
            value = text
        elif tag == BOOL:
            value = _CONSTRUCT.construct_yaml_bool(node)
        elif tag == INT:
            value = _CONSTRUCT.construct_yaml_int(node)
        elif tag == NULL:
            value = None
        elif tag == FLOAT:
            value = _CONSTRUCT.construct_yaml_float(node)
        else:
            self.issue(mark, path, f"unsupported YAML tag {_short(tag)}: write a plain value")
            value = None
        plain = not node.style
        return Node(value, mark.line + 1, mark.column + 1, text, plain)
