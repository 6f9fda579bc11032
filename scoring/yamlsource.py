"""YAML reading that remembers where every field was, so problems can name the line.

Limits hold at the door, before anything is built from the text: its size, how deep it
nests and how large it grows once its aliases are followed (a "billion laughs" file of a
few hundred bytes expands to billions of nodes). A file over a limit is one problem at the
line where it went over, never a MemoryError or a RecursionError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scoring.problems import Problem

Path = tuple[str | int, ...]

MAX_YAML_BYTES = 20_000_000  # a national org.yaml of 20,000 units is about 3 MB
MAX_DEPTH = 64  # questionnaires, roadmaps and org trees nest 10 levels at most
MAX_NODES = 2_000_000  # nodes once aliases are followed; 20,000 units are about 200,000


class _Limit(Exception):
    """A limit was passed while composing, at `line`."""

    def __init__(self, code: str, line: int, params: dict[str, Any]) -> None:
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false, so `nb: no` stays text) and a
    limit on nesting while the node tree is composed (PyYAML composes recursively)."""

    depth = 0
    first_alias_line = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent) and not self.first_alias_line:
            self.first_alias_line = event.start_mark.line + 1
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Limit("yaml_too_deep", event.start_mark.line + 1, {"limit": MAX_DEPTH})
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class YamlDocument:
    """The data of one YAML file and the line (1-based) of each field and list entry."""

    data: Any
    lines: dict[Path, int]

    def line_of(self, path: Path) -> int:
        """Line of the deepest known part of `path` (the file's first line at worst)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


def format_path(path: Path) -> str:
    """`dimensions[0].items[2].anchors` for ('dimensions', 0, 'items', 2, 'anchors')."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top)"


def read_text_file(path: str | FilePath, file: str | None = None) -> tuple[str | None, list[Problem]]:
    """A user's text file as UTF-8 (a BOM is dropped); one problem, not a traceback, for a
    file that is missing, too large for a definition, or in another encoding (with the line
    of the first byte that is not UTF-8)."""
    name = file or str(path)
    try:
        size = FilePath(path).stat().st_size
        if size > MAX_YAML_BYTES:
            return None, [Problem(name, 0, "file_too_large", _size_params(size))]
        data = FilePath(path).read_bytes()
    except OSError as error:
        return None, [Problem(name, 0, "file_unreadable", {"detail": error.strerror or str(error)})]
    return decode_text(data, name)


def decode_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """`data` as UTF-8 text, or the problem that names the line where it is not UTF-8."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM, as some Windows editors write
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(file, line, "file_not_utf8", {"byte": f"0x{data[error.start]:02x}"})]


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse `text`; on a syntax error or a passed limit return no document and one problem
    at its line."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_YAML_BYTES:
        return None, [Problem(file, 0, "file_too_large", _size_params(size))]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {(): 1}), []
        if _expanded_size(node) > MAX_NODES:
            line = loader.first_alias_line or node.start_mark.line + 1
            limit = f"{MAX_NODES:,}".replace(",", " ")
            return None, [Problem(file, line, "yaml_too_many_nodes", {"limit": limit})]
        lines: dict[Path, int] = {(): node.start_mark.line + 1}
        problems: list[Problem] = []
        _walk(loader, node, (), lines, problems, file)
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        detail = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        context_mark = getattr(error, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            detail = f"{detail} ({context} that starts at line {context_mark.line + 1})"
        elif context:
            detail = f"{detail} ({context})"
        return None, [Problem(file, line, "yaml_syntax", {"detail": detail})]
    except _Limit as limit:
        return None, [Problem(file, limit.line, limit.code, limit.params)]
    finally:
        loader.dispose()
    return YamlDocument(data, lines), problems


def _size_params(size: int) -> dict[str, int]:
    """Sizes in whole megabytes, rounded up, so a file just over the limit never reads as equal."""
    return {"size": -(-size // 1_000_000), "limit": MAX_YAML_BYTES // 1_000_000}


def _expanded_size(root: Node) -> int:
    """How many nodes the tree has once every alias is followed, counted without following
    them (each distinct node once, with the size of its children); stops past MAX_NODES."""
    sizes: dict[int, int] = {}
    order: list[Node] = []
    stack: list[Node] = [root]
    while stack:  # depth-first, children before parents, each distinct node once
        node = stack.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = 0
        order.append(node)
        stack.extend(_children(node))
    for node in reversed(order):
        sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes[id(child)] for child in _children(node)))
    return sizes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _walk(
    loader: _Loader,
    node: Node,
    path: Path,
    lines: dict[Path, int],
    problems: list[Problem],
    file: str,
) -> None:
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            if key is None or isinstance(key, (list, dict)):
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(file, line, "duplicate_key", {"path": format_path(path), "key": key}))
                continue
            seen[key] = line
            lines[path + (key,)] = line
            _walk(loader, value_node, path + (key,), lines, problems, file)
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            lines[path + (index,)] = child.start_mark.line + 1
            _walk(loader, child, path + (index,), lines, problems, file)
