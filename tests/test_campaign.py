"""The cycle's campaign (storage.campaign, storage.mail) against a local SMTP server: leaders
are invited once each with their units and the link, reminders go to those whose units have
not sent in and at most once a day, failures are recorded and tried again, and management
reads the record of the units they reach. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import assessments as svc
from storage import audit, campaign
from storage.access import upsert_user
from storage.actors import SYSTEM, Grant
from storage.db import reading
from storage.definitions import plan_cycle, set_cycle_status
from storage.errors import AccessDenied, InvalidInput, ServiceError
from storage.mail import SmtpMailer, SmtpSettings, read_settings, secrets_from_files
from storage.tables import audit_log, mailing

from . import smtpkit
from .conftest import Clinic, full_answers, in_threads
from .smtpkit import Inbox, free_port, start, text_of

inbox = smtpkit.inbox  # the local SMTP server, a fixture

PUBLIC = "https://modenhet.sykehus.test/klinikk"
SENDER = "Forbedringsmodenhet <modenhet@sykehus.test>"
KARI, OLA = "kari.nordmann@sykehus.test", "ola@sykehus.test"
DEADLINE = dt.date(2025, 3, 1)
MONDAY = dt.datetime(2025, 1, 6, 8, 0)  # stored times are UTC: 09:00 in Norway


def at(day: int, hour: int = 8) -> dt.datetime:
    return MONDAY + dt.timedelta(days=day, hours=hour - 8)


@pytest.fixture
def leaders(clinic: Clinic) -> Clinic:
    """The small clinic with two leaders who sign in with their e-mail: Kari leads wards a
    and b, Ola section 2 (ward c). leader-a and leader-c have no address; the cycle's
    deadline is 1 March 2025."""
    upsert_user(clinic.engine, SYSTEM, KARI, "Kari Nordmann", [Grant("leader", "a"), Grant("leader", "b")])
    upsert_user(clinic.engine, SYSTEM, OLA, "Ola Hansen", [Grant("leader", "s2")])
    plan_cycle(clinic.engine, SYSTEM, clinic.cycle_id, DEADLINE, None)
    return clinic


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(SmtpSettings("127.0.0.1", port, "none", SENDER, timeout=5))


def send(clinic: Clinic, kind: str, port: int, moment: dt.datetime, public: str | None = PUBLIC):
    with audit.clock(moment):
        return campaign.send(
            clinic.engine, clinic.actor("admin"), clinic.cycle_id, kind, mailer(port), public
        )


def submit(clinic: Clinic, unit: str) -> None:
    admin = clinic.actor("admin")
    aid = svc.start_assessment(clinic.engine, admin, unit, clinic.cycle_id)
    version = svc.save_answers(clinic.engine, admin, aid, 1, full_answers(clinic.questionnaire))
    svc.submit_assessment(clinic.engine, admin, aid, version)


def units_in(text: str) -> list[str]:
    return [line.removeprefix("  • ") for line in text.splitlines() if line.startswith("  • ")]


def test_each_leader_is_invited_once_with_their_units_and_the_link(leaders: Clinic, inbox: Inbox) -> None:
    clinic = leaders
    planned = campaign.plan(clinic.engine, clinic.actor("admin"), clinic.cycle_id, "invitation")
    assert [(r.user_id, r.state, [u.unit_id for u in r.units]) for r in planned] == [
        (KARI, "due", ["a", "b"]),  # by name: Kari Nordmann, Leader-A, Leader-C, Ola Hansen
        ("leader-a", "no_address", ["a"]),
        ("leader-c", "no_address", ["c"]),
        (OLA, "due", ["c"]),
    ]

    outcome = send(clinic, "invitation", inbox.port, at(0))
    assert sorted(outcome.sent) == [KARI, OLA] and outcome.failed == ()
    assert sorted(outcome.no_address) == ["leader-a", "leader-c"]
    assert len(inbox.messages) == 2
    (kari,) = inbox.to(KARI)
    assert kari["Subject"] == "Egenvurdering av forbedringsmodenhet 2024/2025, frist 01.03.2025"
    assert kari["From"] == SENDER and kari["To"].addresses[0].display_name == "Kari Nordmann"
    assert kari["Auto-Submitted"] == "auto-generated"
    assert kari.get_content_type() == "text/plain" and not kari.is_multipart()
    body = text_of(kari)
    assert body.startswith("Hei Kari Nordmann,\n")
    assert units_in(body) == ["Post A", "Post B"]
    assert "Fristen er 01.03.2025." in body and "2024/2025" in body
    assert f"\n{PUBLIC}/assess\n" in body
    assert "English:" in body
    assert units_in(text_of(inbox.to(OLA)[0])) == ["Post C"]
    assert inbox.envelopes[0][0] == "modenhet@sykehus.test"

    # a second send, the same day or later, invites nobody again
    again = send(clinic, "invitation", inbox.port, at(1))
    assert again.sent == () and again.already == 2
    assert len(inbox.messages) == 2
    states = {r.user_id: r.state for r in campaign.plan(clinic.engine, SYSTEM, clinic.cycle_id, "invitation")}
    assert states == {"leader-a": "no_address", "leader-c": "no_address", KARI: "done", OLA: "done"}

    # each message is in the audit log, with its units
    with reading(clinic.engine) as connection:
        entries = connection.execute(
            select(audit_log.c.actor, audit_log.c.after).where(audit_log.c.entity == "mailing")
        ).all()
    assert sorted((a, json.loads(after)["to"], json.loads(after)["status"]) for a, after in entries) == [
        ("admin", KARI, "sent"),
        ("admin", OLA, "sent"),
    ]


def test_reminders_go_to_leaders_whose_units_have_not_sent_in_at_most_once_a_day(
    leaders: Clinic,
    inbox: Inbox,
) -> None:
    clinic = leaders
    send(clinic, "invitation", inbox.port, at(0))
    submit(clinic, "a")  # Kari's ward a sends in; b and c have not
    assert send(clinic, "reminder", inbox.port, at(0, 15)).sent == ()  # invited today already

    outcome = send(clinic, "reminder", inbox.port, at(7))
    assert sorted(outcome.sent) == [KARI, OLA]
    reminders = inbox.messages[2:]
    (kari,) = [m for m in reminders if m["To"].addresses[0].addr_spec == KARI]
    assert kari["Subject"] == "Påminnelse: egenvurdering av forbedringsmodenhet 2024/2025, frist 01.03.2025"
    assert units_in(text_of(kari)) == ["Post B"]  # not ward a, which has sent in
    assert "Denne enheten har ikke sendt inn ennå" in text_of(kari)

    # later the same day in Norway (22:30 UTC is 23:30 there): nobody twice
    assert send(clinic, "reminder", inbox.port, at(7, 22) + dt.timedelta(minutes=30)).sent == ()
    assert len(inbox.messages) == 4

    # ward c sends in; the next morning only Kari is reminded
    submit(clinic, "c")
    planned = campaign.plan(clinic.engine, SYSTEM, clinic.cycle_id, "reminder")
    assert [(r.user_id, [u.unit_id for u in r.units]) for r in planned if r.address] == [(KARI, ["b"])]
    assert send(clinic, "reminder", inbox.port, at(8)).sent == (KARI,)
    assert len(inbox.messages) == 5


def test_a_refused_connection_is_recorded_as_failed_and_tried_again(leaders: Clinic, inbox: Inbox) -> None:
    clinic = leaders
    closed = free_port()  # nothing listens there
    outcome = send(clinic, "invitation", closed, at(0))
    assert outcome.sent == () and sorted(u for u, _ in outcome.failed) == [KARI, OLA]
    assert all("refused" in error.lower() for _, error in outcome.failed)
    record = campaign.record(clinic.engine, clinic.actor("admin"), clinic.cycle_id)
    assert [(r["user_id"], r["status"]) for r in sorted(record, key=lambda r: r["user_id"])] == [
        (KARI, "failed"),
        (OLA, "failed"),
    ]
    assert all(r["sent_at"] is None and "refused" in r["error"].lower() for r in record)

    # the next send, with the server up, sends them; one recipient the server refuses
    inbox.refuse = {OLA}
    outcome = send(clinic, "invitation", inbox.port, at(0, 9))
    assert outcome.sent == (KARI,)
    ((who, error),) = outcome.failed
    assert who == OLA and "550" in error and "No such mailbox" in error
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == [KARI]
    inbox.refuse = set()
    assert send(clinic, "invitation", inbox.port, at(0, 10)).sent == (OLA,)
    with reading(clinic.engine) as connection:
        statuses = connection.execute(
            select(mailing.c.user_id, mailing.c.status).order_by(mailing.c.id)
        ).all()
    assert [tuple(s) for s in statuses] == [
        (KARI, "failed"),
        (OLA, "failed"),
        (KARI, "sent"),
        (OLA, "failed"),
        (OLA, "sent"),
    ]


def test_a_mailer_that_raises_leaves_no_message_sending(leaders: Clinic) -> None:
    class Broken:
        sender = SENDER

        def send(self, messages):
            raise RuntimeError("the mailer broke")

    with audit.clock(at(0)):
        outcome = campaign.send(leaders.engine, SYSTEM, leaders.cycle_id, "invitation", Broken(), PUBLIC)
    assert sorted(u for u, _ in outcome.failed) == [KARI, OLA]
    with reading(leaders.engine) as connection:
        assert set(connection.execute(select(mailing.c.status)).scalars()) == {"failed"}


def test_two_sends_at_once_invite_each_leader_once(leaders: Clinic, inbox: Inbox) -> None:
    clinic = leaders

    def work(_: int) -> None:
        send(clinic, "invitation", inbox.port, at(0))

    assert in_threads(work, 4) == []
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.wait_for(2)) == [KARI, OLA]


def test_management_reads_the_record_of_the_units_they_reach(leaders: Clinic, inbox: Inbox) -> None:
    clinic = leaders
    send(clinic, "invitation", inbox.port, at(0))
    inbox.refuse = {OLA}
    send(clinic, "reminder", inbox.port, at(3))

    def seen(who: str) -> list[tuple[str, str, str, list[str]]]:
        rows = campaign.record(clinic.engine, clinic.actor(who), clinic.cycle_id)
        return sorted((r["kind"], r["user_id"], r["status"], [u.unit_id for u in r["units"]]) for r in rows)

    everything = [
        ("invitation", KARI, "sent", ["a", "b"]),
        ("invitation", OLA, "sent", ["c"]),
        ("reminder", KARI, "sent", ["a", "b"]),
        ("reminder", OLA, "failed", ["c"]),
    ]
    assert seen("admin") == everything
    assert seen("manager-k") == everything
    assert seen("advisor") == everything
    assert seen("manager-s1") == [everything[0], everything[2]]  # section 1: wards a and b only
    manager = campaign.record(clinic.engine, clinic.actor("manager-k"), clinic.cycle_id)
    assert all(r["error"] is None for r in manager)  # the server's words are for the administrator
    for who in ("leader-a", "nobody"):
        with pytest.raises(AccessDenied):
            campaign.record(clinic.engine, clinic.actor(who), clinic.cycle_id)

    last = campaign.last_reminders(clinic.engine, clinic.actor("manager-s1"), clinic.cycle_id)
    assert [(r["unit_id"], r["at"], r["leaders"]) for r in last] == [
        ("a", at(3), ["Kari Nordmann"]),
        ("b", at(3), ["Kari Nordmann"]),
    ]
    assert [r["unit_id"] for r in campaign.last_reminders(clinic.engine, SYSTEM, clinic.cycle_id)] == [
        "a",
        "b",
    ]


def test_a_send_is_refused_with_a_reason_and_sends_nothing(leaders: Clinic, inbox: Inbox) -> None:
    clinic = leaders
    admin = clinic.actor("admin")
    with pytest.raises(AccessDenied):
        campaign.send(
            clinic.engine, clinic.actor("manager-k"), clinic.cycle_id, "invitation", mailer(1), PUBLIC
        )
    with pytest.raises(AccessDenied):
        campaign.plan(clinic.engine, clinic.actor("leader-a"), clinic.cycle_id, "invitation")
    with pytest.raises(ServiceError) as off:
        campaign.send(clinic.engine, admin, clinic.cycle_id, "invitation", None, PUBLIC)
    assert off.value.code == "mail_off" and "[smtp]" in off.value.message("nb")
    with pytest.raises(ServiceError) as no_url:
        send(clinic, "invitation", inbox.port, at(0), public=None)
    assert no_url.value.code == "mail_no_public_url" and "public_url" in no_url.value.message("nb")
    with pytest.raises(ServiceError) as late:
        send(clinic, "reminder", inbox.port, dt.datetime(2025, 3, 1, 23, 30))  # 2 March in Norway
    assert late.value.message("nb").startswith("Fristen for 2024/2025 (01.03.2025) er passert")
    send(clinic, "reminder", inbox.port, dt.datetime(2025, 3, 1, 22, 30))  # the deadline's last hour
    set_cycle_status(clinic.engine, SYSTEM, clinic.cycle_id, "closed")
    with pytest.raises(ServiceError) as closed:
        send(clinic, "invitation", inbox.port, at(0))
    assert closed.value.code == "cycle_closed"
    assert len(inbox.messages) == 2  # the reminders on the deadline's last evening only


def test_the_default_tls_checks_the_server_certificate(leaders: Clinic, tmp_path: Path) -> None:
    """STARTTLS against a server with a certificate nobody trusts fails and is recorded; with
    its certificate as `ca_file`, the message goes through encrypted."""
    import ssl

    certificate, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    tls_inbox = Inbox()
    controller = start(tls_inbox, tls=context)
    try:
        untrusted = SmtpMailer(SmtpSettings("127.0.0.1", tls_inbox.port, "starttls", SENDER, timeout=5))
        with audit.clock(at(0)):
            outcome = campaign.send(leaders.engine, SYSTEM, leaders.cycle_id, "invitation", untrusted, PUBLIC)
        assert outcome.sent == () and all("CERTIFICATE_VERIFY_FAILED" in e for _, e in outcome.failed)
        trusted = SmtpMailer(
            SmtpSettings("127.0.0.1", tls_inbox.port, "starttls", SENDER, ca_file=str(certificate), timeout=5)
        )
        with audit.clock(at(0, 9)):
            outcome = campaign.send(leaders.engine, SYSTEM, leaders.cycle_id, "invitation", trusted, PUBLIC)
        assert sorted(outcome.sent) == [KARI, OLA]
        assert len(tls_inbox.messages) == 2
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


# Settings ----------------------------------------------------------------------------------


def test_settings_are_off_without_a_host_and_the_environment_wins() -> None:
    assert read_settings({}, {}).smtp is None
    assert read_settings({}, {}).public_url is None
    secrets = {
        "smtp": {"host": "smtp.sykehus.test", "from": SENDER, "username": "modenhet", "password": "hemmelig"},
        "app": {"public_url": "https://modenhet.sykehus.test/"},
    }
    settings = read_settings(secrets, {})
    assert settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == (
        "smtp.sykehus.test",
        587,
        "starttls",
    )
    assert settings.public_url == "https://modenhet.sykehus.test"
    assert "hemmelig" not in repr(settings)
    env = {
        "MATURITY_SMTP_HOST": "relay",
        "MATURITY_SMTP_SECURITY": "ssl",
        "MATURITY_PUBLIC_URL": "http://x.test",
    }
    settings = read_settings(secrets, env)
    assert settings.smtp is not None and (settings.smtp.host, settings.smtp.port) == ("relay", 465)
    assert settings.public_url == "http://x.test"
    # the workshop links' address serves when no other is set
    assert read_settings({}, {"MATURITY_BASE_URL": "https://a.test/m/"}).public_url == "https://a.test/m"


@pytest.mark.parametrize(
    ("smtp", "app", "named"),
    [
        ({"host": "relay"}, {}, "[smtp] from"),
        ({"host": "relay", "from": SENDER, "port": "smtp"}, {}, "[smtp] port"),
        ({"host": "relay", "from": SENDER, "security": "tls1.0"}, {}, "[smtp] security"),
        ({"host": "relay", "from": SENDER, "security": "none", "username": "u"}, {}, "[smtp] username"),
        ({"host": "relay", "from": SENDER, "ca_file": "/no/such/file.pem"}, {}, "[smtp] ca_file"),
        ({}, {"public_url": "modenhet.sykehus.test"}, "[app] public_url"),
    ],
)
def test_a_wrong_setting_is_named(smtp: dict, app: dict, named: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_settings({"smtp": smtp, "app": app}, {})
    assert named in refused.value.message("nb") and named in refused.value.message("en")


def test_the_command_line_reads_the_secrets_files(tmp_path: Path) -> None:
    home, here = tmp_path / "home", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    (home / "secrets.toml").write_text(
        '[smtp]\nhost = "a"\nfrom = "x@y.test"\n[app]\npublic_url = "https://a.test"\n'
    )
    (here / "secrets.toml").write_text('[smtp]\nhost = "b"\n')
    assert secrets_from_files([home, here]) == {
        "smtp": {"host": "b", "from": "x@y.test"},
        "app": {"public_url": "https://a.test"},
    }
    (here / "secrets.toml").write_text("[smtp\n")
    with pytest.raises(InvalidInput):
        secrets_from_files([here])


def test_the_command_line_invites_and_reminds(
    leaders: Clinic, inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from storage.cli import main

    clinic = leaders
    plan_cycle(clinic.engine, SYSTEM, clinic.cycle_id, None, None)  # no deadline: today is long after
    url = clinic.engine.url.render_as_string(hide_password=False)
    monkeypatch.chdir(tmp_path)  # no secrets file here or at home
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("MATURITY_SMTP_HOST", "MATURITY_PUBLIC_URL", "MATURITY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    command = ["--database", url, "campaign", "invite", "--cycle", "2024/2025"]
    assert main(command) == 1
    assert "E-mail is not set up" in capsys.readouterr().err

    monkeypatch.setenv("MATURITY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MATURITY_SMTP_PORT", str(inbox.port))
    monkeypatch.setenv("MATURITY_SMTP_SECURITY", "none")
    monkeypatch.setenv("MATURITY_SMTP_FROM", SENDER)
    assert main(command) == 1
    assert "public address is not set" in capsys.readouterr().err
    monkeypatch.setenv("MATURITY_PUBLIC_URL", PUBLIC)

    assert main([*command, "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"due\t{KARI}\ta, b",
        "no_address\tleader-a\ta",
        "no_address\tleader-c\tc",
        f"due\t{OLA}\tc",
    ]
    assert inbox.messages == []
    assert main(command) == 0
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed[:2]) == [f"sent\t{KARI}", f"sent\t{OLA}"]
    assert printed[-1] == "2 sent, 0 failed, 2 without an e-mail address, 0 mailed before"
    assert main(command) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 sent, 0 failed, 2 without")

    submit(clinic, "c")
    inbox.refuse = {KARI}
    remind = ["--database", url, "campaign", "remind", "--cycle", "2024/2025"]
    assert main(remind) == 0  # invited today: no reminder the same day
    assert capsys.readouterr().out.splitlines()[-1].endswith(", 1 mailed before")  # Kari
    with audit.clock(audit.now() + dt.timedelta(days=1)):
        assert main(remind) == 1  # a failure
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"failed\t{KARI}\trefused {KARI}: 550 5.1.1")
    assert len(inbox.messages) == 2
