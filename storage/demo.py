"""Deterministic demo data: a fictional clinic with a believable improvement story, and the
region and national tiers for benchmarks.

The clinic (data/org.yaml: three sections, 25 units) is assessed in 2022/2023-2025/2026
and is part way through 2026/2027. Most units climb, three stall, one slips back after a
change of leader, a few miss a year, and some hold team workshops with several
participants. Everything is written through the services with a frozen clock, so the
audit log, statuses, scores and roadmap stages are those a real history would leave.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from scoring.engine import score
from scoring.models import Questionnaire
from storage import audit, rollup
from storage.access import SYSTEM, Actor, Grant, actor_for, load_access_yaml, upsert_user
from storage.assessments import (
    Answer,
    get_assessment,
    result_rows,
    return_assessment,
    save_answers,
    start_assessment,
    submit_assessment,
    validate_assessment,
)
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
    set_setting,
)
from storage.org import UnitSpec, load_org_yaml
from storage.planning import add_action_item, set_target
from storage.tables import assessment, cycle, org_unit, org_unit_version, setting, unit_result
from storage.workshops import join, reveal, save_ratings, start_workshop, submit_rating

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
    """The fictional clinic's four years and the current cycle, through the services."""
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
        stories = _stories(list(units), rng)
        for story in stories:
            upsert_user(
                engine, SYSTEM, _leader_id(story.unit_id), story.leader, [Grant("leader", story.unit_id)]
            )
    advisor = actor_for(engine, "kvalitetsradgiver")
    for index, label in enumerate(CLINIC_CYCLES):
        current = label == CURRENT_CYCLE
        for story in stories:
            if story.missed == label:
                continue
            _assess(engine, story, index, label, cycle_ids[label], advisor, rng, current)
        if not current:
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


def _assess(
    engine: Engine,
    story: UnitStory,
    index: int,
    label: str,
    cycle_id: int,
    advisor: Actor,
    rng: random.Random,
    current: bool,
) -> None:
    """One unit's assessment in one cycle: alone or as a workshop, then plans and validation."""
    start, _ = cycle_dates(label)
    leader = actor_for(engine, _leader_id(story.unit_id))
    maturity = story.maturity(index)
    # the current cycle is under way: its work happened between October and mid-November
    day = start + dt.timedelta(days=rng.randint(30, 75) if current else rng.randint(60, 200))
    moment = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)))
    with audit.clock(moment):
        questionnaire = _questionnaire(engine)
        workshop = story.workshop_from is not None and label >= story.workshop_from
        progress = rng.random() if current else 1.0
        if current and progress < 0.4:
            return  # not started yet this cycle
        if workshop:
            # the team rates privately on their phones, the leader reveals the distribution,
            # and they agree: only the agreed answers and the anonymous distribution are kept
            participants = rng.randint(3, 6)
            opened = start_workshop(engine, leader, story.unit_id, cycle_id, expected=participants)
            ratings = []
            for _ in range(participants):
                secret, _ = join(engine, opened.token or "")
                rating = _answers(
                    questionnaire, maturity, rng, noise=0.6, bias=rng.gauss(0, 0.35), comments=False
                )
                save_ratings(engine, opened.token or "", secret, rating)
                submit_rating(engine, opened.token or "", secret)
                ratings.append(rating)
            reveal(engine, leader, opened.id)
            answers = _agreed(ratings, questionnaire)
        else:
            answers = _answers(questionnaire, maturity, rng, noise=0.45)
        assessment_id = start_assessment(
            engine, leader, story.unit_id, cycle_id, "consensus", leader.user_id, "enhetsleder"
        )
        if current and progress < 0.7:
            save_answers(engine, leader, assessment_id, 1, answers[: int(len(answers) * progress)])
            return  # a draft, part way through
        version = save_answers(engine, leader, assessment_id, 1, answers)
        version = submit_assessment(engine, leader, assessment_id, version)
    _plan(engine, story, leader, label, cycle_id, day, rng, current)
    if current:
        return
    with audit.clock(moment + dt.timedelta(days=rng.randint(10, 40))):
        if story.unit_id == "observasjonspost" and label == "2024/2025":
            version = return_assessment(
                engine,
                advisor,
                assessment_id,
                version,
                "Kommentarene mangler for måling; legg ved måleplanen.",
            )
            view = get_assessment(engine, leader, assessment_id)
            version = save_answers(
                engine,
                leader,
                assessment_id,
                version,
                [
                    Answer(
                        a.item_id,
                        a.level,
                        a.yes,
                        a.dont_know,
                        a.comment or "Se måleplan.",
                        a.evidence or "Måleplan",
                    )
                    for a in view.answers.values()
                    if a.item_id.startswith("MO")
                ],
            )
            version = submit_assessment(engine, leader, assessment_id, version)
        if rng.random() < 0.85:
            validate_assessment(engine, advisor, assessment_id, version)


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


def _plan(
    engine: Engine,
    story: UnitStory,
    leader: Actor,
    label: str,
    cycle_id: int,
    day: dt.date,
    rng: random.Random,
    current: bool,
) -> None:
    """Action items for the two weakest dimensions; a target set in the second cycle."""
    with reading(engine) as connection:
        rows = connection.execute(
            select(unit_result.c.dimension_id, unit_result.c.score).where(
                unit_result.c.unit_id == story.unit_id, unit_result.c.cycle_id == cycle_id
            )
        ).all()
    scores = {
        r.dimension_id: r.score for r in rows if r.dimension_id in DIMENSION_OFFSET and r.score is not None
    }
    weakest = sorted(scores, key=scores.get)[:2]
    for dimension in weakest:
        status = (
            rng.choice(["planned", "in_progress"])
            if current
            else rng.choices(["done", "dropped", "in_progress"], [0.75, 0.1, 0.15])[0]
        )
        add_action_item(
            engine,
            leader,
            story.unit_id,
            cycle_id,
            rng.choice(ACTIONS[dimension]),
            who=story.leader
            if rng.random() < 0.5
            else rng.choice(["Fagutviklingssykepleier", "Forbedringsagent", "Enhetsleder"]),
            due_on=day + dt.timedelta(days=rng.randint(60, 180)),
            dimension_id=dimension,
            status=status,
        )
    if label == "2023/2024":
        overall = next((r.score for r in rows if r.dimension_id == "overall"), None)
        set_target(engine, leader, story.unit_id, "overall", 3.5 if (overall or 2) < 3 else 4.0)
        if weakest:
            set_target(engine, leader, story.unit_id, weakest[0], 3.0)


def _questionnaire(engine: Engine) -> Questionnaire:
    with reading(engine) as connection:
        return questionnaire_of(connection, current_questionnaire_version(connection))


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
            connection.execute(
                insert(org_unit), [{"id": s.id, "kind": s.kind, "created_at": moment} for s in specs]
            )
            connection.execute(
                insert(org_unit_version),
                [
                    {
                        "unit_id": s.id,
                        "parent_id": s.parent_id,
                        "name_nb": s.name_nb,
                        "name_en": s.name_en,
                        "valid_from": dt.date(2020, 1, 1),
                        "valid_to": None,
                        "change": "created",
                    }
                    for s in specs
                ],
            )
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
            connection.execute(insert(unit_result), rows)
            connection.execute(
                insert(assessment),
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
