"""Pydantic models of the questionnaire and roadmap YAML (DESIGN.md section 4).

The models check shape and types; rules that span several parts of a file (duplicate
ids, anchors against the scale, roadmap references) live in `scoring.validation`, so
that every problem of a file is reported at once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)

LANGUAGES: tuple[str, ...] = ("nb", "en", "nn")
DEFAULT_LANGUAGE = "nb"


class Strict(BaseModel):
    """Base of every model: unknown fields are errors, and values are not coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class LocalizedText(Strict):
    """A text in one or more languages; a plain string in YAML stands for every language."""

    nb: StrictStr | None = None
    en: StrictStr | None = None
    nn: StrictStr | None = None

    @model_validator(mode="after")
    def _has_some_language(self) -> LocalizedText:
        if not any(getattr(self, lang) for lang in LANGUAGES):
            raise ValueError("a text needs at least one of nb, en or nn")
        return self

    def get(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The text in `lang`, falling back to bokmål, nynorsk, then English."""
        for candidate in (lang, "nb", "nn", "en"):
            value = getattr(self, candidate, None)
            if value:
                return value
        return ""  # unreachable: the validator requires one language

    def __str__(self) -> str:
        return self.get()


def _text_from_yaml(value: Any) -> Any:
    if isinstance(value, str):
        return {"nb": value, "en": value}
    return value


Text = Annotated[
    LocalizedText,
    BeforeValidator(_text_from_yaml),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "properties": {lang: {"type": "string"} for lang in LANGUAGES},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ],
            "description": "A plain string, or the text per language: {nb: ..., en: ...}",
        }
    ),
]

Identifier = Annotated[StrictStr, Field(pattern=r"^[a-z0-9-]+$")]
ElementId = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1)]
Weight = Annotated[float, Field(gt=0)]


class ScaleLevel(Strict):
    level: StrictInt
    key: Identifier
    label: Text
    description: Text | None = None


class ScoringRules(Strict):
    method: Literal["mean", "median", "min"] = "mean"
    min_coverage: Annotated[float, Field(gt=0, le=1)] = 0.5


class Item(Strict):
    id: ElementId
    type: Literal["scored", "yesno"] = "scored"
    text: Text
    reference: StrictStr | None = None
    weight: Weight = 1.0
    anchors: dict[StrictInt, Text] | None = Field(
        default=None,
        description="One text per scale level, keyed by level (scored items only)",
        json_schema_extra={"propertyNames": {"pattern": "^[0-9]+$"}},
    )
    help: Text | None = Field(default=None, description="Optional: what the item asks about, in more words")
    evidence_hint: Text | None = Field(
        default=None, description="Optional: what documents or data can support the answer"
    )

    @property
    def scored(self) -> bool:
        return self.type == "scored"


class Dimension(Strict):
    id: ElementId
    label: Text
    description: Text | None = None
    reference: StrictStr | None = None
    weight: Weight = 1.0
    items: Annotated[list[Item], Field(min_length=1)]

    @property
    def scored_items(self) -> list[Item]:
        return [item for item in self.items if item.scored]


class Questionnaire(Strict):
    id: Identifier
    version: StrictStr
    title: Text
    description: Text | None = None
    scale: Annotated[list[ScaleLevel], Field(min_length=2)]
    scoring: ScoringRules = ScoringRules()
    dimensions: Annotated[list[Dimension], Field(min_length=1)]

    @property
    def levels(self) -> list[int]:
        return [step.level for step in self.scale]

    @property
    def top_level(self) -> int:
        return max(self.levels)

    def items(self) -> list[Item]:
        return [item for dimension in self.dimensions for item in dimension.items]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items() if item.id == item_id), None)

    def dimension(self, dimension_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def dimension_of(self, item_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if any(i.id == item_id for i in d.items)), None)

    def level_label(self, level: int, lang: str = DEFAULT_LANGUAGE) -> str:
        step = next((s for s in self.scale if s.level == level), None)
        return step.label.get(lang) if step else str(level)


class Criterion(Strict):
    item: ElementId | None = None
    dimension: ElementId | None = None
    min_level: StrictInt | None = None
    label: Text | None = Field(default=None, description="Optional: how the criterion reads to a unit leader")

    @model_validator(mode="after")
    def _one_target(self) -> Criterion:
        if (self.item is None) == (self.dimension is None):
            raise ValueError("a criterion names exactly one of item or dimension")
        return self


class Stage(Strict):
    id: StrictStr
    key: Identifier
    label: Text
    period: StrictStr | None = None
    description: Text | None = None
    criteria: Annotated[list[Criterion], Field(min_length=1)]


class Roadmap(Strict):
    id: Identifier
    questionnaire: Identifier
    title: Text
    description: Text | None = None
    stages: Annotated[list[Stage], Field(min_length=1)]

    def stage_for_period(self, period: str) -> Stage | None:
        """The stage the plan targets in the cycle labelled `period`, if any."""
        return next((s for s in self.stages if s.period == period), None)

    def planned_stage_number(self, period: str) -> int | None:
        """1-based number of the stage planned for `period`, the last one after the plan."""
        for number, stage in enumerate(self.stages, start=1):
            if stage.period == period:
                return number
        return None
