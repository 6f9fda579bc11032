"""Two app processes against one PostgreSQL: a submission made through one shows in the
other's overview on its next rerun (cached reads are keyed on the data version)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import ROOT, fresh_database, make_clinic

# One long-lived app process: on each line "run" it reruns the overview and prints what
# the completion table says for section s1.
OVERVIEW = textwrap.dedent(
    """
    import json, sys
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    at.session_state["user_id"] = "manager-k"
    at.run()
    at.switch_page("app_pages/overview.py").run()
    at.session_state["dash_section_overview"] = "completion"  # the tab "Innsending", with the table
    for line in sys.stdin:
        at.run()
        assert not at.exception, at.exception
        table = at.dataframe[-1].value.set_index("Enhet")
        figures = [e for e in at.get("bidi_component") if e.proto.component_name == "maturity_figures"]
        print(json.dumps({"submitted": int(table.loc["Seksjon 1", "Sendt inn"]),
                          "rests_on": [json.loads(e.proto.json)[0]["rests_on"] for e in figures]}),
              flush=True)
    """
)


def test_submission_in_one_process_shows_in_the_other(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        from storage.db import make_engine, migrate

        engine = make_engine(url)
        migrate(engine)
        clinic = make_clinic(engine)
        env = {**os.environ, "MATURITY_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        viewer = subprocess.Popen(
            [sys.executable, "-c", OVERVIEW, str(ROOT / "app.py")],
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            viewer.stdin.write("run\n")  # type: ignore[union-attr]
            viewer.stdin.flush()  # type: ignore[union-attr]
            before = json.loads(viewer.stdout.readline() or viewer.stderr.read())  # type: ignore[union-attr]
            assert before["submitted"] == 0

            submitter = subprocess.run(
                [sys.executable, "-c", SUBMIT_FORM, str(ROOT / "app.py")],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert submitter.returncode == 0, submitter.stderr
            assert submitter.stdout.strip() == "submitted"

            viewer.stdin.write("run\n")  # type: ignore[union-attr]
            viewer.stdin.flush()  # type: ignore[union-attr]
            after = json.loads(viewer.stdout.readline() or viewer.stderr.read())  # type: ignore[union-attr]
            assert after["submitted"] == 1
            assert after["rests_on"] == ["Bygger på 1 enhet og 1 svar."]
        finally:
            viewer.kill()
            viewer.wait()
            engine.dispose()
        assert clinic.cycle_id == 1


# The other app process: a leader answers every question through the form and submits.
SUBMIT_FORM = textwrap.dedent(
    """
    import json
    import sys
    from streamlit.testing.v1 import AppTest
    from storage.assessments import find_assessment
    from storage.access import actor_for
    from storage.db import make_engine, reading
    from storage.definitions import current_questionnaire_version, questionnaire_of
    engine = make_engine()
    with reading(engine) as connection:
        questionnaire = questionnaire_of(connection, current_questionnaire_version(connection))
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    at.session_state["user_id"] = "leader-a"
    at.run()
    at.switch_page("app_pages/assess.py").run()
    next(b for b in at.button if b.label.startswith("Start")).click().run()
    aid = find_assessment(engine, actor_for(engine, "leader-a"), "a", 1, "leader-a")
    for step, dimension in enumerate(questionnaire.dimensions):
        at.session_state[f"step_a{aid}"] = step
        at.run()
        drawn = next(e for e in at.get("bidi_component") if e.proto.component_name == "maturity_sheet")
        key = json.loads(drawn.proto.json)[0]["key"]  # the step's element, as its JavaScript sends it
        at.session_state[key] = {"choices": {i.id: 3 if i.scored else "yes" for i in dimension.items}}
        at.run()
    next(b for b in at.button if b.label == "Se over og send inn").click().run()
    next(b for b in at.button if b.label == "Send inn").click().run()
    assert not at.exception, at.exception
    print("submitted" if at.title[0].value == "Resultat og tiltak" else "not submitted")
    """
)
