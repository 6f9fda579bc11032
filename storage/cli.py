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
from storage.access import load_access_yaml
from storage.actors import SYSTEM
from storage.backup import backup, restore
from storage.db import database_url, make_engine, migrate
from storage.definitions import (
    create_cycle,
    create_next_cycle,
    cycle_id_of,
    list_cycles,
    load_definitions,
    set_cycle_status,
)
from storage.demo import TIERS, ensure_database, is_initialised, load_clinic_demo, load_tier
from storage.errors import ImportRejected, ServiceError
from storage.importing import apply_import, plan_import
from storage.mail import SmtpMailer, read_settings, secrets_from_files
from storage.org import load_org_yaml
from storage.planning import set_targets
from storage.roles import grant_app_role
from storage.rollup import leaf_units
from storage.transfer import csv_bytes, export_results, xlsx_bytes


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
    cycle_commands.add_parser("next", help="next year's cycle, after the latest: one step")
    for name, text in (("open", "open a cycle again"), ("close", "close a cycle: no more answers")):
        cycle_commands.add_parser(name, help=text).add_argument("label")
    questionnaire = commands.add_parser(
        "questionnaire", help="install a questionnaire version (and its roadmap) for new assessments"
    )
    questionnaire.add_argument("file")
    questionnaire.add_argument("--roadmap", help="the roadmap YAML that goes with it")
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
        frame = export_results(engine, SYSTEM, args.cycle)
        out = Path(args.out)
        out.write_bytes(
            xlsx_bytes(frame, "Resultater") if out.suffix.lower() == ".xlsx" else csv_bytes(frame)
        )
        print(f"{len(frame)} row(s) written to {out}")
    elif args.command == "cycle":
        return _cycle(args, engine)
    elif args.command == "questionnaire":
        migrate(engine)
        version = load_definitions(engine, SYSTEM, args.file, args.roadmap)
        print(f"questionnaire version {version} installed: new assessments use it")
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


def _cycle(args: argparse.Namespace, engine) -> int:
    """The `cycle` commands: list, add, next, open, close."""
    if args.cycle_command == "list":
        for row in list_cycles(engine):
            print(f"{row['label']}\t{row['starts_on']}\t{row['ends_on']}\t{row['status']}")
    elif args.cycle_command == "add":
        create_cycle(engine, SYSTEM, args.label, args.starts, args.ends)
        print(f"cycle {args.label} added, open")
    elif args.cycle_command == "next":
        label, _ = create_next_cycle(engine, SYSTEM)
        print(f"cycle {label} added, open")
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
