"""Shared fixtures: a small questionnaire and roadmap whose results are easy to work out."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONNAIRE = ROOT / "questionnaires" / "ledelse-og-kvalitetsforbedring.yaml"
DEFAULT_ROADMAP = ROOT / "questionnaires" / "forbedringsreisen.yaml"

# Every chart a page draws in a test is checked against the Vega-Lite schema (the app
# skips that check to save its cost on each new chart).
os.environ.setdefault("MATURITY_VALIDATE_CHARTS", "1")


def anchors(levels: int = 5, indent: int = 0) -> str:
    return "\n".join(f"{' ' * indent}{n}: level {n}" for n in range(1, levels + 1))


def small_questionnaire(method: str = "mean", min_coverage: float = 0.5) -> str:
    """Dimension a (weight 2): A1, A2, A3 (weight 2); dimension b: B1, B2 and yes/no Y1, Y2."""
    a = anchors(indent=10)
    return textwrap.dedent(
        """\
        id: small
        version: "1"
        title: {{nb: Lite skjema, en: Small form}}
        scale:
          - {{level: 1, key: l1, label: One}}
          - {{level: 2, key: l2, label: Two}}
          - {{level: 3, key: l3, label: Three}}
          - {{level: 4, key: l4, label: Four}}
          - {{level: 5, key: l5, label: Five}}
        scoring:
          method: {method}
          min_coverage: {min_coverage}
        dimensions:
          - id: a
            label: A
            weight: 2
            items:
              - id: A1
                text: first
                anchors:
        {a}
              - id: A2
                text: second
                anchors:
        {a}
              - id: A3
                text: third
                weight: 2
                anchors:
        {a}
          - id: b
            label: B
            items:
              - id: B1
                text: fourth
                anchors:
        {a}
              - id: B2
                text: fifth
                anchors:
        {a}
              - id: Y1
                type: yesno
                text: checklist one
              - id: Y2
                type: yesno
                text: checklist two
        """
    ).format(method=method, min_coverage=min_coverage, a=a)


SMALL_ROADMAP = textwrap.dedent(
    """\
    id: small-road
    questionnaire: small
    title: Small road
    stages:
      - id: "1.0"
        key: one
        label: One
        period: "2022/2023"
        criteria:
          - item: Y1
          - dimension: a
            min_level: 2
      - id: "2.0"
        key: two
        label: Two
        period: "2023/2024"
        criteria:
          - item: A1
            min_level: 3
          - item: Y2
          - dimension: b
            min_level: 3
          - dimension: a
            min_level: 3
          - item: B2
            min_level: 4
      - id: "3.0"
        key: three
        label: Three
        period: "2024/2025"
        criteria:
          - dimension: b
            min_level: 4
          - item: B1
            min_level: 5
    """
)


@pytest.fixture
def write(tmp_path: Path):
    """Write `text` to a file named `name` in a fresh folder and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


# Databases ----------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("MATURITY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    """Skip without PostgreSQL on a developer's machine; in CI its absence is a failure."""
    if postgres_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI and not reachable at {POSTGRES_URL}")
    pytest.skip("PostgreSQL is not running")


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[sqlalchemy.Engine]:
    """A migrated, empty database on SQLite and on PostgreSQL."""
    from storage.db import make_engine, migrate

    made = make_engine(database_url)
    migrate(made)
    yield made
    made.dispose()


SMALL_ORG = textwrap.dedent(
    """\
    id: hf
    kind: helseforetak
    name: {nb: Testforetaket, en: Test trust}
    children:
      - id: k
        kind: klinikk
        name: {nb: Klinikken, en: The clinic}
        children:
          - id: s1
            kind: seksjon
            name: Seksjon 1
            children:
              - {id: a, kind: enhet, name: {nb: Post A, en: Ward A}}
              - {id: b, kind: enhet, name: {nb: Post B, en: Ward B}}
          - id: s2
            kind: seksjon
            name: Seksjon 2
            children:
              - {id: c, kind: enhet, name: {nb: Post C, en: Ward C}}
    """
)


@dataclasses.dataclass
class Clinic:
    """A small organisation ready for assessments, with one actor per role."""

    engine: sqlalchemy.Engine
    cycle_id: int
    questionnaire: object
    actors: dict[str, object]

    def actor(self, name: str):
        return self.actors[name]


def make_clinic(engine: sqlalchemy.Engine) -> Clinic:
    import datetime as dt

    from storage.access import actor_for, upsert_user
    from storage.actors import SYSTEM, Grant
    from storage.db import reading, writing
    from storage.definitions import (
        create_cycle,
        current_questionnaire_version,
        load_definitions,
        questionnaire_of,
    )
    from storage.org import parse_org_yaml, sync_org
    from storage.settings import set_setting

    load_definitions(engine, SYSTEM)
    sync_org(engine, SYSTEM, parse_org_yaml(SMALL_ORG), on=dt.date(2020, 1, 1))
    cycle_id = create_cycle(engine, SYSTEM, "2024/2025", dt.date(2024, 9, 1), dt.date(2025, 9, 1))
    users = {
        "admin": [Grant("admin")],
        "leader-a": [Grant("leader", "a")],
        "leader-c": [Grant("leader", "c")],
        "manager-s1": [Grant("management", "s1")],
        "manager-k": [Grant("management", "k")],
        "advisor": [Grant("advisor", "k")],
        "nobody": [],
    }
    for user, grants in users.items():
        upsert_user(engine, SYSTEM, user, user.title(), grants)
    with writing(engine) as connection:
        set_setting(connection, "initialised", "test")
        set_setting(connection, "demo", "test")  # invented people: local mode offers "sign in as"
    with reading(engine) as connection:
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
    return Clinic(engine, cycle_id, questionnaire, {u: actor_for(engine, u) for u in users})


@pytest.fixture
def clinic(engine: sqlalchemy.Engine) -> Clinic:
    return make_clinic(engine)


def action_trail(clinic: Clinic, item_id: int) -> list[tuple[str, str, dict | None, dict | None]]:
    """The audit entries of one action plan item: (actor, action, before, after), oldest first."""
    import json

    from sqlalchemy import select

    from storage.db import reading
    from storage.tables import audit_log

    with reading(clinic.engine) as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.entity == "action_item", audit_log.c.entity_id == str(item_id))
            .order_by(audit_log.c.id)
        ).all()
    return [(r.actor, r.action, json.loads(r.before or "null"), json.loads(r.after or "null")) for r in rows]


def in_threads(work: Callable[[int], None], count: int) -> list[BaseException]:
    """Run work(0) .. work(count - 1) at the same time; what each raised."""
    errors: list[BaseException] = []

    def guarded(number: int) -> None:
        try:
            work(number)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def full_answers(questionnaire, level: int = 3, yes: bool = True) -> list:
    """An answer to every item: `level` on scored items, `yes` on the checklist."""
    from storage.assessments import Answer

    return [
        Answer(item.id, level=level) if item.scored else Answer(item.id, yes=yes)
        for item in questionnaire.items()
    ]


# App tests ----------------------------------------------------------------------------

APP = str(ROOT / "app.py")


@pytest.fixture
def app_clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """The small clinic in a SQLite file that the app under test opens."""
    from storage.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("MATURITY_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    return make_clinic(engine)


def open_app(user: str, page: str | None = None) -> AppTest:
    """A new browser session: as after a reload, only the sign-in is kept."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def drawn(at: AppTest, component: str) -> list[dict]:
    """What each of the app's own components named `component` (views/web.py) on the page was
    given to draw, in page order."""
    return [
        json.loads(element.proto.json)[0]
        for element in at.get("bidi_component")
        if element.proto.component_name == f"maturity_{component}"
    ]


def menu_data(at: AppTest) -> dict:
    """What the sidebar's menu (views/menu.py) was given to draw."""
    (data,) = drawn(at, "menu")
    return data


def menu_titles(at: AppTest) -> list[str]:
    """The titles of the pages in the sidebar's menu, in order."""
    return [page["title"] for section in menu_data(at)["sections"] for page in section["pages"]]


def form_step(at: AppTest) -> dict:
    """What the form's step element (views/form.py, views/assets/sheet.js) was given to draw:
    its key, heading, progress and items (each with its options, "chosen" and fields)."""
    steps = drawn(at, "sheet")
    assert len(steps) == 1, f"{len(steps)} form steps on the page"
    return steps[0]


def picker_rows(at: AppTest) -> list[dict]:
    """What each row of pickers on the page (views/pickers.py, views/assets/pickers.js) was
    given to draw: its key, its breadcrumbs and its drop-down lists."""
    return drawn(at, "pickers")


def shown_choice(at: AppTest, label: str) -> dict:
    """The drop-down list labelled `label`: its options ([value, name]) and the value chosen."""
    found = [c for row in picker_rows(at) for c in row["choices"] if c["label"] == label]
    assert len(found) == 1, f"{len(found)} lists labelled {label!r}"
    return found[0]


def chosen_name(at: AppTest, label: str) -> str:
    """The name of the option chosen in the list labelled `label`."""
    choice = shown_choice(at, label)
    return dict(choice["options"])[choice["value"]]


def crumb_names(at: AppTest) -> list[str]:
    """The breadcrumbs' names, from the top down to where the page stands."""
    (trail,) = [row["crumbs"] for row in picker_rows(at) if row["crumbs"]]
    return [name for _, name in trail["steps"]]


def pick(at: AppTest, label: str, name: object) -> AppTest:
    """Choose the option named `name` (or whose value is `name`) in the list labelled `label`
    (with label "crumbs", the breadcrumb), as a click in the browser does: the row's state
    names the choice; the page acts on it when it runs."""
    for row in picker_rows(at):
        if label == "crumbs" and row["crumbs"]:
            wanted, values = row["crumbs"]["name"], {n: v for v, n in row["crumbs"]["steps"]}
        else:
            choice = next((c for c in row["choices"] if c["label"] == label), None)
            if choice is None:
                continue
            wanted, values = choice["name"], {n: v for v, n in choice["options"]}
        values |= {v: v for v in values.values()}
        name = str(name)
        assert name in values, f"no {name!r} in {label!r}: {list(values)}"
        try:
            before = dict(at.session_state[row["key"]])
        except KeyError:
            before = {}
        picks = dict((before.get("chosen") or {}).get("picks") or {})
        chosen = {"nonce": uuid.uuid4().hex, "picks": {**picks, wanted: values[name]}}
        at.session_state[row["key"]] = {"chosen": chosen}
        at.run()
        assert not at.exception, at.exception
        return at
    raise AssertionError(f"no list labelled {label!r} on the page")


def shown_item(at: AppTest, item_id: str) -> dict:
    """One question as the form's step element shows it."""
    return next(item for item in form_step(at)["items"] if item["id"] == item_id)


def shown_field(at: AppTest, item_id: str, name: str) -> str | None:
    """The text in an item's "comment" or "evidence" field; None when the form has no such field."""
    return next((f["value"] for f in shown_item(at, item_id)["fields"] if f["name"] == name), None)


def _send(at: AppTest, what: str, item_id: str, value: object) -> AppTest:
    """Set the step element's state as its JavaScript does (the whole step's "choices" or
    "texts"), and run. In a browser the change reruns only the step's fragment, whose callback
    saves; AppTest reruns the page, whose catch-up saves the same way."""
    key = form_step(at)["key"]
    try:
        state = dict(at.session_state[key])
    except KeyError:
        state = {}
    at.session_state[key] = {**state, what: {**(state.get(what) or {}), item_id: value}}
    at.run()
    assert not at.exception, at.exception
    return at


def choose(at: AppTest, item_id: str, value: object) -> AppTest:
    """Pick an answer (a level, "yes", "no" or "dk") for an item of the step on screen."""
    return _send(at, "choices", item_id, value)


def type_text(at: AppTest, item_id: str, name: str, text: str) -> AppTest:
    """Type a text into an item's "comment" or "evidence" field and leave it."""
    key = form_step(at)["key"]
    try:
        texts = dict(at.session_state[key].get("texts") or {})
    except KeyError:
        texts = {}
    return _send(at, "texts", item_id, {**(texts.get(item_id) or {}), name: text})


def answer_everything(at: AppTest, questionnaire, key: str, level: int, yes: str) -> AppTest:
    """Answer every item of the form `key` (e.g. "a12"), dimension by dimension: `level` on
    the scored ones, `yes` ("yes" or "no") on the checklist."""
    for step, dimension in enumerate(questionnaire.dimensions):
        at.session_state[f"step_{key}"] = step
        at.run()
        for item in dimension.items:
            choose(at, item.id, level if item.scored else yes)
    return at


def send_in(at: AppTest) -> AppTest:
    """Open the confirmation and send in."""
    button(at, "Se over og send inn").click().run()
    assert not at.exception, at.exception
    button(at, "Send inn").click().run()
    assert not at.exception, at.exception
    return at


def key_figures(at: AppTest) -> dict[str, str]:
    """The key figures on the page (views/dash.key_figures), label to value, and what they
    rest on under "rests_on"."""
    figures: dict[str, str] = {}
    for data in drawn(at, "figures"):
        figures |= {f["label"]: f["value"] for f in data["figures"]} | {"rests_on": data["rests_on"]}
    return figures


def light_charts(at: AppTest) -> list[dict]:
    """What each light chart on the page (views/plots) was given to draw."""
    return drawn(at, "chart")


def heatmaps(at: AppTest) -> list[dict]:
    """What each heatmap on the page was given to draw (views/heatmap.table_data): its rows
    with their names and cells, its columns and legend."""
    return drawn(at, "heatmap")
