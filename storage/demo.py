"""Deterministic demo data: a fictional clinic with a believable improvement story, and the
region and national tiers for benchmarks.

The clinic (data/org.yaml: three sections, 25 units) is assessed in 2022/2023-2025/2026
and is part way through 2026/2027. Most units climb, three stall, one slips back after a
change of leader, a few miss a year, and some hold team workshops with several
participants. The organisation and users go through the services; the years are made in
memory and written by the tables' bulk loaders with the times they happened, so the audit
log, statuses, scores and roadmap stages are those a real history would leave.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from scoring.engine import score
from scoring.models import Questionnaire
from scoring.workshop import answer_key, count
from storage import audit, rollup
from storage.access import load_access_yaml, upsert_users
from storage.actors import SYSTEM, Grant
from storage.assessments import Answer, load_results, result_rows
from storage.assessments import load_history as load_assessments
from storage.db import migrate, reading, writing
from storage.definitions import (
    DEFAULT_QUESTIONNAIRE,
    DEFAULT_ROADMAP,
    create_cycle,
    current_questionnaire_version,
    cycle_label_for,
    load_definitions,
    questionnaire_of,
    roadmap_for,
    set_cycle_status,
)
from storage.org import UnitSpec, load_org_yaml, load_units
from storage.planning import load_history as load_plans
from storage.settings import set_setting
from storage.tables import (
    assessment_score,
    cycle,
    org_unit,
    setting,
)
from storage.workshops import load_history as load_workshops

ROOT = Path(__file__).resolve().parent.parent
ORG_YAML = ROOT / "data" / "org.yaml"
ACCESS_YAML = ROOT / "data" / "access.yaml"
SEED = 1250  # FOR-2016-10-28-1250

CLINIC_CYCLES = ["2022/2023", "2023/2024", "2024/2025", "2025/2026", "2026/2027"]
TIER_CYCLES = ["2021/2022", *CLINIC_CYCLES]
CURRENT_CYCLE = "2026/2027"

DIMENSION_OFFSET = {
    "lederansvar": 0.1,
    "risiko": 0.35,
    "kompetanse": 0.0,
    "maling": -0.3,
    "medvirkning": 0.05,
    "brukermedvirkning": -0.45,
}
# The maturity at which a unit has, typically, done what a checklist item asks.
CHECKLIST_THRESHOLD = {
    "KM4": 1.7,
    "KM5": 1.9,
    "KM6": 2.1,
    "AM5": 2.3,
    "AM4": 2.7,
    "MO4": 2.8,
    "LA4": 2.9,
    "BM4": 3.2,
    "MO5": 3.7,
    "KM7": 3.9,
}
LEADER_NAMES = [
    "Kari Nordmann",
    "Ola Hansen",
    "Ingrid Johansen",
    "Lars Olsen",
    "Sigrid Larsen",
    "Per Andersen",
    "Marit Pedersen",
    "Knut Nilsen",
    "Solveig Kristiansen",
    "Erik Jensen",
    "Astrid Karlsen",
    "Bjørn Berg",
    "Hilde Haugen",
    "Tor Hagen",
    "Liv Eriksen",
    "Geir Bakken",
    "Anne Solberg",
    "Jon Moen",
    "Randi Strand",
    "Arne Dahl",
    "Berit Lie",
    "Svein Lund",
    "Tone Aas",
    "Rune Holm",
    "Gunn Vik",
]
COMMENTS = {
    "lederansvar": [
        "Målene er tatt inn i virksomhetsplanen, men ikke alle ansatte kjenner dem.",
        "Ledelsens gjennomgang ble holdt i mars, referat ligger i kvalitetssystemet.",
        "Vi mangler fast tid til forbedring i turnus.",
    ],
    "risiko": [
        "Mange avvik om legemiddelhåndtering; tilbakemelding til melder tar for lang tid.",
        "Risikotavle innført på morgenmøtet.",
        "ROS-analyse gjort før flytting til nytt bygg.",
    ],
    "kompetanse": [
        "To sykepleiere har fullført forbedringsagentutdanningen.",
        "Opplæringsplanen må oppdateres for nyansatte.",
        "Første PGEK-sirkel om fallforebygging gjennomført i høst.",
    ],
    "maling": [
        "Seriediagram for trykksår henger på vaktrommet.",
        "Vi teller hendelser, men har ingen måleplan ennå.",
        "Data fra kvalitetsregisteret brukes lite i enheten.",
    ],
    "medvirkning": [
        "Forbedringstavla brukes på tavlemøtet hver tirsdag.",
        "Handlingsplanen fra ForBedring ble laget på personalmøte.",
        "Ansatte sier ifra, men opplever at lite skjer.",
    ],
    "brukermedvirkning": [
        "Brukerrepresentant med i prosjektet om utskrivning.",
        "Vi har ingen rutine for å fortelle pasientene hva vi har endret.",
        "Pårørendeundersøkelse gjennomført i vår.",
    ],
}
EVIDENCE = [
    "Referat ledelsens gjennomgang",
    "Rapport fra avvikssystemet",
    "ROS-analyse",
    "Måleplan",
    "Seriediagram",
    "Handlingsplan ForBedring",
    "Kompetanseplan",
    "Prosjektbeskrivelse",
]
ACTIONS = {
    "lederansvar": [
        "Sette av fast tid til forbedringsarbeid i turnus",
        "Bryte ned enhetens mål til tiltak med eier og frist",
    ],
    "risiko": ["Innføre risikotavle på morgenmøtet", "Gi tilbakemelding til melder innen to uker"],
    "kompetanse": [
        "Sende to ansatte på forbedringsagentutdanningen",
        "Oppdatere opplæringsplanen for nyansatte",
    ],
    "maling": ["Lage måleplan og seriediagram for fall", "Vise indikatorene på tavlemøtet hver uke"],
    "medvirkning": [
        "Starte tavlemøter med forbedringstavle",
        "Lage handlingsplan fra ForBedring sammen med ansatte",
    ],
    "brukermedvirkning": [
        "Invitere brukerrepresentant inn i neste prosjekt",
        "Henge opp «Du sa – vi gjorde» på venterommet",
    ],
}


@dataclass
class UnitStory:
    unit_id: str
    start: float
    growth: float
    kind: str  # climber, stall, slip
    missed: str | None
    workshop_from: str | None
    leader: str

    def maturity(self, cycle_index: int) -> float:
        if self.kind == "slip" and cycle_index >= 3:
            return self.start + 2 * self.growth - 0.9 + 0.2 * (cycle_index - 3)
        return self.start + self.growth * cycle_index


def cycle_dates(label: str) -> tuple[dt.date, dt.date]:
    start = int(label[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 9, 1)


def is_initialised(engine: Engine) -> bool:
    with reading(engine) as connection:
        return (
            connection.execute(select(setting.c.value).where(setting.c.key == "initialised")).scalar()
            is not None
        )


def demo_marker(engine: Engine) -> str | None:
    """'clinic', 'region' or 'national' when the database holds generated data, else None."""
    with reading(engine) as connection:
        return connection.execute(select(setting.c.value).where(setting.c.key == "demo")).scalar()


def ensure_database(engine: Engine, start_empty: bool = False) -> None:
    """Migrate, and on a database never set up, load the demo clinic (or start empty)."""
    migrate(engine)
    rollup.ensure_rollups(engine)
    if is_initialised(engine):
        return
    if start_empty:
        initialise_empty(engine)
    else:
        load_clinic_demo(engine)


def initialise_empty(
    engine: Engine,
    org_yaml: Path | None = ORG_YAML,
    access_yaml: Path | None = ACCESS_YAML,
    today: dt.date | None = None,
) -> None:
    """Definitions, the organisation and users from data/, and the current cycle; no assessments."""
    load_definitions(engine, SYSTEM)
    if org_yaml is not None and org_yaml.exists():
        load_org_yaml(engine, SYSTEM, org_yaml, on=dt.date(2020, 1, 1))
    if access_yaml is not None and access_yaml.exists():
        load_access_yaml(engine, SYSTEM, access_yaml)
    label = cycle_label_for(today or dt.date.today())
    start, end = cycle_dates(label)
    create_cycle(engine, SYSTEM, label, start, end)
    with writing(engine) as connection:
        set_setting(connection, "initialised", audit.now().isoformat())


def load_clinic_demo(engine: Engine) -> None:
    """The fictional clinic's four years and the current cycle.

    The organisation, users and cycles go through the services; the years of assessments,
    workshops and plans are made in memory and written in one transaction through each
    table's bulk loader, scored in one pass as the import scores (a newcomer's first page
    waits for this)."""
    rng = random.Random(SEED)
    with audit.clock(dt.datetime(2022, 8, 15, 9, 0)):
        load_definitions(engine, SYSTEM, DEFAULT_QUESTIONNAIRE, DEFAULT_ROADMAP)
        load_org_yaml(engine, SYSTEM, ORG_YAML, on=dt.date(2020, 1, 1))
        load_access_yaml(engine, SYSTEM, ACCESS_YAML)
        cycle_ids = {}
        for label in CLINIC_CYCLES:
            start, end = cycle_dates(label)
            cycle_ids[label] = create_cycle(engine, SYSTEM, label, start, end)
        with reading(engine) as connection:
            units = (
                connection.execute(
                    select(org_unit.c.id).where(org_unit.c.kind == "enhet").order_by(org_unit.c.id)
                )
                .scalars()
                .all()
            )
            version = current_questionnaire_version(connection)
            questionnaire = questionnaire_of(connection, version)
        stories = _stories(list(units), rng)
        upsert_users(
            engine,
            SYSTEM,
            [(_leader_id(s.unit_id), s.leader, [Grant("leader", s.unit_id)]) for s in stories],
        )
    history = _History(questionnaire, version)
    for index, label in enumerate(CLINIC_CYCLES):
        for story in stories:
            if story.missed != label:
                history.assess(story, index, label, cycle_ids[label], rng)
    with writing(engine) as connection:
        ids = load_assessments(connection, history.rows, history.answers, questionnaire, version)
        for record in history.workshops:
            record["consensus_assessment_id"] = ids[record.pop("key")]
        entries = load_workshops(connection, history.workshops)
        entries += history.entries(ids)
        actions, targets = history.plans(_scores_by_assessment(connection), ids, rng)
        load_plans(connection, actions, targets)
        audit.append(connection, entries)
        rollup.rebuild(connection)
    for label in CLINIC_CYCLES:
        if label != CURRENT_CYCLE:
            with audit.clock(dt.datetime(int(label[5:]), 8, 31, 16, 0)):
                set_cycle_status(engine, SYSTEM, cycle_ids[label], "closed")
    with writing(engine) as connection:
        set_setting(connection, "demo", "clinic")
        set_setting(connection, "initialised", audit.now().isoformat())


def _leader_id(unit_id: str) -> str:
    return f"leder-{unit_id}"


def _stories(units: list[str], rng: random.Random) -> list[UnitStory]:
    stall = {"post-lunge", "ergoterapi", "akutt-poliklinikk"}
    slip = "post-infeksjon"
    missed = {"endoskopi": "2023/2024", "sepsis-team": "2024/2025", "hjemmesykehus": "2023/2024"}
    workshops = {
        "post-gastro": "2023/2024",
        "akuttmottak": "2023/2024",
        "rehab-sengepost": "2024/2025",
        "slagenheten": "2024/2025",
        "post-hjerte": "2025/2026",
        "larings-og-mestring": "2025/2026",
    }
    stories = []
    for index, unit in enumerate(units):
        kind = "slip" if unit == slip else "stall" if unit in stall else "climber"
        growth = rng.uniform(0.02, 0.1) if kind == "stall" else rng.uniform(0.3, 0.6)
        stories.append(
            UnitStory(
                unit,
                rng.uniform(1.4, 2.4),
                growth,
                kind,
                missed.get(unit),
                workshops.get(unit),
                LEADER_NAMES[index % len(LEADER_NAMES)],
            )
        )
    return stories


def _answers(
    questionnaire: Questionnaire,
    maturity: float,
    rng: random.Random,
    noise: float,
    bias: float = 0.0,
    comments: bool = True,
) -> list[Answer]:
    answers = []
    for dimension in questionnaire.dimensions:
        for item in dimension.items:
            if item.scored:
                if rng.random() < 0.04:
                    answers.append(Answer(item.id, dont_know=True))
                    continue
                value = maturity + DIMENSION_OFFSET.get(dimension.id, 0.0) + bias + rng.gauss(0, noise)
                level = int(min(5, max(1, round(value))))
                comment = rng.choice(COMMENTS[dimension.id]) if comments and rng.random() < 0.18 else None
                evidence = rng.choice(EVIDENCE) if comments and rng.random() < 0.12 else None
                answers.append(Answer(item.id, level=level, comment=comment, evidence=evidence))
            else:
                threshold = CHECKLIST_THRESHOLD.get(item.id, 3.0)
                answers.append(Answer(item.id, yes=maturity + bias + rng.gauss(0, 0.12) >= threshold))
    return answers


@dataclass
class _History:
    """The clinic's years as rows for the bulk loaders: each unit's assessment per cycle,
    alone or after a workshop, then its validation; plans follow once scores are known."""

    questionnaire: Questionnaire
    version: int
    rows: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    workshops: list[dict] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)  # (key, at, actor, action, before, after)
    made: list[tuple] = field(default_factory=list)  # (story, label, cycle_id, day, current, key)

    def assess(self, story: UnitStory, index: int, label: str, cycle_id: int, rng: random.Random) -> None:
        """One unit's assessment in one cycle: alone or as a workshop, then its validation."""
        current = label == CURRENT_CYCLE
        start, _ = cycle_dates(label)
        leader = _leader_id(story.unit_id)
        maturity = story.maturity(index)
        # the current cycle is under way: its work happened between October and mid-November
        day = start + dt.timedelta(days=rng.randint(30, 75) if current else rng.randint(60, 200))
        moment = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)))
        workshop = story.workshop_from is not None and label >= story.workshop_from
        progress = rng.random() if current else 1.0
        if current and progress < 0.4:
            return  # not started yet this cycle
        key = (story.unit_id, cycle_id, leader)
        if workshop:
            # the team rated privately on their phones, the leader revealed the distribution,
            # and they agreed: only the agreed answers and the anonymous distribution are kept
            participants = rng.randint(3, 6)
            ratings = [
                _answers(
                    self.questionnaire, maturity, rng, noise=0.6, bias=rng.gauss(0, 0.35), comments=False
                )
                for _ in range(participants)
            ]
            answers = _agreed(ratings, self.questionnaire)
            joined = [moment - dt.timedelta(minutes=40 - n) for n in range(participants)]
            self.workshops.append(
                {
                    "key": key,
                    "unit_id": story.unit_id,
                    "cycle_id": cycle_id,
                    "questionnaire_version_id": self.version,
                    "created_by": leader,
                    "created_at": moment - dt.timedelta(minutes=45),
                    "revealed_at": moment - dt.timedelta(minutes=10),
                    "closed_at": None if current and progress < 0.7 else moment,
                    "expected": participants,
                    "participants": [(j, j + dt.timedelta(minutes=20)) for j in joined],
                    "counts": {
                        item.id: count(answer_key(r[n].level, r[n].yes, r[n].dont_know) for r in ratings)
                        for n, item in enumerate(self.questionnaire.items())
                    },
                }
            )
        else:
            answers = _answers(self.questionnaire, maturity, rng, noise=0.45)
        if current and progress < 0.7:
            answers, status = answers[: int(len(answers) * progress)], "draft"  # part way through
        else:
            status = "submitted"
        row = {
            "unit_id": story.unit_id,
            "cycle_id": cycle_id,
            "questionnaire_version_id": self.version,
            "respondent": leader,
            "role": "enhetsleder",
            "mode": "consensus",
            "status": status,
            "status_comment": None,
            "created_by": leader,
            "created_at": moment,
            "updated_at": moment,
            "submitted_at": moment if status == "submitted" else None,
            "validated_at": None,
            "row_version": 2 if status == "draft" else 3,
        }
        self.events.append((key, moment, leader, "create", None, {"status": "draft"}))
        self.events.append((key, moment, leader, "answer", None, {"answers": len(answers)}))
        if status == "submitted":
            self.events.append((key, moment, leader, "submit", {"status": "draft"}, {"status": "submitted"}))
            self.made.append((story, label, cycle_id, day, current, key))
        if status == "submitted" and not current:
            checked = moment + dt.timedelta(days=rng.randint(10, 40))
            if story.unit_id == "observasjonspost" and label == "2024/2025":
                comment = "Kommentarene mangler for måling; legg ved måleplanen."
                self.events.append(
                    (
                        key,
                        checked,
                        "kvalitetsradgiver",
                        "return",
                        {"status": "submitted"},
                        {"status": "returned", "comment": comment},
                    )
                )
                answers = [
                    Answer(
                        a.item_id,
                        a.level,
                        a.yes,
                        a.dont_know,
                        a.comment or "Se måleplan.",
                        a.evidence or "Måleplan",
                    )
                    if a.item_id.startswith("MO")
                    else a
                    for a in answers
                ]
                self.events.append(
                    (key, checked, leader, "submit", {"status": "returned"}, {"status": "submitted"})
                )
                row["row_version"] += 3
            if rng.random() < 0.85:
                row |= {"status": "validated", "validated_at": checked, "updated_at": checked}
                row["row_version"] += 1
                self.events.append(
                    (
                        key,
                        checked,
                        "kvalitetsradgiver",
                        "validate",
                        {"status": "submitted"},
                        {"status": "validated"},
                    )
                )
        self.rows.append(row)
        self.answers += [
            {
                "key": key,
                "item_id": a.item_id,
                "level": a.level,
                "yes": a.yes,
                "dont_know": bool(a.dont_know),
                "comment": a.comment,
                "evidence": a.evidence,
                "updated_by": leader,
                "updated_at": moment,
            }
            for a in answers
        ]

    def entries(self, ids: dict[tuple, int]) -> list[dict]:
        """The assessments' audit entries, now that they have ids."""
        return [
            {
                "at": at,
                "actor": actor,
                "action": action,
                "entity": "assessment",
                "entity_id": ids[key],
                "before": before,
                "after": after,
            }
            for key, at, actor, action, before, after in self.events
        ]

    def plans(
        self, scores: dict[int, dict[str, float]], ids: dict[tuple, int], rng: random.Random
    ) -> tuple[list[dict], list[dict]]:
        """Action items for each sent-in assessment's two weakest dimensions; targets set in
        the second cycle."""
        actions, targets = [], []
        for story, label, cycle_id, day, current, key in self.made:
            found = scores.get(ids[key], {})
            dims = {d: v for d, v in found.items() if d in DIMENSION_OFFSET and v is not None}
            weakest = sorted(dims, key=dims.get)[:2]
            moment = dt.datetime.combine(day, dt.time(11, 0))
            leader = _leader_id(story.unit_id)
            for dimension in weakest:
                status = (
                    rng.choice(["planned", "in_progress"])
                    if current
                    else rng.choices(["done", "dropped", "in_progress"], [0.75, 0.1, 0.15])[0]
                )
                actions.append(
                    {
                        "unit_id": story.unit_id,
                        "cycle_id": cycle_id,
                        "dimension_id": dimension,
                        "what": rng.choice(ACTIONS[dimension]),
                        "who": story.leader
                        if rng.random() < 0.5
                        else rng.choice(["Fagutviklingssykepleier", "Forbedringsagent", "Enhetsleder"]),
                        "due_on": day + dt.timedelta(days=rng.randint(60, 180)),
                        "status": status,
                        "created_by": leader,
                        "created_at": moment,
                        "updated_at": moment,
                        "row_version": 1,
                    }
                )
            if label == "2023/2024":
                overall = found.get("overall")
                wanted = [("overall", 3.5 if (overall or 2) < 3 else 4.0, overall)]
                if weakest:
                    wanted.append((weakest[0], 3.0, dims[weakest[0]]))
                targets += [
                    {
                        "unit_id": story.unit_id,
                        "dimension_id": d,
                        "target_level": level,
                        "baseline": baseline,
                        "target_cycle_id": None,
                        "set_by": leader,
                        "set_at": moment,
                    }
                    for d, level, baseline in wanted
                ]
        return actions, targets


def _scores_by_assessment(connection: Connection) -> dict[int, dict[str, float]]:
    """Each stored assessment's scores by dimension (and overall), for the plans."""
    found: dict[int, dict[str, float]] = {}
    for row in connection.execute(select(assessment_score)).all():
        found.setdefault(row.assessment_id, {})[row.dimension_id] = row.score
    return found


def _agreed(ratings: list[list[Answer]], questionnaire: Questionnaire) -> list[Answer]:
    """The team's agreed answers after discussion: near the middle of the private ratings."""
    agreed = []
    for position, item in enumerate(questionnaire.items()):
        given = [r[position] for r in ratings]
        if item.scored:
            levels = [a.level for a in given if a.level is not None]
            level = round(float(np.median(levels))) if levels else None
            agreed.append(
                Answer(
                    item.id,
                    level=level,
                    dont_know=level is None,
                    comment="Drøftet i arbeidsmøtet." if levels and max(levels) - min(levels) >= 2 else None,
                )
            )
        else:
            yes = sum(bool(a.yes) for a in given) * 2 >= len(given)
            agreed.append(Answer(item.id, yes=yes))
    return agreed


# Benchmark tiers ----------------------------------------------------------------------

TIERS = {"clinic": 25, "region": 2_000, "national": 20_000}


def tier_org(units: int) -> list[UnitSpec]:
    """A synthetic tree with `units` units: trusts of 200 units, 8 clinics, 5 sections, 5 units."""
    specs = [
        UnitSpec("root", "helseforetak", "Alle helseforetak (syntetisk)", "All trusts (synthetic)", None)
    ]
    made = 0
    trust = 0
    while made < units:
        trust_id = f"hf-{trust:03d}"
        specs.append(
            UnitSpec(trust_id, "helseforetak", f"Helseforetak {trust + 1}", f"Trust {trust + 1}", "root")
        )
        for c in range(8):
            clinic_id = f"{trust_id}-k{c}"
            specs.append(UnitSpec(clinic_id, "klinikk", f"Klinikk {c + 1}", f"Clinic {c + 1}", trust_id))
            for s in range(5):
                section_id = f"{clinic_id}-s{s}"
                specs.append(
                    UnitSpec(section_id, "seksjon", f"Seksjon {s + 1}", f"Section {s + 1}", clinic_id)
                )
                for e in range(5):
                    if made >= units:
                        break
                    specs.append(
                        UnitSpec(
                            f"{section_id}-e{e}", "enhet", f"Enhet {made + 1}", f"Unit {made + 1}", section_id
                        )
                    )
                    made += 1
        trust += 1
    return specs


def load_tier(engine: Engine, units: int, seed: int = SEED) -> None:
    """A tier for benchmarks: org tree, six cycles and stored results (no raw answers).

    The results are computed by `scoring` from generated answers, 5 respondents per unit
    and cycle; a consensus assessment per unit and cycle records who submitted.
    """
    migrate(engine)
    load_definitions(engine, SYSTEM)
    specs = tier_org(units)
    with audit.clock(dt.datetime(2021, 8, 1)):
        with writing(engine) as connection:
            moment = audit.now()
            load_units(connection, specs, dt.date(2020, 1, 1), moment)
            audit.record(
                connection, SYSTEM.user_id, "load", "org_unit", f"tier:{units}", None, {"units": len(specs)}
            )
        for label in TIER_CYCLES:
            create_cycle(engine, SYSTEM, label, *cycle_dates(label))
    leaves = [s.id for s in specs if s.kind == "enhet"]
    with reading(engine) as connection:
        version = current_questionnaire_version(connection)
        questionnaire = questionnaire_of(connection, version)
        roadmap = roadmap_for(connection, version)
        cycle_ids = dict(connection.execute(select(cycle.c.label, cycle.c.id)).all())
    for chunk_start in range(0, len(leaves), 2_000):
        chunk = leaves[chunk_start : chunk_start + 2_000]
        answers = generate_answers(questionnaire, chunk, TIER_CYCLES, seed=seed + chunk_start)
        result = score(questionnaire, answers, roadmap)
        rows = result_rows(result, {u: u for u in chunk}, cycle_ids, version, "submitted")
        moment = audit.now()
        with writing(engine) as connection:
            load_results(
                connection,
                rows,
                [
                    {
                        "unit_id": u,
                        "cycle_id": cycle_ids[c],
                        "questionnaire_version_id": version,
                        "respondent": f"leder-{u}",
                        "role": "enhetsleder",
                        "mode": "consensus",
                        "status": "submitted",
                        "created_by": "system",
                        "created_at": moment,
                        "updated_at": moment,
                        "submitted_at": moment,
                        "row_version": 1,
                    }
                    for u in chunk
                    for c in TIER_CYCLES
                ],
            )
    with writing(engine) as connection:
        rollup.rebuild(connection)
        tier = next((name for name, size in TIERS.items() if size == units), str(units))
        set_setting(connection, "demo", tier)
        set_setting(connection, "initialised", audit.now().isoformat())
        audit.record(connection, SYSTEM.user_id, "load", "tier", tier, None, {"units": units})


def generate_answers(
    questionnaire: Questionnaire, units: list[str], cycles: list[str], respondents: int = 5, seed: int = SEED
) -> pd.DataFrame:
    """An answer frame: each unit climbs over the cycles, respondents scatter around it."""
    rng = np.random.default_rng(seed)
    items = questionnaire.items()
    shape = (len(units), len(cycles), respondents, len(items))
    base = rng.uniform(1.0, 3.2, size=(len(units), 1, 1, 1)) + rng.uniform(
        0.0, 0.5, size=(len(units), 1, 1, 1)
    ) * np.arange(len(cycles)).reshape(1, -1, 1, 1)
    offsets = np.array([DIMENSION_OFFSET.get(questionnaire.dimension_of(i.id).id, 0.0) for i in items])  # type: ignore[union-attr]
    level = np.clip(np.rint(base + offsets + rng.normal(0.0, 0.6, size=shape)), 1, 5)
    thresholds = np.array([CHECKLIST_THRESHOLD.get(i.id, 3.0) for i in items])
    yes = (base + rng.normal(0.0, 0.4, size=shape) >= thresholds).astype("float64")
    scored = np.array([i.scored for i in items])
    value = np.where(scored, level, yes)
    value[rng.uniform(size=shape) < 0.04] = np.nan

    def codes(axis: int) -> np.ndarray:
        return np.broadcast_to(np.indices(shape, sparse=True)[axis], shape).ravel()

    return pd.DataFrame(
        {
            "unit": pd.Categorical.from_codes(codes(0), units),
            "cycle": pd.Categorical.from_codes(codes(1), cycles),
            "respondent": pd.Categorical.from_codes(codes(2), [f"r{i + 1}" for i in range(respondents)]),
            "item": pd.Categorical.from_codes(codes(3), [i.id for i in items]),
            "value": value.ravel(),
        }
    )
