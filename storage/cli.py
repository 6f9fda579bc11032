"""`python -m storage`: the administrator's command line for the database.

The database is `MATURITY_DATABASE_URL`, else data/maturity.db; `--database URL` overrides
both. Commands act as the system administrator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scoring.problems import ProblemsError
from storage import campaign, rollup
from storage.access import (
    grant_role,
    list_users,
    load_access_yaml,
    parse_access_yaml,
    parse_users_csv,
    remove_user,
    revoke_role,
    upsert_users,
)
from storage.actors import SYSTEM, Grant
from storage.backup import backup, restore
from storage.db import database_url, make_engine, migrate
from storage.definitions import (
    create_cycle,
    create_next_cycle,
    cycle_id_of,
    install_questionnaire,
    list_cycles,
    list_questionnaire_versions,
    load_definitions,
    plan_cycle,
    set_cycle_status,
)
from storage.demo import TIERS, ensure_database, is_initialised, load_clinic_demo, load_tier
from storage.errors import ImportRejected, ServiceError, read_input_file
from storage.importing import apply_import, plan_import
from storage.mail import SmtpMailer, read_settings, secrets_from_files
from storage.org import load_org_yaml
from storage.planning import set_targets
from storage.roles import grant_app_role
from storage.rollup import leaf_units
from storage.transfer import RESULT_COLUMNS, stream_results, write_csv, write_xlsx


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storage", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", metavar="URL", help="database URL (default: %(default)s)", default=database_url()
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the schema")
    init = commands.add_parser("init", help="set up a new database: the demo clinic, or empty with --empty")
    init.add_argument(
        "--empty", action="store_true", help="organisation, users and current cycle; no answers"
    )
    demo = commands.add_parser(
        "load-demo", help="load the demo clinic or a benchmark tier into a new database"
    )
    demo.add_argument("tier", nargs="?", choices=list(TIERS), default="clinic")
    org = commands.add_parser("load-org", help="make the organisation match an org.yaml")
    org.add_argument("file")
    org.add_argument("--on", type=dt.date.fromisoformat, help="date of the changes (default today)")
    access = commands.add_parser("load-access", help="create or update users from an access.yaml")
    access.add_argument("file")
    importing = commands.add_parser("import", help="import an answers CSV: preview, or write with --apply")
    importing.add_argument("file")
    importing.add_argument("--apply", action="store_true", help="write the changes (all or nothing)")
    export = commands.add_parser("export", help="export stored results as CSV or XLSX (by the file's suffix)")
    export.add_argument("--cycle", help="one cycle, e.g. 2025/2026")
    export.add_argument("--out", required=True)
    save = commands.add_parser("backup", help="write the whole database to one file")
    save.add_argument("file")
    load = commands.add_parser("restore", help="restore a backup file into a new, empty database")
    load.add_argument("file")
    cycles = commands.add_parser("cycle", help="list, add, open and close cycles; prepare next year's")
    cycle_commands = cycles.add_subparsers(dest="cycle_command", required=True)
    cycle_commands.add_parser("list", help="every cycle with its dates and status")
    add = cycle_commands.add_parser("add", help="a new cycle, open")
    add.add_argument("label", help="e.g. 2027/2028")
    add.add_argument("--starts", type=dt.date.fromisoformat, required=True)
    add.add_argument("--ends", type=dt.date.fromisoformat, required=True)
    following = cycle_commands.add_parser("next", help="next year's cycle, after the latest: one step")
    plan = cycle_commands.add_parser("plan", help="a cycle's deadline and questionnaire version")
    plan.add_argument("label")
    for parser_ in (add, following, plan):
        parser_.add_argument("--deadline", type=dt.date.fromisoformat, help="answers due, e.g. 2027-11-30")
        parser_.add_argument(
            "--questionnaire-version",
            type=int,
            metavar="ID",
            help="the version its assessments use (see versions)",
        )
    for name, text in (("open", "open a cycle again"), ("close", "close a cycle: no more answers")):
        cycle_commands.add_parser(name, help=text).add_argument("label")
    questionnaire = commands.add_parser(
        "questionnaire", help="install a questionnaire version (and its roadmap) for new assessments"
    )
    questionnaire.add_argument("file")
    questionnaire.add_argument("--roadmap", help="the roadmap YAML that goes with it")
    questionnaire.add_argument(
        "--keep-current", action="store_true", help="store it only; new assessments keep the current version"
    )
    commands.add_parser("versions", help="the questionnaire versions stored, and which cycles use them")
    users = commands.add_parser("user", help="list users; give or take a role; remove a user; import a file")
    user_commands = users.add_subparsers(dest="user_command", required=True)
    user_commands.add_parser("list", help="every user with their roles")
    for name, text in (("grant", "give a user (new or known) a role"), ("revoke", "take a role from a user")):
        change = user_commands.add_parser(name, help=text)
        change.add_argument("email")
        change.add_argument("role", choices=["leader", "management", "advisor", "admin"])
        change.add_argument("--unit", help="the unit the role is held on (reaching the units below)")
        if name == "grant":
            change.add_argument("--name", default="", help="the user's name")
    user_commands.add_parser("remove", help="remove a user and every role").add_argument("email")
    user_commands.add_parser(
        "import", help="users from a CSV (e-post;navn;rolle;enhet) or access.yaml, checked whole"
    ).add_argument("file")
    targets = commands.add_parser("target", help="set a target level for a unit, or every unit under a node")
    targets.add_argument("unit", help="a unit, or with --subtree a node of the tree")
    targets.add_argument("dimension", help="a dimension id, or 'overall'")
    targets.add_argument("level", type=float, help="the level aimed for, 1-5")
    targets.add_argument("--cycle", help="the cycle it should be reached in, e.g. 2027/2028")
    targets.add_argument("--subtree", action="store_true", help="every unit at the bottom under the node")
    mailing = commands.add_parser(
        "campaign",
        help="e-mail the unit leaders: invite them to a cycle, or remind those whose units have not sent in",
        description="Invitations go once to each leader; reminders at most once a day, up to the "
        "deadline. E-mail is set in [smtp] and [app] of .streamlit/secrets.toml or MATURITY_SMTP_* "
        "and MATURITY_PUBLIC_URL (README, 'E-mail'). Exit status 1 when a message failed.",
    )
    mailing.add_argument("action", choices=["invite", "remind"])
    mailing.add_argument("--cycle", required=True, metavar="LABEL", help="e.g. 2026/2027")
    mailing.add_argument("--dry-run", action="store_true", help="list who would be mailed; send nothing")
    role = commands.add_parser(
        "app-role",
        help="PostgreSQL: create or update the role the app connects as (run as the owner)",
    )
    role.add_argument("name")
    role.add_argument(
        "--password-env", metavar="VARIABLE", help="set the role's password from this environment variable"
    )

    args = parser.parse_args(argv)
    engine = make_engine(args.database)
    try:
        return _run(args, engine)
    except (ImportRejected, ProblemsError) as error:
        for problem in error.problems:
            print(problem.render(), file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 1
    except ServiceError as error:
        print(error.message(), file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _run(args: argparse.Namespace, engine) -> int:
    if args.command == "migrate":
        migrate(engine)
        rollup.ensure_rollups(engine)
        print("schema up to date")
    elif args.command == "init":
        ensure_database(engine, start_empty=args.empty)
        print("database ready" + (" (empty)" if args.empty else " (demo clinic)"))
    elif args.command == "load-demo":
        migrate(engine)
        if is_initialised(engine):
            print("the database is already set up; load demo data into a new database", file=sys.stderr)
            return 1
        if args.tier == "clinic":
            load_clinic_demo(engine)
        else:
            load_tier(engine, TIERS[args.tier])
        print(f"loaded {args.tier}")
    elif args.command == "load-org":
        migrate(engine)
        print(load_org_yaml(engine, SYSTEM, args.file, on=args.on))
    elif args.command == "load-access":
        migrate(engine)
        print(f"{load_access_yaml(engine, SYSTEM, args.file)} user(s)")
    elif args.command == "import":
        plan = plan_import(engine, SYSTEM, args.file)
        print(
            f"would create {len(plan.creates)} and replace {len(plan.updates)} assessment(s) "
            f"with {plan.summary['answers']} answers for {plan.summary['units']} unit(s)"
        )
        for unit, cycle, respondent in plan.updates:
            print(f"  replace: {unit} {cycle} {respondent}")
        if args.apply:
            apply_import(engine, SYSTEM, plan)
            print("imported")
        else:
            print("preview only: add --apply to write")
    elif args.command == "export":
        rows = stream_results(engine, SYSTEM, args.cycle)
        out = Path(args.out)
        if out.suffix.lower() == ".xlsx":
            written = write_xlsx(rows, RESULT_COLUMNS, out, "Resultater")
        else:
            written = write_csv(rows, RESULT_COLUMNS, out)
        print(f"{written.rows} row(s) written to {out}")
        if len(written.sheets) > 1:
            print(
                f"more rows than one Excel sheet holds: split over {len(written.sheets)} sheets "
                f"({', '.join(written.sheets)}), each with the header row"
            )
    elif args.command == "cycle":
        return _cycle(args, engine)
    elif args.command == "questionnaire":
        migrate(engine)
        if args.keep_current:
            version = install_questionnaire(
                engine,
                SYSTEM,
                read_input_file(args.file),
                read_input_file(args.roadmap) if args.roadmap else None,
                args.file,
                args.roadmap or "<roadmap>",
            )
            print(f"questionnaire version {version} stored; choose it for a cycle with cycle plan")
        else:
            version = load_definitions(engine, SYSTEM, args.file, args.roadmap)
            print(f"questionnaire version {version} installed: new assessments use it")
    elif args.command == "versions":
        for row in list_questionnaire_versions(engine):
            print(
                f"{row['id']}\t{row['questionnaire_id']}\t{row['version']}\t"
                f"{'current' if row['current'] else '-'}\tcycles {', '.join(row['cycles']) or '-'}\t"
                f"{row['assessments']} assessment(s)"
            )
    elif args.command == "user":
        return _user(args, engine)
    elif args.command == "target":
        cycle_id = cycle_id_of(engine, args.cycle) if args.cycle else None
        units = leaf_units(engine, args.unit) if args.subtree else [args.unit]
        count = set_targets(engine, SYSTEM, units, args.dimension, args.level, target_cycle_id=cycle_id)
        print(f"target {args.level:g} on {args.dimension} set for {count} unit(s)")
    elif args.command == "campaign":
        return _campaign(args, engine)
    elif args.command == "app-role":
        password = os.environ.get(args.password_env) if args.password_env else None
        if args.password_env and password is None:
            print(f"{args.password_env} is not set", file=sys.stderr)
            return 1
        for statement in grant_app_role(engine, args.name, password):
            print(statement)
    elif args.command == "backup":
        counts = backup(engine, args.file)
        print(f"{sum(counts.values())} row(s) in {len(counts)} table(s) written to {args.file}")
    elif args.command == "restore":
        migrate(engine)
        counts = restore(engine, args.file)
        print(f"{sum(counts.values())} row(s) restored")
    return 0


def _user(args: argparse.Namespace, engine) -> int:
    """The `user` commands: list, grant, revoke, remove, import."""
    if args.user_command == "list":
        for row in list_users(engine):
            print(f"{row['id']}\t{row['name']}\t{', '.join(row['roles']) or '-'}")
    elif args.user_command == "grant":
        grant_role(engine, SYSTEM, args.email, args.name, Grant(args.role, args.unit))
        print(f"{args.email}: {args.role}{' on ' + args.unit if args.unit else ''}")
    elif args.user_command == "revoke":
        revoke_role(engine, SYSTEM, args.email, Grant(args.role, args.unit))
        print(f"{args.email}: {args.role} taken")
    elif args.user_command == "remove":
        remove_user(engine, SYSTEM, args.email)
        print(f"{args.email} removed")
    else:
        text = read_input_file(args.file)
        users = (
            parse_users_csv(text, args.file)
            if args.file.lower().endswith(".csv")
            else parse_access_yaml(text, args.file)
        )
        upsert_users(engine, SYSTEM, users)
        print(f"{len(users)} user(s) imported")
    return 0


def _cycle(args: argparse.Namespace, engine) -> int:
    """The `cycle` commands: list, add, next, open, close."""
    if args.cycle_command == "list":
        for row in list_cycles(engine):
            print(
                f"{row['label']}\t{row['starts_on']}\t{row['ends_on']}\t{row['status']}\t"
                f"deadline {row['deadline'] or '-'}\t"
                f"questionnaire {row['questionnaire_version_id'] or 'current'}"
            )
    elif args.cycle_command == "add":
        create_cycle(
            engine, SYSTEM, args.label, args.starts, args.ends, args.deadline, args.questionnaire_version
        )
        print(f"cycle {args.label} added, open")
    elif args.cycle_command == "next":
        label, _ = create_next_cycle(engine, SYSTEM, args.questionnaire_version, args.deadline)
        print(f"cycle {label} added, open")
    elif args.cycle_command == "plan":
        plan_cycle(engine, SYSTEM, cycle_id_of(engine, args.label), args.deadline, args.questionnaire_version)
        print(
            f"cycle {args.label}: deadline {args.deadline or '-'}, questionnaire version "
            f"{args.questionnaire_version or 'current'}"
        )
    else:
        status = "open" if args.cycle_command == "open" else "closed"
        set_cycle_status(engine, SYSTEM, cycle_id_of(engine, args.label), status)
        print(f"cycle {args.label} {status}")
    return 0


def _campaign(args: argparse.Namespace, engine) -> int:
    """`campaign invite|remind --cycle LABEL`: one line per leader, then the counts."""
    kind = "invitation" if args.action == "invite" else "reminder"
    cycle_id = cycle_id_of(engine, args.cycle)
    if args.dry_run:
        for r in campaign.plan(engine, SYSTEM, cycle_id, kind):
            units = ", ".join(u.unit_id for u in r.units)
            print(f"{r.state}\t{r.user_id}\t{units}")
        return 0
    settings = read_settings(secrets_from_files())
    mailer = None if settings.smtp is None else SmtpMailer(settings.smtp)
    outcome = campaign.send(engine, SYSTEM, cycle_id, kind, mailer, settings.public_url)
    for user in outcome.sent:
        print(f"sent\t{user}")
    for user, error in outcome.failed:
        print(f"failed\t{user}\t{error}")
    for user in outcome.no_address:
        print(f"no e-mail address\t{user}")
    print(
        f"{len(outcome.sent)} sent, {len(outcome.failed)} failed, {len(outcome.no_address)} without an "
        f"e-mail address, {outcome.already} mailed before"
    )
    return 1 if outcome.failed else 0
