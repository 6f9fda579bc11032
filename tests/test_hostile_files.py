"""Files made to hurt: a YAML alias bomb, nesting 100,000 deep, a file too large, a file in
another encoding, an access.yaml of the wrong shape. Each is one clear problem with the
file and line, in the user's language, and nothing is changed; the commands stay within a
small memory budget (each runs in a process of its own, measured by its peak RSS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scoring.problems import Problem
from scoring.yamlsource import MAX_DEPTH, MAX_NODES, MAX_YAML_BYTES, parse_yaml, read_text_file
from storage.access import parse_access_yaml
from storage.errors import ImportRejected

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BUDGET_KB = 200_000  # peak RSS of a whole command, Python and pandas included


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each list holds nine aliases of the one before (9**9 strings)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


def deeply_nested(depth: int = 100_000) -> str:
    return "units: " + "[" * depth + "]" * depth + "\n"


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_an_alias_bomb_is_one_problem_at_its_first_alias() -> None:
    document, problems = parse_yaml(alias_bomb(), "bomb.yaml")
    assert document is None
    problem = only(problems)
    assert (problem.file, problem.line, problem.code) == ("bomb.yaml", 2, "yaml_too_many_nodes")
    assert "aliases (*name)" in problem.message("en") and "aliasene (*navn)" in problem.message("nb")


def test_aliases_that_stay_small_are_followed_as_before() -> None:
    document, problems = parse_yaml("a: &x [1, 2]\nb: *x\nc: *x\n", "small.yaml")
    assert problems == [] and document is not None
    assert document.data == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_nesting_past_the_limit_is_one_problem_not_a_recursion_error(depth: int) -> None:
    document, problems = parse_yaml(deeply_nested(depth), "deep.yaml")
    assert document is None
    problem = only(problems)
    assert (problem.line, problem.code, problem.params) == (1, "yaml_too_deep", {"limit": MAX_DEPTH})


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 2  # the mapping and its value take two levels
    document, problems = parse_yaml(deeply_nested(depth), "deep.yaml")
    assert problems == [] and document is not None


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as out:
        out.truncate(MAX_YAML_BYTES + 1)  # sparse: nothing is written or read
    text, problems = read_text_file(big)
    assert text is None
    problem = only(problems)
    assert problem.code == "file_too_large"
    assert (
        problem.message("nb")
        == f"filen er på 21 MB; en definisjon kan være på høyst {MAX_YAML_BYTES // 10**6} MB"
    )


@pytest.mark.parametrize(
    ("data", "line", "byte"),
    [
        ("name: Sjøssyke\n".encode("latin-1"), 1, "0xf8"),
        ("a: 1\nb: 2\nc: Ærlig\n".encode("cp1252"), 3, "0xc6"),
        (b"\xef\xbb\xbfa: 1\nb: \xff\n", 2, "0xff"),
    ],
)
def test_a_file_in_another_encoding_names_the_line(tmp_path: Path, data: bytes, line: int, byte: str) -> None:
    file = tmp_path / "other.yaml"
    file.write_bytes(data)
    text, problems = read_text_file(file)
    assert text is None
    assert only(problems) == Problem(str(file), line, "file_not_utf8", {"byte": byte})


def test_a_bom_is_dropped(tmp_path: Path) -> None:
    file = tmp_path / "bom.yaml"
    file.write_bytes("\ufeffa: Ø\n".encode())
    assert read_text_file(file) == ("a: Ø\n", [])


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("- just\n- a list\n", 1, "expected_type"),
        ("users: everyone\n", 1, "expected_type"),
        ("users:\n  - 42\n", 2, "expected_type"),
        ("users:\n  - name: Uten id\n", 2, "missing"),
        ("users:\n  - id: x\n    roles:\n      - {role: overlord}\n", 4, "bad_choice"),
        ("users:\n  - id: x\n    roles: admin\n", 3, "expected_type"),
        ("users:\n  - id: x\n    roles:\n      - {role: leader, units: a}\n", 4, "expected_type"),
    ],
)
def test_an_access_file_of_the_wrong_shape_names_the_line(text: str, line: int, code: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_access_yaml(text, "access.yaml")
    problem = only(refused.value.problems)
    assert (problem.line, problem.code) == (line, code)


def test_a_good_access_file_gives_every_user_and_grant() -> None:
    users = parse_access_yaml(
        "users:\n  - id: a\n    name: A\n    roles:\n      - {role: admin}\n"
        "  - id: b\n    roles:\n      - {role: leader, units: [x, y]}\n      - {role: advisor}\n"
    )
    assert [(u, n, [(g.role, g.unit_id) for g in gs]) for u, n, gs in users] == [
        ("a", "A", [("admin", None)]),
        ("b", "b", [("leader", "x"), ("leader", "y"), ("advisor", None)]),
    ]


PEAK = """
import atexit, runpy, sys

def peak():  # VmHWM: this process's peak RSS since it started (not its parent's, as ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("PEAK_KB", line.split()[1], file=sys.stderr)

atexit.register(peak)
module, sys.argv = sys.argv[1], sys.argv[1:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_peak(module: str, args: list[str]) -> tuple[int, str, int]:
    """Run `python -m module args` in a process of its own: its exit code, its output and
    its peak RSS in KB."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, module, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    peak = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    assert len(peak) == 1, done.stderr
    return done.returncode, done.stdout + done.stderr, peak[0]


@pytest.mark.parametrize("kind", ["bomb", "deep"])
@pytest.mark.parametrize("command", ["validate", "load-org", "load-access"])
def test_the_commands_refuse_hostile_yaml_within_the_memory_budget(
    tmp_path: Path, kind: str, command: str
) -> None:
    file = tmp_path / f"{kind}.yaml"
    file.write_text(alias_bomb() if kind == "bomb" else deeply_nested(), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    if command == "validate":
        module, args = "scoring", ["validate", str(file)]
    else:
        subprocess.run(
            [sys.executable, "-m", "storage", "--database", database, "init", "--empty"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        module, args = "storage", ["--database", database, command, str(file)]
    code, output, peak_kb = run_peak(module, args)
    expected = "yaml_too_many_nodes" if kind == "bomb" else "yaml_too_deep"
    message = Problem(
        str(file),
        2 if kind == "bomb" else 1,
        expected,
        {"limit": f"{MAX_NODES:,}".replace(",", " ") if kind == "bomb" else MAX_DEPTH},
    )
    assert code == 1, output
    assert message.render("en") in output
    assert "Traceback" not in output
    assert peak_kb < MEMORY_BUDGET_KB, f"peak RSS {peak_kb} KB"


@pytest.mark.parametrize(
    ("unit", "line", "message"),
    [
        ("{id: " + "x" * 65 + ", kind: enhet, name: Post}", 5, "id: at most 64 characters, got 65"),
        ("{id: a, kind: enhet, name: " + "N" * 201 + "}", 5, "name: at most 200 characters, got 201"),
        (
            "{id: a, kind: enhet, name: {nb: Post, en: " + "E" * 250 + "}}",
            5,
            "name.en: at most 200 characters, got 250",
        ),
    ],
)
def test_an_org_file_with_ids_or_names_too_long_for_the_database_names_the_line(
    unit: str, line: int, message: str
) -> None:
    """SQLite would store them and PostgreSQL refuse them (a backup would then not restore):
    the file is refused on either engine, at the unit's line."""
    from storage.org import parse_org_yaml

    text = "id: hf\nkind: helseforetak\nname: HF\nchildren:\n  - " + unit + "\n"
    with pytest.raises(ImportRejected) as refused:
        parse_org_yaml(text, "org.yaml")
    problem = only(refused.value.problems)
    assert problem.line == line and problem.message("en").endswith(message), problem.message("en")
