"""The database tables (SQLAlchemy Core). Alembic migrations in storage/migrations build them.

Times are stored as naive UTC. Ids of organisation units, questionnaires, items and
dimensions are the stable text ids of org.yaml and the YAML files.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UNIT_KINDS = ("helseforetak", "kommune", "klinikk", "seksjon", "avdeling", "enhet")
ROLES = ("admin", "management", "leader", "advisor", "participant")
ASSESSMENT_STATUSES = ("draft", "submitted", "validated", "returned")
ASSESSMENT_MODES = ("consensus", "individual")
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


org_unit = Table(
    "org_unit",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
)

# One row per period in which a unit had one name and one parent; renames, moves,
# merges and closures end a row and (except closures) start a new one.
org_unit_version = Table(
    "org_unit_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("parent_id", String(64), ForeignKey("org_unit.id"), nullable=True),
    Column("name_nb", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),  # exclusive; NULL while current
    Column("change", String(20), nullable=False),  # created, renamed, moved, merged, closed
    Column("merged_into", String(64), ForeignKey("org_unit.id"), nullable=True),
    Index("ix_org_unit_version_unit", "unit_id", "valid_from"),
    Index("ix_org_unit_version_parent", "parent_id"),
)

cycle = Table(
    "cycle",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", String(20), nullable=False, unique=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("status", String(10), nullable=False, default="open"),
    Column("deadline", Date, nullable=True),  # answers due; the reminders go before it
    # the version new assessments in the cycle use; none: the current one
    Column("questionnaire_version_id", Integer, ForeignKey("questionnaire_version.id"), nullable=True),
    CheckConstraint("status IN ('open', 'closed')", name="status"),
    CheckConstraint("ends_on > starts_on", name="dates"),
)

questionnaire_version = Table(
    "questionnaire_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("questionnaire_id", String(100), nullable=False),
    Column("version", String(50), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("yaml_text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("questionnaire_id", "content_hash", name="uq_questionnaire_version_content"),
)

roadmap_version = Table(
    "roadmap_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("roadmap_id", String(100), nullable=False),
    Column("questionnaire_id", String(100), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("yaml_text", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("roadmap_id", "content_hash", name="uq_roadmap_version_content"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

role_grant = Table(
    "role_grant",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(100), ForeignKey("app_user.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), nullable=True),  # subtree or unit
    Column("assessment_id", Integer, ForeignKey("assessment.id"), nullable=True),  # participant
    CheckConstraint(_in("role", ROLES), name="role"),
    Index("ix_role_grant_user", "user_id"),
)

assessment = Table(
    "assessment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("cycle_id", Integer, ForeignKey("cycle.id"), nullable=False),
    Column("questionnaire_version_id", Integer, ForeignKey("questionnaire_version.id"), nullable=False),
    Column("respondent", String(100), nullable=False),
    Column("role", String(50), nullable=True),
    Column("mode", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_comment", Text, nullable=True),
    Column("workshop_id", Integer, ForeignKey("workshop.id"), nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("submitted_at", DateTime, nullable=True),
    Column("validated_at", DateTime, nullable=True),
    Column("row_version", Integer, nullable=False, default=1),
    CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="status"),
    CheckConstraint(_in("mode", ASSESSMENT_MODES), name="mode"),
    UniqueConstraint("unit_id", "cycle_id", "respondent", name="uq_assessment_respondent"),
    Index("ix_assessment_cycle_unit", "cycle_id", "unit_id"),
    Index("ix_assessment_unit", "unit_id"),  # a unit's own history (profile, result page)
)

# A team workshop, the MaPSaF way: participants rate privately through a link or code
# (phase "rating"); the leader closes the round and the ratings become an anonymous
# distribution per item (phase "revealed"); the leader records the agreed answers in the
# unit's consensus assessment. Participants are never respondents of the unit.
WORKSHOP_PHASES = ("rating", "revealed")
workshop = Table(
    "workshop",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("cycle_id", Integer, ForeignKey("cycle.id"), nullable=False),
    Column("questionnaire_version_id", Integer, ForeignKey("questionnaire_version.id"), nullable=False),
    Column("code", String(12), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("status", String(10), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    Column("consensus_assessment_id", Integer, nullable=True),  # no FK: the two tables point at each other
    # the link the leader shares, kept so it survives a reload (the code opens as much)
    Column("token", String(64), nullable=True),
    Column("phase", String(10), nullable=False, server_default="rating"),
    Column("expected", Integer, nullable=True),  # participants the leader expects
    Column("revealed_at", DateTime, nullable=True),
    Column("participants", Integer, nullable=True),  # ratings the revealed distribution rests on
    CheckConstraint("status IN ('open', 'closed')", name="status"),
    CheckConstraint(_in("phase", WORKSHOP_PHASES), name="phase"),
)

# One device that joined a workshop; its secret (kept in the participant's link and a
# cookie) is stored only as a hash. Nothing here says who the person is.
workshop_participant = Table(
    "workshop_participant",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workshop_id", Integer, ForeignKey("workshop.id"), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("joined_at", DateTime, nullable=False),
    Column("submitted_at", DateTime, nullable=True),
    Index("ix_workshop_participant_workshop", "workshop_id"),
)

# A participant's private rating while the round is open; deleted when the round closes
# (after it is counted into workshop_distribution) or the workshop is closed.
workshop_rating = Table(
    "workshop_rating",
    metadata,
    Column("participant_id", Integer, ForeignKey("workshop_participant.id"), primary_key=True),
    Column("item_id", String(50), primary_key=True),
    Column("level", Integer, nullable=True),
    Column("yes", Boolean, nullable=True),
    Column("dont_know", Boolean, nullable=False, default=False),
    CheckConstraint("level IS NULL OR yes IS NULL", name="one_kind"),
    CheckConstraint("NOT dont_know OR (level IS NULL AND yes IS NULL)", name="dont_know"),
)

# What is kept of the ratings: per item, how many chose each answer ('1'..'5', 'yes',
# 'no', 'dk'), counted once when the round closed and never changed after.
workshop_distribution = Table(
    "workshop_distribution",
    metadata,
    Column("workshop_id", Integer, ForeignKey("workshop.id"), primary_key=True),
    Column("item_id", String(50), primary_key=True),
    Column("answer", String(8), primary_key=True),
    Column("count", Integer, nullable=False),
)

# Attempts to join a workshop by its code, per client, so guessing codes is slow.
join_attempt = Table(
    "join_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_join_attempt_client", "client", "at"),
)

answer = Table(
    "answer",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessment.id"), primary_key=True),
    Column("item_id", String(50), primary_key=True),
    Column("level", Integer, nullable=True),  # scored items
    Column("yes", Boolean, nullable=True),  # yes/no items
    Column("dont_know", Boolean, nullable=False, default=False),  # "vet ikke / ikke aktuelt"
    Column("comment", Text, nullable=True),
    Column("evidence", Text, nullable=True),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint("level IS NULL OR yes IS NULL", name="one_kind"),
    CheckConstraint("NOT dont_know OR (level IS NULL AND yes IS NULL)", name="dont_know"),
)

# Scores of one assessment (one respondent), stored on submit.
assessment_score = Table(
    "assessment_score",
    metadata,
    Column("assessment_id", Integer, ForeignKey("assessment.id"), primary_key=True),
    Column("dimension_id", String(50), primary_key=True),  # or 'overall'
    Column("score", Float, nullable=True),
    Column("level", Integer, nullable=True),
    Column("coverage", Float, nullable=True),
)

# Scores of a unit in a cycle over its counted assessments: what dashboards read.
unit_result = Table(
    "unit_result",
    metadata,
    Column("cycle_id", Integer, ForeignKey("cycle.id"), primary_key=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), primary_key=True),
    Column("dimension_id", String(50), primary_key=True),  # or 'overall'
    Column("questionnaire_version_id", Integer, ForeignKey("questionnaire_version.id"), nullable=False),
    Column("score", Float, nullable=True),
    Column("level", Integer, nullable=True),
    Column("respondents", Integer, nullable=False),
    Column("spread", Float, nullable=True),
    Column("stage", Integer, nullable=True),  # overall row, with a roadmap
    Column("journey", Float, nullable=True),
    Column("status", String(20), nullable=False),  # best status among counted assessments
    Column("computed_at", DateTime, nullable=False),
    Index("ix_unit_result_unit", "unit_id"),  # a unit's own history (profile, result page)
)

target = Table(
    "target",
    metadata,
    Column("unit_id", String(64), ForeignKey("org_unit.id"), primary_key=True),
    Column("dimension_id", String(50), primary_key=True),  # or 'overall'
    Column("target_level", Float, nullable=False),
    Column("baseline", Float, nullable=True),
    Column("target_cycle_id", Integer, ForeignKey("cycle.id"), nullable=True),
    Column("set_by", String(100), nullable=False),
    Column("set_at", DateTime, nullable=False),
)

action_item = Table(
    "action_item",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("cycle_id", Integer, ForeignKey("cycle.id"), nullable=False),
    Column("dimension_id", String(50), nullable=True),
    Column("what", Text, nullable=False),
    Column("who", String(200), nullable=True),
    Column("due_on", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("row_version", Integer, nullable=False, default=1),
    CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
    Index("ix_action_item_unit", "unit_id", "cycle_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("entity", String(50), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("before", Text, nullable=True),  # JSON
    Column("after", Text, nullable=True),  # JSON
    Index("ix_audit_log_entity", "entity", "entity_id"),
)

# The e-mails sent to unit leaders about a cycle (storage.campaign): an invitation when it
# opens, reminders before its deadline. A row is written as "sending" before the message
# goes to the mail server and becomes "sent" or "failed" after, so a second send, from
# this process or another, never mails the same person twice.
MAILING_KINDS = ("invitation", "reminder")
MAILING_STATUSES = ("sending", "sent", "failed")
mailing = Table(
    "mailing",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cycle_id", Integer, ForeignKey("cycle.id"), nullable=False),
    Column("user_id", String(100), ForeignKey("app_user.id"), nullable=False),  # the address
    Column("kind", String(12), nullable=False),
    Column("status", String(10), nullable=False),
    Column("units", Integer, nullable=False),  # how many units the message named
    Column("sent_by", String(100), nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),  # when the mail server accepted it
    Column("error", Text, nullable=True),  # why it failed, as the server or the network said
    CheckConstraint(_in("kind", MAILING_KINDS), name="kind"),
    CheckConstraint(_in("status", MAILING_STATUSES), name="status"),
    Index("ix_mailing_cycle_user", "cycle_id", "user_id", "kind"),
)

# The units a message was about: those the leader leads (an invitation) or those that have
# not sent in yet (a reminder). Management reads the record of the units they reach.
mailing_unit = Table(
    "mailing_unit",
    metadata,
    Column("mailing_id", Integer, ForeignKey("mailing.id"), primary_key=True),
    Column("unit_id", String(64), ForeignKey("org_unit.id"), primary_key=True),
    Index("ix_mailing_unit_unit", "unit_id"),
)

# Key-value facts about the database itself, e.g. whether it holds demo data.
setting = Table(
    "setting",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)

# Derived tables, rebuilt from the ones above whenever they may be stale (storage.rollup):
# the current organisation tree flattened, and the results added up per node of it, so a
# dashboard reads a node and its children instead of every unit under them.

org_node = Table(
    "org_node",
    metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("parent_id", String(64), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("name_nb", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("path", String(1000), nullable=False),  # "/root/…/unit/": ancestors and the unit itself
    Column("leaf", Boolean, nullable=False),
    Column("leaves", Integer, nullable=False),  # leaf units in the subtree (1 for a leaf)
    Index("ix_org_node_parent", "parent_id"),
)

node_result = Table(
    "node_result",
    metadata,
    Column("cycle_id", Integer, primary_key=True),
    Column("node_id", String(64), primary_key=True),
    Column("dimension_id", String(50), primary_key=True),  # or 'overall'
    Column("parent_id", String(64), nullable=True),
    Column("path", String(1000), nullable=False),
    Column("leaf", Boolean, nullable=False),
    Column("units", Integer, nullable=False),  # leaf units below with a score
    Column("score_sum", Float, nullable=False),
    Column("score_min", Float, nullable=True),
    Column("score_max", Float, nullable=True),
    Column("respondents", Integer, nullable=False),
    Column("spread", Float, nullable=True),  # one scored unit below: its respondents' spread
    Column("levels", Text, nullable=False),  # JSON: level -> units
    Column("stages", Text, nullable=True),  # JSON, overall rows: roadmap stage -> units
    Column("journeys", Text, nullable=True),  # JSON, overall rows: journey value -> units
    Column("change_sum", Float, nullable=False),  # overall: sum of score changes since the cycle before
    Column("change_units", Integer, nullable=False),  # overall: units scored in both cycles
    Column("submitted", Integer, nullable=False),  # overall: units with a counted assessment
    Column("drafts", Integer, nullable=False),  # overall: units with assessments, none counted
    Index("ix_node_result_parent", "cycle_id", "parent_id"),
    Index("ix_node_result_node", "node_id", "cycle_id"),
    Index("ix_node_result_change", "cycle_id", "dimension_id", "leaf", "change_sum"),
)

# An answers import in progress (storage.importing): its rows are written here in short
# batches while the app goes on, then moved into the tables above in one short transaction,
# and deleted. A stage whose import died is removed by a later import.
import_stage = Table(
    "import_stage",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file", String(200), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

staged_answer = Table(
    "staged_answer",
    metadata,
    Column("stage_id", String(32), nullable=False),
    Column("assessment_id", Integer, nullable=False),  # reserved before the swap creates it
    Column("item_id", String(50), nullable=False),
    Column("level", Integer, nullable=True),
    Column("yes", Boolean, nullable=True),
    Column("dont_know", Boolean, nullable=False),
    Column("comment", Text, nullable=True),
)

staged_score = Table(
    "staged_score",
    metadata,
    Column("stage_id", String(32), nullable=False),
    Column("assessment_id", Integer, nullable=False),
    Column("dimension_id", String(50), nullable=False),
    Column("score", Float, nullable=True),
    Column("level", Integer, nullable=True),
    Column("coverage", Float, nullable=True),
)
