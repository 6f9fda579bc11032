"""JSON Schema of the questionnaire and roadmap YAML, generated from the models.

Editors that understand JSON Schema (e.g. the YAML language server) check a file as it
is typed; `tests/test_schema.py` fails when `questionnaires/schema.json` is stale.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from scoring.models import Questionnaire, Roadmap


def json_schema() -> dict[str, Any]:
    """One schema that accepts either a questionnaire or a roadmap."""
    _, top = models_json_schema(
        [(Questionnaire, "validation"), (Roadmap, "validation")],
        ref_template="#/$defs/{model}",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Maturity questionnaire or roadmap",
        "description": (
            "A questionnaire (scale, dimensions, items with anchors) or a roadmap (stages "
            "with criteria). Cross-file rules are checked by `python -m scoring validate`."
        ),
        "oneOf": [{"$ref": "#/$defs/Questionnaire"}, {"$ref": "#/$defs/Roadmap"}],
        "$defs": top["$defs"],
    }
