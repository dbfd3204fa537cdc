"""YAML text -> a tree of located nodes: every value keeps its line, column and source text.

libyaml (`yaml.CSafeLoader`) parses when PyYAML has it, else the pure Python
`SafeLoader`. The tree is built here straight from the parser's events, without PyYAML's
composer or constructor: duplicate keys are reported at the second occurrence, an
unquoted `no` can be told apart from `false`, every later issue can say
file:line:column, and a 1,000-record file is not walked twice.

Performance (measured): libyaml parses 3-6x faster than the pure Python parser; building
the tree from the events instead of PyYAML's composer parses 1,000 records in ~34 ms
instead of ~53. Invariants: both parsers give the same tree (differential tests against
PyYAML in tests/config/test_config_source.py); every node keeps its mark.

Reports, never raises: malformed YAML, duplicate keys, unsupported tags, alias cycles and
aliases standing for more than MAX_ALIASED values become Issues. Knows nothing of
configuration keys or `${...}`: the modules using it do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor

from reconciler.config.wording import quote
from reconciler.errors import Issue

_Y = "tag:yaml.org,2002:"
STR, INT, BOOL, NULL, FLOAT = _Y + "str", _Y + "int", _Y + "bool", _Y + "null", _Y + "float"
TIMESTAMP, MERGE, SEQ, MAP = _Y + "timestamp", _Y + "merge", _Y + "seq", _Y + "map"
# The fastest safe parser PyYAML has (libyaml's, when the wheel carries it).
LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Far deeper than any configuration; keeps a hostile file from exhausting the stack.
MAX_DEPTH = 64
# Values a file may reach through aliases (each alias counts its anchor's whole subtree).
# An alias costs nothing to parse but everything after it walks the subtree again: one
# 1,000-row list aliased from 2,000 records took 27 s and 420 MB to validate. A real
# configuration shares far less than this (e.g. 5 default fields merged into 10,000 records).
MAX_ALIASED = 100_000
MAX_FLOW_DEPTH = 1000
_BRACKETS = re.compile(r"[\[\]{}]")
_CONSTRUCT = SafeConstructor()
_CONSTRUCTORS: dict[str, Callable[[yaml.ScalarNode], object]] = {
    BOOL: _CONSTRUCT.construct_yaml_bool,
    INT: _CONSTRUCT.construct_yaml_int,
    FLOAT: _CONSTRUCT.construct_yaml_float,
}


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


def parse(text: str, file: str, issues: list[Issue], *, loader: Any = LOADER) -> Node | None:
    """The document in `text` (None when empty); problems are appended to `issues`.

    `loader`: the PyYAML loader class whose parser reads the text (tests pass the pure
    Python one too).
    """
    # Hostile input: refuse deep flow nesting before reading its events (cheap unless the
    # file holds many brackets); block nesting stops at MAX_DEPTH while building.
    if text.count("[") + text.count("{") > MAX_FLOW_DEPTH:
        too_deep = _flow_too_deep(text)
        if too_deep is not None:
            line, column = _position(text, too_deep)
            message = f"nested more than {MAX_FLOW_DEPTH} levels deep"
            issues.append(Issue(file, line, column, "", message))
            return None
    reader = None
    found: list[Issue] = []  # kept only if the whole file parses
    try:
        reader = loader(text)  # the pure-Python reader checks characters right here
        root = _Builder(reader, file, found).document()
    except yaml.MarkedYAMLError as exc:
        issues.append(_syntax_issue(file, exc, text))
        return None
    except _TooManyAliased as exc:
        issues.append(exc.issue)
        return None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        issues.append(
            Issue(file, line, column, "", f"character #x{char:04x} is not allowed in YAML")
        )
        return None
    finally:
        if reader is not None:
            reader.dispose()
    issues.extend(found)
    return root


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


def _syntax_issue(file: str, exc: yaml.MarkedYAMLError, text: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "unreadable"
    if "tab character" in problem or _char_at(text, line, column) == "\t":
        message = "a tab in the indentation: YAML indents with spaces only — replace the tab"
        return Issue(file, line, column, "", message)
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


def _char_at(text: str, line: int, column: int) -> str:
    """The character at 1-based `line`, `column` of `text` ("" past its end)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column - 1 : start + column]


def _short(tag: str) -> str:
    """`!!binary` for YAML's own tags, as the user wrote them."""
    return "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _TooManyAliased(Exception):
    """Aliases stood for more than MAX_ALIASED values: the issue that ends the file."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue


_BUILDING = Node(None, 0, 0)  # an anchor whose collection is still being built
_UNSEEN = object()


class _Builder:
    """Builds `Node`s from the parser's events, in one pass; an alias reuses the anchor's
    result. Follows PyYAML's composer: one document per file, anchors defined before use."""

    def __init__(self, loader: Any, file: str, issues: list[Issue]) -> None:
        self.loader = loader
        self.next = loader.get_event
        self.file = file
        self.issues = issues
        self.anchors: dict[str, tuple[Node, Any]] = {}  # name -> (node, where it was set)
        self.tags: dict[str, str] = {}  # a plain scalar's text -> its resolved tag
        self.constants: dict[tuple[str, str], object] = {}  # (tag, text) -> bool, int, float
        self.sizes: dict[int, int] = {}  # id(collection node) -> values in its subtree
        self.aliased = 0  # values reached through aliases so far

    def issue(self, mark: Any, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, mark.line + 1, mark.column + 1, path, message))

    def document(self) -> Node | None:
        """The stream's single document (None when it has none)."""
        self.next()  # stream start
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        start = self.next().start_mark  # document start
        root = self.node(self.next(), "", 0)
        self.next()  # document end
        if not self.loader.check_event(yaml.StreamEndEvent):
            raise ComposerError(
                "expected a single document in the stream",
                start,
                "but found another document",
                self.next().start_mark,
            )
        return root

    def node(self, event: Any, path: str, depth: int) -> Node:
        kind = type(event)
        if kind is yaml.AliasEvent:
            return self.alias(event, path)
        mark = event.start_mark
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor][1],
                "second occurrence",
                mark,
            )
        if kind is yaml.ScalarEvent:
            built = self.scalar(event, path)
        elif depth >= MAX_DEPTH:
            self.issue(mark, path, f"nested more than {MAX_DEPTH} levels deep")
            self.skip()
            built = Node(None, mark.line + 1, mark.column + 1)
        else:
            if anchor is not None:
                self.anchors[anchor] = (_BUILDING, mark)
            built = self.collection(event, path, depth)
        if anchor is not None:
            self.anchors[anchor] = (built, mark)
        return built

    def alias(self, event: Any, path: str) -> Node:
        anchor = event.anchor
        if anchor not in self.anchors:
            raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        node, mark = self.anchors[anchor]
        if node is _BUILDING:
            message = (
                "recursive YAML alias: the collection anchored here contains an alias to itself"
            )
            self.issue(mark, path, message)
            return Node(None, mark.line + 1, mark.column + 1)
        if isinstance(node.value, dict | list):
            self.aliased += self.size(node)
            if self.aliased > MAX_ALIASED:  # the file is not read further: nothing in it is
                mark = event.start_mark
                message = (
                    f"YAML aliases in this file stand for more than {MAX_ALIASED:,} values:"
                    " write the values out, or share less through anchors"
                )
                raise _TooManyAliased(
                    Issue(self.file, mark.line + 1, mark.column + 1, path, message)
                )
        return node

    def size(self, node: Node) -> int:
        """Values in `node`'s subtree, aliases expanded (memoised: nested anchors count once
        each time they are used, without walking them again)."""
        value = node.value
        if not isinstance(value, dict | list):
            return 1
        found = self.sizes.get(id(node))
        if found is None:
            children = value if isinstance(value, list) else [e.node for e in value.values()]
            found = 1 + sum(self.size(child) for child in children)
            self.sizes[id(node)] = found
        return found

    def collection(self, event: Any, path: str, depth: int) -> Node:
        mark = event.start_mark
        is_list = type(event) is yaml.SequenceStartEvent
        tag = event.tag
        if tag is not None and tag != "!" and tag != (SEQ if is_list else MAP):
            self.issue(
                mark, path, f"unsupported YAML tag {_short(tag)}: use a plain list or mapping"
            )
            self.quietly(self.collection_body, event, path, depth)
            return Node(None, mark.line + 1, mark.column + 1)
        return Node(self.collection_body(event, path, depth), mark.line + 1, mark.column + 1)

    def collection_body(self, event: Any, path: str, depth: int) -> object:
        if type(event) is yaml.SequenceStartEvent:
            items: list[Node] = []
            while type(item := self.next()) is not yaml.SequenceEndEvent:
                items.append(self.node(item, f"{path}[{len(items)}]", depth + 1))
            return items
        return self.mapping(path, depth)

    def mapping(self, path: str, depth: int) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        merges: list[tuple[Any, list[Node]]] = []
        scalar_event = yaml.ScalarEvent
        while type(key := self.next()) is not yaml.MappingEndEvent:
            kmark = key.start_mark
            if type(key) is scalar_event and key.anchor is None and key.value != "<<":
                name: str | None = key.value  # the common case, inlined
            else:
                name = self.key_name(key, path, depth)
            if name is None:  # not a plain name: reported; its value is passed over
                self.quietly(self.node, self.next(), path, depth + 1)
                continue
            if name is MERGE:  # `<<: *anchor`, or a list of them
                merge = self.next()
                merged = self.node(merge, path, depth + 1)
                sources = merged.value if isinstance(merged.value, list) else [merged]
                merges.append((merge.start_mark, sources))
                continue
            first = entries.get(name)
            if first is not None:
                self.issue(
                    kmark,
                    _child(path, name),
                    f"duplicate key {quote(name)}: already given on line {first.line}",
                )
                self.quietly(self.node, self.next(), path, depth + 1)
                continue
            value = self.next()
            if type(value) is scalar_event and value.anchor is None:  # the common case
                tag = self.scalar_tag(value)
                if tag == STR:
                    vmark: Any = value.start_mark
                    text = value.value
                    built = Node(text, vmark.line + 1, vmark.column + 1, text, not value.style)
                else:
                    built = self.scalar(value, _child(path, name), tag)
            else:
                built = self.node(value, _child(path, name), depth + 1)
            entries[name] = Entry(kmark.line + 1, kmark.column + 1, built)
        for mark, sources in merges:  # keys written in the mapping itself win
            for source in sources:
                if not isinstance(source.value, dict):
                    self.issue(mark, _child(path, "<<"), "`<<` merges only mappings")
                    break
                for name, entry in source.value.items():
                    entries.setdefault(name, entry)
        return entries

    def key_name(self, event: Any, path: str, depth: int) -> str | None:
        """A key's text; MERGE (the very object) for `<<`; None (reported) for a list or
        mapping used as a key."""
        if type(event) is yaml.ScalarEvent and event.anchor is None:
            return MERGE if self.scalar_tag(event) == MERGE else str(event.value)
        if type(event) in (yaml.ScalarEvent, yaml.AliasEvent):
            node = self.node(event, path, depth + 1)  # sets or follows an anchor
            if node.text is not None:  # a scalar
                return node.text
        else:
            self.quietly(self.node, event, path, depth + 1)
        message = "a mapping key must be a plain name, not a list or mapping"
        self.issue(event.start_mark, path, message)
        return None

    def scalar_tag(self, event: Any) -> str:
        tag = event.tag
        if tag is not None and tag != "!":
            return str(tag)
        if not event.implicit[0]:  # quoted (or tagged `!`): a string
            return STR
        text = event.value
        found = self.tags.get(text)
        if found is None:
            found = self.loader.resolve(yaml.ScalarNode, text, event.implicit)
            self.tags[text] = found
        return found

    def scalar(self, event: Any, path: str, tag: str | None = None) -> Node:
        """A scalar as YAML typed it (`tag`: already resolved by the caller)."""
        mark = event.start_mark
        text = event.value
        if tag is None:
            tag = self.scalar_tag(event)
        value: object
        # Plain scalars carry the tag the YAML 1.1 resolver gave them; quoted ones are str.
        if tag in (STR, TIMESTAMP):  # a date-time stays the text the user wrote
            value = text
        elif tag == NULL:
            value = None
        elif tag in _CONSTRUCTORS:
            value = self.constants.get((tag, text), _UNSEEN)  # true, 1 ... recur often
            if value is _UNSEEN:
                try:
                    value = _CONSTRUCTORS[tag](yaml.ScalarNode(tag, text))
                except (LookupError, ValueError):  # an explicit tag on the wrong text
                    message = f"{quote(text)} is not a valid {_short(tag)}"
                    if event.implicit[0]:  # a plain number Python will not convert
                        message = f"a number of {len(text):,} characters: far too large"
                    self.issue(mark, path, message)
                    value = None
                else:
                    self.constants[(tag, text)] = value
        else:
            self.issue(mark, path, f"unsupported YAML tag {_short(tag)}: write a plain value")
            value = None
        return Node(value, mark.line + 1, mark.column + 1, text, not event.style)

    def skip(self) -> None:
        """Pass over the rest of a collection (its start already read), without recursing:
        anchors in it stand for nothing."""
        depth = 1
        while depth:
            event = self.next()
            kind = type(event)
            if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                depth += 1
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                depth -= 1
            anchor = getattr(event, "anchor", None)
            if anchor is not None and kind is not yaml.AliasEvent:
                mark = event.start_mark
                self.anchors.setdefault(anchor, (Node(None, mark.line + 1, mark.column + 1), mark))

    def quietly(self, build: Any, *args: Any) -> None:
        """Build what is passed over (its anchors may be used later), keeping its issues
        out of the report: the reason it is passed over is reported already."""
        kept = self.issues
        self.issues = []
        try:
            build(*args)
        finally:
            self.issues = kept
