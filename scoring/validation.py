"""Loading and validating questionnaire and roadmap files, reporting every problem.

Checks run in two passes over one parsed file: the pydantic models check shape and
types, then the cross-part rules of DESIGN.md section 4 run over the raw data, written
defensively so that a shape error in one place does not hide a rule broken in another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from scoring.models import Questionnaire, Roadmap
from scoring.problems import Problem, ProblemsError
from scoring.yamlsource import YamlDocument, format_path, parse_yaml, read_text_file

Kind = Literal["questionnaire", "roadmap"]

_PATTERN_WORDS = {
    r"^[a-z0-9-]+$": "lowercase letters a-z, digits and '-'",
    r"^[A-Za-z0-9_.-]+$": "letters, digits, '_', '.' and '-'",
}


@dataclass
class LoadedFile:
    """One questionnaire or roadmap file: its text, data, model (when valid) and problems."""

    file: str
    text: str
    kind: Kind | None = None
    document: YamlDocument | None = None
    model: Questionnaire | Roadmap | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.model is not None and not self.problems

    @property
    def declared_id(self) -> str | None:
        data = self.document.data if self.document else None
        value = data.get("id") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None


def read_definition(text: str, file: str, expect: Kind | None = None) -> LoadedFile:
    """Parse and check one file on its own (a roadmap's references are checked later)."""
    loaded = LoadedFile(file=file, text=text)
    document, problems = parse_yaml(text, file)
    loaded.document = document
    loaded.problems.extend(problems)
    if document is None:
        return loaded
    data = document.data
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {_type_word(data)}"
        loaded.problems.append(Problem(file, 1, "not_a_mapping", {"kind": kind}))
        return loaded
    loaded.kind = expect or _kind_of(data)
    if loaded.kind is None:
        loaded.problems.append(Problem(file, 1, "unknown_kind"))
        return loaded
    model_class = Questionnaire if loaded.kind == "questionnaire" else Roadmap
    try:
        model = model_class.model_validate(data)
    except ValidationError as error:
        model = None
        loaded.problems.extend(_problems_from_pydantic(error, document, file))
    checks = _questionnaire_rules if loaded.kind == "questionnaire" else _roadmap_rules
    loaded.problems.extend(checks(data, document, file))
    loaded.problems = _sorted_unique(loaded.problems)
    if not loaded.problems:
        loaded.model = model
    return loaded


def read_file(path: str | Path, expect: Kind | None = None) -> LoadedFile:
    """`read_definition` for a file on disk; an unreadable file is a problem, not a crash."""
    name = str(path)
    text, problems = read_text_file(path, name)
    if text is None:
        loaded = LoadedFile(file=name, text="")
        loaded.problems.extend(problems)
        return loaded
    return read_definition(text, name, expect)


def questionnaire_from_text(text: str, file: str = "<questionnaire>") -> Questionnaire:
    """A valid questionnaire from YAML text, or ProblemsError with every problem."""
    loaded = read_definition(text, file, expect="questionnaire")
    if not loaded.valid:
        raise ProblemsError(loaded.problems)
    assert isinstance(loaded.model, Questionnaire)
    return loaded.model


def load_questionnaire(path: str | Path) -> Questionnaire:
    loaded = read_file(path, expect="questionnaire")
    if not loaded.valid:
        raise ProblemsError(loaded.problems)
    assert isinstance(loaded.model, Questionnaire)
    return loaded.model


def roadmap_from_text(text: str, questionnaire: Questionnaire, file: str = "<roadmap>") -> Roadmap:
    """A valid roadmap for `questionnaire`, or ProblemsError with every problem."""
    loaded = read_definition(text, file, expect="roadmap")
    problems = list(loaded.problems)
    if loaded.document is not None and isinstance(loaded.document.data, dict):
        problems += check_roadmap_against(loaded, questionnaire)
    if problems or loaded.model is None:
        raise ProblemsError(_sorted_unique(problems))
    assert isinstance(loaded.model, Roadmap)
    return loaded.model


def load_roadmap(path: str | Path, questionnaire: Questionnaire) -> Roadmap:
    text, problems = read_text_file(path)
    if text is None:
        raise ProblemsError(problems)
    return roadmap_from_text(text, questionnaire, str(path))


def check_roadmap_against(roadmap: LoadedFile, questionnaire: Questionnaire) -> list[Problem]:
    """Problems of a roadmap's criteria against the questionnaire it must work with."""
    file = roadmap.file
    document = roadmap.document
    assert document is not None
    data = document.data
    named = data.get("questionnaire")
    if isinstance(named, str) and named != questionnaire.id:
        line = document.line_of(("questionnaire",))
        return [
            Problem(file, line, "roadmap_mismatch", {"roadmap": named, "questionnaire": questionnaire.id})
        ]
    items = {item.id: item for item in questionnaire.items()}
    dimensions = {d.id for d in questionnaire.dimensions}
    low, high = min(questionnaire.levels), max(questionnaire.levels)
    problems: list[Problem] = []
    for s_index, stage in _entries(data.get("stages")):
        for c_index, criterion in _entries(stage.get("criteria")):
            path = ("stages", s_index, "criteria", c_index)
            where = format_path(path)
            min_level = criterion.get("min_level")
            item_id, dimension_id = criterion.get("item"), criterion.get("dimension")
            is_level = isinstance(min_level, int) and not isinstance(min_level, bool)
            if is_level and not low <= min_level <= high:
                problems.append(
                    Problem(
                        file,
                        document.line_of(path + ("min_level",)),
                        "min_level_outside_scale",
                        {"path": where, "value": min_level, "low": low, "high": high},
                    )
                )
            if isinstance(item_id, str) and dimension_id is None:
                item = items.get(item_id)
                line = document.line_of(path + ("item",))
                if item is None:
                    problems.append(
                        Problem(
                            file,
                            line,
                            "unknown_item",
                            {"path": where, "id": item_id, "questionnaire": questionnaire.id},
                        )
                    )
                elif not item.scored and "min_level" in criterion:
                    problems.append(
                        Problem(
                            file,
                            document.line_of(path + ("min_level",)),
                            "min_level_on_yesno",
                            {"path": where, "id": item_id},
                        )
                    )
                elif item.scored and min_level is None:
                    problems.append(
                        Problem(
                            file, line, "min_level_required", {"path": where, "what": "item", "id": item_id}
                        )
                    )
            if isinstance(dimension_id, str) and item_id is None:
                line = document.line_of(path + ("dimension",))
                if dimension_id not in dimensions:
                    problems.append(
                        Problem(
                            file,
                            line,
                            "unknown_dimension",
                            {"path": where, "id": dimension_id, "questionnaire": questionnaire.id},
                        )
                    )
                elif min_level is None:
                    problems.append(
                        Problem(
                            file,
                            line,
                            "min_level_required",
                            {"path": where, "what": "dimension", "id": dimension_id},
                        )
                    )
    return problems


def validate_files(paths: Sequence[str | Path]) -> list[Problem]:
    """Every problem in the given files; roadmaps are checked against their questionnaire,
    found among `paths` or in the roadmap's own folder."""
    loaded = [read_file(path) for path in paths]
    problems: list[Problem] = []
    for entry in loaded:
        problems.extend(entry.problems)
        if entry.kind != "roadmap" or not isinstance(getattr(entry.document, "data", None), dict):
            continue
        named = entry.document.data.get("questionnaire")  # type: ignore[union-attr]
        if not isinstance(named, str):
            continue
        candidates = [q for q in loaded if q.kind == "questionnaire" and q.declared_id == named]
        if not candidates:
            candidates = _questionnaires_beside(Path(entry.file), named, exclude=paths)
        if not candidates:
            line = entry.document.line_of(("questionnaire",))  # type: ignore[union-attr]
            problems.append(Problem(entry.file, line, "questionnaire_not_found", {"id": named}))
            continue
        for candidate in candidates:
            if candidate.valid:
                assert isinstance(candidate.model, Questionnaire)
                problems.extend(check_roadmap_against(entry, candidate.model))
            else:
                line = entry.document.line_of(("questionnaire",))  # type: ignore[union-attr]
                problems.append(Problem(entry.file, line, "questionnaire_invalid", {"id": named}))
    return _sorted_unique(problems, keep_file_order=[str(p) for p in paths])


def _questionnaires_beside(
    roadmap_path: Path, questionnaire_id: str, exclude: Iterable[str | Path]
) -> list[LoadedFile]:
    skip = {Path(p).resolve() for p in exclude}
    found = []
    for candidate in sorted(roadmap_path.parent.glob("*.y*ml")):
        if candidate.resolve() in skip:
            continue
        loaded = read_file(candidate)
        if loaded.kind == "questionnaire" and loaded.declared_id == questionnaire_id:
            found.append(loaded)
    return found


def _kind_of(data: dict[str, Any]) -> Kind | None:
    if "stages" in data:
        return "roadmap"
    if "dimensions" in data or "scale" in data:
        return "questionnaire"
    return None


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, mapping) entries of a list, skipping whatever is not a mapping."""
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _duplicate_ids(
    entries: Iterable[tuple[tuple[Any, ...], Any]],
    document: YamlDocument,
    file: str,
    key: str = "id",
) -> list[Problem]:
    first_seen: dict[Any, int] = {}
    problems = []
    for path, value in entries:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            continue
        line = document.line_of(path + (key,))
        if value in first_seen:
            problems.append(
                Problem(
                    file,
                    line,
                    "duplicate_id",
                    {"path": format_path(path + (key,)), "id": value, "first_line": first_seen[value]},
                )
            )
        else:
            first_seen[value] = line
    return problems


def _questionnaire_rules(data: dict[str, Any], document: YamlDocument, file: str) -> list[Problem]:
    problems: list[Problem] = []
    scale = _entries(data.get("scale"))
    levels = [entry.get("level") for _, entry in scale]
    int_levels = [lv for lv in levels if isinstance(lv, int) and not isinstance(lv, bool)]
    scale_ok = bool(scale) and levels == list(range(1, len(levels) + 1))
    if scale and len(int_levels) == len(levels) and not scale_ok:
        problems.append(
            Problem(
                file,
                document.line_of(("scale",)),
                "scale_levels",
                {"path": "scale", "n": len(levels), "got": ", ".join(map(str, levels))},
            )
        )
    problems += _duplicate_ids(
        ((("scale", i), entry.get("key")) for i, entry in scale), document, file, key="key"
    )
    dimensions = _entries(data.get("dimensions"))
    problems += _duplicate_ids(
        ((("dimensions", i), entry.get("id")) for i, entry in dimensions), document, file
    )
    all_items = [
        (("dimensions", d, "items", i), item)
        for d, dimension in dimensions
        for i, item in _entries(dimension.get("items"))
    ]
    problems += _duplicate_ids(((path, item.get("id")) for path, item in all_items), document, file)
    scale_levels = int_levels if scale_ok else []  # a broken scale is reported once, above
    level_text = ", ".join(map(str, scale_levels))
    for d_index, dimension in dimensions:
        items = _entries(dimension.get("items"))
        if items and all(item.get("type", "scored") == "yesno" for _, item in items):
            path = ("dimensions", d_index)
            problems.append(
                Problem(
                    file,
                    document.line_of(path + ("items",)),
                    "no_scored_items",
                    {"path": format_path(path), "id": dimension.get("id")},
                )
            )
    for path, item in all_items:
        anchors = item.get("anchors")
        where = format_path(path + ("anchors",))
        if item.get("type", "scored") == "yesno":
            if "anchors" in item:
                line = document.line_of(path + ("anchors",))
                problems.append(Problem(file, line, "anchors_on_yesno", {"path": where}))
            continue
        if item.get("type", "scored") != "scored" or not scale_levels:
            continue
        if anchors is None:
            problems.append(
                Problem(
                    file,
                    document.line_of(path + ("id",)),
                    "anchors_missing",
                    {"path": where, "levels": level_text},
                )
            )
            continue
        if not isinstance(anchors, dict):
            continue
        keys = {k for k in anchors if isinstance(k, int) and not isinstance(k, bool)}
        missing = sorted(set(scale_levels) - keys)
        extra = sorted(keys - set(scale_levels))
        details = []
        if missing:
            details.append("missing " + ", ".join(map(str, missing)))
        if extra:
            details.append("not on the scale: " + ", ".join(map(str, extra)))
        if details:
            problems.append(
                Problem(
                    file,
                    document.line_of(path + ("anchors",)),
                    "anchors_mismatch",
                    {"path": where, "levels": level_text, "detail": "; ".join(details)},
                )
            )
    return problems


def _roadmap_rules(data: dict[str, Any], document: YamlDocument, file: str) -> list[Problem]:
    stages = _entries(data.get("stages"))
    problems = _duplicate_ids(((("stages", i), s.get("id")) for i, s in stages), document, file)
    problems += _duplicate_ids(((("stages", i), s.get("key")) for i, s in stages), document, file, key="key")
    return problems


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (dt.date, dt.datetime)):
        return "date"
    return type(value).__name__


_EXPECTED = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "string_type": "text",
    "bool_type": "true or false",
}


def _problems_from_pydantic(error: ValidationError, document: YamlDocument, file: str) -> list[Problem]:
    problems = []
    for detail in error.errors():
        loc = tuple(part for part in detail["loc"] if part != "[key]")
        kind = detail["type"]
        value = detail.get("input")
        ctx = detail.get("ctx") or {}
        where = format_path(loc)
        line = document.line_of(loc)
        if kind == "missing":
            parent = loc[:-1]
            code, params = "missing", {"path": format_path(parent), "field": loc[-1]}
            line = document.line_of(parent)
        elif kind == "extra_forbidden":
            code, params = "unknown_field", {"path": format_path(loc[:-1]), "field": loc[-1]}
        elif (
            kind == "string_type" and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)
        ):
            code, params = "expected_text", {"path": where, "value": value}
        elif kind in _EXPECTED:
            code = "expected_type"
            params = {"path": where, "expected": _EXPECTED[kind], "got": _type_word(value)}
        elif kind == "greater_than" and ctx.get("gt") == 0:
            code, params = "not_positive", {"path": where, "value": value}
        elif kind in ("greater_than", "less_than_equal", "greater_than_equal", "less_than"):
            code, params = "out_of_range", {"path": where, "detail": _bound_words(ctx), "value": value}
        elif kind == "literal_error":
            code, params = "bad_choice", {"path": where, "choices": ctx.get("expected"), "value": value}
        elif kind == "string_pattern_mismatch":
            allowed = _PATTERN_WORDS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
            code, params = "bad_identifier", {"path": where, "value": value, "allowed": allowed}
        elif kind in ("too_short", "string_too_short"):
            minimum = ctx.get("min_length", 1)
            noun = "entry" if minimum == 1 else "entries"
            if kind == "string_too_short":
                noun = "character" if minimum == 1 else "characters"
            code, params = "too_short", {"path": where, "min": minimum, "noun": noun}
        elif kind == "value_error" and "exactly one of item or dimension" in detail["msg"]:
            code, params = "criterion_target", {"path": where}
        else:
            message = detail["msg"].removeprefix("Value error, ")
            code, params = "invalid", {"path": where, "detail": message}
        problems.append(Problem(file, line, code, params))
    return problems


def _bound_words(ctx: dict[str, Any]) -> str:
    words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
    return " and ".join(f"must be {words[k]} {v}" for k, v in ctx.items() if k in words)


def _sorted_unique(problems: list[Problem], keep_file_order: list[str] | None = None) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    order = {name: i for i, name in enumerate(keep_file_order or [])}
    return sorted(unique, key=lambda p: (order.get(p.file, len(order)), p.file, p.line))
