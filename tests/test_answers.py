"""A bad answers file exits 1, lists every bad row and writes nothing."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scoring.answers import read_answers_csv
from scoring.cli import main
from scoring.problems import ProblemsError
from scoring.validation import questionnaire_from_text

from .conftest import small_questionnaire

HEADER = "unit,cycle,respondent,item,answer\n"


def run_score(write, tmp_path: Path, capsys, answers: str) -> tuple[int, list[str], Path]:
    questionnaire = write("q.yaml", small_questionnaire())
    path = write("answers.csv", answers)
    out = tmp_path / "scores.csv"
    code = main(["score", str(questionnaire), str(path), "--out", str(out)])
    captured = capsys.readouterr()
    lines = [line.removeprefix(f"{path}:") for line in captured.err.splitlines()]
    return code, lines, out


def test_every_bad_row_is_listed_and_nothing_written(write, tmp_path, capsys) -> None:
    answers = HEADER + textwrap.dedent(
        """\
        u1,c1,r1,A1,3
        u1,c1,r1,A9,3
        u1,c1,r1,A2,6
        u1,c1,r1,A3,ja
        u1,c1,r1,Y1,kanskje
        u1,c1,r1,A1,4
        ,c1,r1,B1,2
        u1,c1,r1,B2,2.5
        u1,c1,r1,B1,0
        """
    )
    code, lines, out = run_score(write, tmp_path, capsys, answers)
    assert code == 1
    assert lines == [
        "3: unknown item 'A9' (not in questionnaire 'small')",
        "4: item 'A2': answer '6' is not a level 1-5",
        "5: item 'A3' is scored; 'ja' is a yes/no answer, give a level 1-5",
        "6: item 'Y1' is a yes/no item; answer 'kanskje' is not yes/no/ja/nei/1/0",
        "7: a second answer by respondent 'r1' on item 'A1' for u1 c1 (first at line 2)",
        "8: 'unit' is empty",
        "9: item 'B2': answer '2.5' is not a level 1-5",
        "10: item 'B1': answer '0' is not a level 1-5",
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    "header, missing",
    [
        ("unit,cycle,respondent,item\n", "answer"),
        ("unit,respondent,answer\n", "cycle, item"),
        ("enhet,syklus,respondent,item,answer\n", "unit, cycle"),
    ],
)
def test_missing_columns(write, tmp_path, capsys, header: str, missing: str) -> None:
    code, lines, out = run_score(write, tmp_path, capsys, header + "u1,c1,r1\n")
    assert code == 1
    assert lines == [
        f"1: missing column(s) {missing}; the header must have unit,cycle,respondent,item,answer"
    ]
    assert not out.exists()


def test_out_file_already_there_is_left_untouched_on_error(write, tmp_path, capsys) -> None:
    questionnaire = write("q.yaml", small_questionnaire())
    answers = write("answers.csv", HEADER + "u1,c1,r1,A1,9\n")
    out = write("scores.csv", "earlier results\n")
    assert main(["score", str(questionnaire), str(answers), "--out", str(out)]) == 1
    assert out.read_text() == "earlier results\n"


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("3", 3.0),
        (" 4 ", 4.0),
        ("", np.nan),
        ("NA", np.nan),
        ("vet ikke", np.nan),
        ("Vet ikke / ikke aktuelt", np.nan),
        ("ikke aktuelt", np.nan),
    ],
)
def test_scored_answer_values(answer: str, expected: float) -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    frame = read_answers_csv(io.StringIO(f"{HEADER}u1,c1,r1,A1,{answer}\n"), questionnaire)
    np.testing.assert_equal(frame["value"].to_numpy(), [expected])


@pytest.mark.parametrize(
    "answer, expected",
    [("yes", 1.0), ("Ja", 1.0), ("1", 1.0), ("no", 0.0), ("NEI", 0.0), ("0", 0.0), ("", np.nan)],
)
def test_yesno_answer_values(answer: str, expected: float) -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    frame = read_answers_csv(io.StringIO(f"{HEADER}u1,c1,r1,Y1,{answer}\n"), questionnaire)
    np.testing.assert_equal(frame["value"].to_numpy(), [expected])


def test_semicolon_file_from_norwegian_excel_with_bom() -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    text = "\ufeffunit;cycle;respondent;item;answer;comment\nu1;2024/2025;r1;A1;3;ok, bra\n"
    frame = read_answers_csv(io.BytesIO(text.encode("utf-8")), questionnaire)
    assert frame.to_dict("records") == [
        {"unit": "u1", "cycle": "2024/2025", "respondent": "r1", "item": "A1", "value": 3.0}
    ]


@pytest.mark.parametrize("as_path", [True, False])
def test_a_csv_saved_by_excel_as_windows_1252_names_the_line(tmp_path, as_path: bool) -> None:
    """Norwegian Excel's "CSV (semikolonseparert)" is Windows-1252: the first line with an
    æ, ø or å is named, with what to do, instead of a decoder's byte offset."""
    questionnaire = questionnaire_from_text(small_questionnaire())
    text = (
        "unit;cycle;respondent;item;answer;comment\nu1;2024/2025;r1;A1;3;ok\nu1;2024/2025;r1;A2;2;Bør øves\n"
    )
    file = tmp_path / "svar.csv"
    file.write_bytes(text.encode("cp1252"))
    source = file if as_path else io.BytesIO(file.read_bytes())
    with pytest.raises(ProblemsError) as caught:
        read_answers_csv(source, questionnaire, file="svar.csv")
    (problem,) = caught.value.problems
    assert problem.render("nb") == (
        "svar.csv:3: filen er ikke lagret som UTF-8 (byte 0xf8 på denne linjen): "
        "lagre den som UTF-8 og prøv igjen"
    )


def test_problems_carry_norwegian_messages() -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    with pytest.raises(ProblemsError) as caught:
        read_answers_csv(io.StringIO(HEADER + "u1,c1,r1,A1,7\n"), questionnaire, file="svar.csv")
    assert [p.render("nb") for p in caught.value.problems] == [
        "svar.csv:2: spørsmål 'A1': svaret '7' er ikke et nivå 1-5"
    ]


def test_unreadable_csv_is_a_problem(write) -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    path = write("answers.csv", "")
    with pytest.raises(ProblemsError) as caught:
        read_answers_csv(path, questionnaire)
    assert caught.value.problems[0].code == "csv_unreadable"


@pytest.mark.parametrize("answer", ["3.0", "1e0", "+4", "0005", "03", "4.", "3e0"])
def test_a_level_is_written_as_a_plain_whole_number(answer: str) -> None:
    """Text a number parser would take as a level is refused, with the line and the fix."""
    questionnaire = questionnaire_from_text(small_questionnaire())
    with pytest.raises(ProblemsError) as refused:
        read_answers_csv(io.StringIO(f"{HEADER}u1,c1,r1,A1,3\nu1,c1,r2,A1,{answer}\n"), questionnaire)
    (problem,) = refused.value.problems
    assert (problem.line, problem.code) == (3, "level_not_plain")
    assert problem.message("nb").endswith("skriv nivået som et helt tall 1-5, f.eks. 3")


@pytest.mark.parametrize("answer", ["３", "6", "0", "-1", "3,5"])
def test_what_is_no_level_at_all_says_so(answer: str) -> None:
    questionnaire = questionnaire_from_text(small_questionnaire())
    with pytest.raises(ProblemsError) as refused:
        read_answers_csv(io.StringIO(f'{HEADER}u1,c1,r1,A1,"{answer}"\n'), questionnaire)
    assert [p.code for p in refused.value.problems] == ["level_outside_scale"]
