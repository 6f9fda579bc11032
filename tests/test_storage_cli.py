"""`python -m storage`: set up, import with a preview, export, backup and restore."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from storage.cli import main
from storage.db import make_engine, reading
from storage.tables import answer, assessment, unit_result

from .conftest import ROOT, fresh_database

ANSWERS = "unit,cycle,respondent,item,answer,comment\n" + "".join(
    f"{unit},{{cycle}},r1,{item},{level},{comment}\n"
    for unit, item, level, comment in (
        ("post-gastro", "LA1", 3, "=cmd|' /C calc'!A0"),
        ("post-gastro", "LA2", 4, ""),
        ("post-hjerte", "LA1", 2, ""),
        ("post-hjerte", "LA2", 2, ""),
    )
)


def count(url: str, table) -> int:
    engine = make_engine(url)
    with reading(engine) as connection:
        value = connection.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return int(value)


def test_empty_start_import_export_backup_restore(database_url: str, tmp_path: Path, capsys) -> None:
    assert main(["--database", database_url, "init", "--empty"]) == 0
    assert "database ready (empty)" in capsys.readouterr().out
    engine = make_engine(database_url)
    with reading(engine) as connection:
        cycle = connection.execute(select(func.max(assessment.c.cycle_id))).scalar()
        from storage.tables import cycle as cycle_table

        label = connection.execute(select(cycle_table.c.label)).scalar_one()
    engine.dispose()
    assert cycle is None and count(database_url, answer) == 0

    file = tmp_path / "answers.csv"
    file.write_text(ANSWERS.format(cycle=label), encoding="utf-8")
    assert main(["--database", database_url, "import", str(file)]) == 0
    assert (
        "would create 2 and replace 0 assessment(s) with 4 answers for 2 unit(s)" in capsys.readouterr().out
    )
    assert count(database_url, assessment) == 0  # a preview writes nothing

    bad = tmp_path / "bad.csv"
    bad.write_text(ANSWERS.format(cycle=label).replace("post-hjerte,", "post-ukjent,", 1), encoding="utf-8")
    assert main(["--database", database_url, "import", str(bad), "--apply"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: unknown unit 'post-ukjent' (not in the organisation)" in err

    latin = tmp_path / "latin.csv"  # saved by an older tool in latin-1
    latin.write_bytes(
        ANSWERS.format(cycle=label).replace("post-hjerte,", "post-hjerte-ø,", 1).encode("latin-1")
    )
    assert main(["--database", database_url, "import", str(latin), "--apply"]) == 1
    err = capsys.readouterr().err
    assert f"{latin}:4: the file is not UTF-8 (byte 0xf8 on this line)" in err and "Traceback" not in err
    assert "nothing was changed" in err
    assert count(database_url, assessment) == 0

    assert main(["--database", database_url, "import", str(file), "--apply"]) == 0
    assert count(database_url, assessment) == 2 and count(database_url, answer) == 4
    assert count(database_url, unit_result) == 2 * 7

    xlsx = tmp_path / "results.xlsx"
    assert main(["--database", database_url, "export", "--out", str(xlsx)]) == 0
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["unit", "name", "cycle", "dimension"] and sheet.max_row == 15
    csv = tmp_path / "results.csv"
    assert main(["--database", database_url, "export", "--out", str(csv), "--cycle", label]) == 0
    exported = pd.read_csv(io.BytesIO(csv.read_bytes()), encoding="utf-8-sig")
    assert set(exported["unit"]) == {"post-gastro", "post-hjerte"}

    backup = tmp_path / "backup.jsonl.gz"
    assert main(["--database", database_url, "backup", str(backup)]) == 0
    capsys.readouterr()
    with fresh_database("sqlite", tmp_path / "restored") as target:
        (tmp_path / "restored").mkdir(exist_ok=True)
        assert main(["--database", target, "restore", str(backup)]) == 0
        assert count(target, answer) == 4 and count(target, unit_result) == 14
        assert main(["--database", target, "restore", str(backup)]) == 1
        assert "restore only into an empty database" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["load-org", "load-access"])
def test_a_file_in_another_encoding_is_refused_with_its_name(command: str, tmp_path: Path, capsys) -> None:
    """An org.yaml or access.yaml saved as latin-1 (as older Windows editors do) is a
    message that names the file and the line of the first byte that is not UTF-8, not a
    UnicodeDecodeError traceback; nothing is changed."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["--database", url, "init", "--empty"]) == 0
    capsys.readouterr()
    file = tmp_path / "latin1.yaml"
    text = "units:\n  - id: klinikk\n    kind: klinikk\n    name: Klinikk for psykisk helsevern – Ø\n"
    file.write_bytes(text.encode("latin-1", "replace"))
    assert main(["--database", url, command, str(file)]) == 1
    err = capsys.readouterr().err
    assert f"{file}:4: the file is not UTF-8 (byte 0xd8 on this line)" in err
    assert "nothing was changed" in err and "Traceback" not in err


def test_a_year_rolls_over_from_the_command_line(database_url: str, tmp_path: Path, capsys) -> None:
    """Next year's cycle in one step, the year before closed, targets for a whole clinic and
    one unit, a questionnaire version installed: each with its audit entry; a target on a
    dimension the questionnaire lacks is refused and changes nothing."""
    from storage.tables import audit_log, cycle, setting, target

    def run(*args: str) -> tuple[int, str]:
        code = main(["--database", database_url, *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    def audited(engine, after: int) -> dict[tuple[str, str], int]:
        with reading(engine) as connection:
            rows = connection.execute(
                select(audit_log.c.action, audit_log.c.entity, func.count())
                .where(audit_log.c.id > after)
                .group_by(audit_log.c.action, audit_log.c.entity)
            ).all()
        return {(action, entity): n for action, entity, n in rows}

    assert run("init")[0] == 0
    engine = make_engine(database_url)
    with reading(engine) as connection:
        before = connection.execute(select(func.max(audit_log.c.id))).scalar_one()
    assert run("cycle", "next") == (0, "cycle 2027/2028 added, open\n")
    assert run("cycle", "close", "2026/2027") == (0, "cycle 2026/2027 closed\n")
    assert run("cycle", "close", "1999/2000")[0] == 1
    code, out = run("target", "--subtree", "medisinsk-klinikk", "overall", "3.5", "--cycle", "2027/2028")
    assert (code, out) == (0, "target 3.5 on overall set for 25 unit(s)\n")
    code, out = run("target", "post-gastro", "LA", "3")  # LA is items' prefix, not a dimension
    assert code == 1 and "'LA' is not a dimension" in out
    assert run("target", "post-gastro", "lederansvar", "4") == (
        0,
        "target 4 on lederansvar set for 1 unit(s)\n",
    )
    copy = tmp_path / "q.yaml"
    copy.write_text(
        (ROOT / "questionnaires" / "ledelse-og-kvalitetsforbedring.yaml").read_text(encoding="utf-8")
        + "\n# the next version\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        copy.read_text(encoding="utf-8").replace("  - level: 2\n", "  - level: two\n", 1), encoding="utf-8"
    )
    code, out = run("questionnaire", str(broken))
    assert code == 1 and f"{broken}:" in out and "nothing was changed" in out
    code, out = run("questionnaire", str(copy), "--keep-current")
    assert (code, out) == (0, "questionnaire version 2 stored; choose it for a cycle with cycle plan\n")
    assert (
        run("cycle", "plan", "2027/2028", "--questionnaire-version", "2", "--deadline", "2027-11-30")[0] == 0
    )
    assert run("cycle", "plan", "2027/2028", "--questionnaire-version", "9")[0] == 1  # no such version
    newest, first = run("versions")[1].splitlines()
    assert newest == "2\tledelse-og-kvalitetsforbedring\t2025.1\t-\tcycles 2027/2028\t0 assessment(s)"
    assert first.startswith("1\tledelse-og-kvalitetsforbedring\t2025.1\tcurrent\tcycles -\t")
    assert run("cycle", "list")[1].splitlines()[-2:] == [
        "2026/2027\t2026-09-01\t2027-09-01\tclosed\tdeadline -\tquestionnaire current",
        "2027/2028\t2027-09-01\t2028-09-01\topen\tdeadline 2027-11-30\tquestionnaire 2",
    ]
    # users: one given two roles, one taken, one removed, a file imported; a bad file changes nothing
    assert run("user", "grant", "kari@sshf.no", "leader", "--unit", "post-gastro", "--name", "Kari")[0] == 0
    assert run("user", "grant", "kari@sshf.no", "advisor")[0] == 0
    assert run("user", "revoke", "kari@sshf.no", "advisor") == (0, "kari@sshf.no: advisor taken\n")
    users = tmp_path / "brukere.csv"
    users.write_text("e-post;navn;rolle;enhet\nola@sshf.no;Ola;ledelse;medisinsk-klinikk\n", encoding="utf-8")
    assert run("user", "import", str(users)) == (0, "1 user(s) imported\n")
    users.write_text("e-post;navn;rolle;enhet\nper@sshf.no;Per;sjef;post-gastro\n", encoding="utf-8")
    code, out = run("user", "import", str(users))
    assert code == 1 and f"{users}:2:" in out and "nothing was changed" in out
    assert run("user", "remove", "ola@sshf.no")[0] == 0
    listed = run("user", "list")[1]
    assert "kari@sshf.no\tKari\tleader:post-gastro" in listed.splitlines() and "ola@sshf.no" not in listed
    with reading(engine) as connection:
        new_cycle = connection.execute(select(cycle.c.id).where(cycle.c.label == "2027/2028")).scalar_one()
        aimed = connection.execute(
            select(target.c.target_level, target.c.target_cycle_id).where(
                target.c.set_by == "system", target.c.dimension_id == "overall"
            )
        ).all()
        version = connection.execute(
            select(setting.c.value).where(setting.c.key == "questionnaire_version")
        ).scalar()
        wrong = connection.execute(
            select(func.count()).select_from(target).where(target.c.dimension_id == "LA")
        ).scalar_one()
    assert len(aimed) == 25 and set(aimed) == {(3.5, new_cycle)}
    assert version == "1" and wrong == 0  # the new version was stored, not made current
    assert audited(engine, before) == {
        ("create", "cycle"): 1,
        ("status", "cycle"): 1,
        ("plan", "cycle"): 1,
        ("set", "target"): 26,
        ("register", "questionnaire_version"): 1,
        ("upsert", "user"): 4,
        ("remove", "user"): 1,
    }
    engine.dispose()
