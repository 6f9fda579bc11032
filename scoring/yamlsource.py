"""YAML reading that remembers where every field was, so problems can name the line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scoring.problems import Problem

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so `nb: no` stays text."""


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


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse `text`; on a syntax error return no document and one problem at its line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {(): 1}), []
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
    finally:
        loader.dispose()
    return YamlDocument(data, lines), problems


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
