"""questionnaires/schema.json is generated from the models and kept up to date."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from scoring.schema import json_schema

from .conftest import DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP, ROOT

SCHEMA_FILE = ROOT / "questionnaires" / "schema.json"


def as_json(value: Any) -> Any:
    """YAML data as an editor's JSON Schema validator sees it: mapping keys are strings."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def test_schema_file_is_current() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema(), (
        "questionnaires/schema.json is stale: run python -m scoring schema --out questionnaires/schema.json"
    )


@pytest.mark.parametrize("path", [DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP], ids=lambda p: p.name)
def test_default_files_pass_the_schema(path) -> None:
    data = as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = list(jsonschema.Draft202012Validator(json_schema()).iter_errors(data))
    assert errors == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(colour="red"),
        lambda d: d["dimensions"][0]["items"][0].update(weight=0),
        lambda d: d["dimensions"][0].pop("label"),
        lambda d: d["scoring"].update(method="mode"),
    ],
    ids=["unknown-field", "zero-weight", "missing-label", "bad-method"],
)
def test_schema_catches_what_an_editor_should_flag(change) -> None:
    data = as_json(yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")))
    change(data)
    assert not jsonschema.Draft202012Validator(json_schema()).is_valid(data)
