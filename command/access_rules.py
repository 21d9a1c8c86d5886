"""The role matrix: who may read, act on and administer what. The API, the admin, the socket
streams and the lifecycle all ask here (through command.roles); SECURITY.md shows this table and
a test keeps the two equal.

Columns are the staff roles (command.models.Role) plus `administrator`: a superuser or a member
of the ADMIN_GROUP group, whatever their role. A user may do what any of their columns allows.
"""

from __future__ import annotations

import functools

from command.models import Role

ADMINISTRATOR = "administrator"
ADMIN_GROUP = "administrators"
ACTORS: tuple[str, ...] = (
    Role.OPERATOR,
    Role.DUTY_OFFICER,
    Role.DUTY_LEADER,
    Role.UNIT_STAFF,
    Role.INTEGRATOR,
    ADMINISTRATOR,
)

# Cells: ALL = every incident in the city; UNIT = incidents assigned to the actor's unit or
# its sub-units; YES = allowed; NO = refused.
ALL, UNIT, YES, NO = "all", "unit", "yes", "-"

# Reading and acting, through the API and the sockets. Every lifecycle transition has a row
# (named as in command.lifecycle.TRANSITIONS).
# fmt: off
ACTIONS: dict[str, tuple[str, ...]] = {
    #                     operator duty_officer duty_leader unit_staff integrator administrator
    "incidents.read":     (ALL,    ALL,         ALL,        UNIT,      ALL,       ALL),
    "streams.read":       (ALL,    ALL,         ALL,        UNIT,      NO,        NO),
    "personal_data.read": (YES,    NO,          NO,         NO,        NO,        YES),
    "hotline.read":       (YES,    YES,         YES,        NO,        NO,        YES),
    "reports.submit":     (YES,    YES,         YES,        NO,        YES,       NO),
    "dispatch":           (YES,    YES,         YES,        NO,        NO,        NO),
    "sign":               (NO,     NO,          NO,         UNIT,      NO,        NO),
    "start":              (NO,     NO,          NO,         UNIT,      NO,        NO),
    "return":             (NO,     NO,          NO,         UNIT,      NO,        NO),
    "request_extension":  (NO,     NO,          NO,         UNIT,      NO,        NO),
    "approve_extension":  (NO,     YES,         YES,        NO,        NO,        NO),
    "reject_extension":   (NO,     YES,         YES,        NO,        NO,        NO),
    "note":               (NO,     NO,          NO,         UNIT,      NO,        NO),
    "resolve":            (NO,     NO,          NO,         UNIT,      NO,        NO),
    "close":              (YES,    YES,         YES,        NO,        NO,        NO),
    "reopen":             (YES,    YES,         YES,        NO,        NO,        NO),
    "merge":              (YES,    YES,         YES,        NO,        NO,        NO),
    "unmerge":            (YES,    YES,         YES,        NO,        NO,        NO),
    "split":              (YES,    YES,         YES,        NO,        NO,        NO),
    "redispatch":         (NO,     YES,         YES,        NO,        NO,        NO),
    "overrule_return":    (NO,     YES,         YES,        NO,        NO,        NO),
    "pass_down":          (NO,     NO,          NO,         UNIT,      NO,        NO),
    "assist":             (NO,     YES,         YES,        NO,        NO,        NO),
    "sign_assist":        (NO,     NO,          NO,         UNIT,      NO,        NO),
    "finish_assist":      (NO,     NO,          NO,         UNIT,      NO,        NO),
    "issue_notice":       (NO,     YES,         YES,        NO,        NO,        NO),
    "reply_notice":       (NO,     NO,          NO,         UNIT,      NO,        NO),
    # The supervision scanner's marks: the system only, never a person.
    "mark_warning":       (NO,     NO,          NO,         NO,        NO,        NO),
    "mark_overdue":       (NO,     NO,          NO,         NO,        NO,        NO),
    "mark_not_signed":    (NO,     NO,          NO,         NO,        NO,        NO),
    "mark_notice_unanswered": (NO, NO,          NO,         NO,        NO,        NO),
    "make_major":         (NO,     YES,         YES,        NO,        NO,        NO),
    "acknowledge":        (NO,     YES,         YES,        NO,        NO,        NO),
    "alert_leader":       (NO,     NO,          NO,         NO,        NO,        NO),  # system
    "transfer_to_police": (NO,     YES,         YES,        NO,        NO,        NO),
    "police_answer":      (NO,     NO,          NO,         NO,        NO,        NO),  # system
}

# The admin site (/admin/), per model: v view, a add, c change, d delete. Only users with
# is_staff reach it at all. Incidents and events are read-only for everyone: state changes go
# through the lifecycle. Staff, groups and API keys: administrators only; a key is revoked,
# never deleted (its request log names it), and the log is read-only (pruned by retention).
ADMIN: dict[str, tuple[str, ...]] = {
    #                         operator duty_officer duty_leader unit_staff integrator administrator
    "command.source":         (NO,     "vac",       "vac",      NO,        NO,        "vacd"),
    "command.category":       (NO,     "vac",       "vac",      NO,        NO,        "vacd"),
    "command.categoryalias":  (NO,     NO,          "vacd",     NO,        NO,        "vacd"),
    "command.unit":           (NO,     "vac",       "vac",      NO,        NO,        "vacd"),
    "command.holiday":        (NO,     "vac",       "vac",      NO,        NO,        "vacd"),
    "command.district":       (NO,     "v",         "v",        NO,        NO,        "v"),
    "command.incident":       (NO,     "v",         "v",        NO,        NO,        "v"),
    "command.outboxevent":    (NO,     "v",         "v",        NO,        NO,        "v"),
    "command.staffprofile":   (NO,     NO,          NO,         NO,        NO,        "vacd"),
    "command.apikey":         (NO,     NO,          NO,         NO,        NO,        "vac"),
    "command.apirequest":     (NO,     NO,          NO,         NO,        NO,        "v"),
    "auth.user":              (NO,     NO,          NO,         NO,        NO,        "vacd"),
    "auth.group":             (NO,     NO,          NO,         NO,        NO,        "vacd"),
    "axes.accessattempt":     (NO,     NO,          NO,         NO,        NO,        "vd"),
    "axes.accesslog":         (NO,     NO,          NO,         NO,        NO,        "vd"),
    "axes.accessfailurelog":  (NO,     NO,          NO,         NO,        NO,        "vd"),
    "hotline.blockednumber":  (NO,     "vacd",      "vacd",     NO,        NO,        "vacd"),
    "hotline.inboundmessage": (NO,     "v",         "v",        NO,        NO,        "v"),
    "duty.shiftkind":         (NO,     "v",         "vac",      NO,        NO,        "vacd"),
    "duty.escalationlevel":   (NO,     "v",         "vac",      NO,        NO,        "vacd"),
    "duty.dutycontact":       (NO,     NO,          "vac",      NO,        NO,        "vacd"),
    "integrations.feedsystem": (NO,    NO,          NO,         NO,        NO,        "vacd"),
    "integrations.feeddeadletter": (NO, NO,         NO,         NO,        NO,        "vcd"),
    # The feed systems' request log, as the keys' one: read-only, pruned by retention.
    "integrations.feedrequest": (NO,   NO,          NO,         NO,        NO,        "v"),
    # Status-backs and transfers to the feed systems: the leader on duty sees failures;
    # administrators also re-queue them (retry now) or give one up.
    "integrations.feeddelivery": (NO,  NO,          "v",        NO,        NO,        "vc"),
}
# fmt: on
VERBS = {"view": "v", "add": "a", "change": "c", "delete": "d"}


def reach(actors: frozenset[str], action: str) -> str:
    """The widest cell `actors` have for `action`: ALL over UNIT over YES over NO."""
    cells = {ACTIONS[action][ACTORS.index(actor)] for actor in actors if actor in ACTORS}
    return next((cell for cell in (ALL, UNIT, YES) if cell in cells), NO)


def admin_allows(actors: frozenset[str], model: str, verb: str) -> bool:
    """Whether `actors` may `verb` (view, add, change, delete) `model` ("app_label.model")."""
    row = ADMIN.get(model)
    if row is None:
        return False  # a model the matrix does not name is closed to everyone
    letter = VERBS[verb]
    return any(letter in row[ACTORS.index(actor)] for actor in actors if actor in ACTORS)


@functools.cache
def roles_for(action: str) -> frozenset[Role]:
    """The staff roles that may take `action` at all (the lifecycle then checks the unit)."""
    row = ACTIONS[action]
    return frozenset(
        Role(actor)
        for actor, cell in zip(ACTORS, row, strict=True)
        if cell != NO and actor != ADMINISTRATOR
    )


def as_markdown() -> str:
    """Both tables as SECURITY.md shows them (a test checks that it does)."""
    lines = []
    for title, table in (("action", ACTIONS), ("admin model", ADMIN)):
        lines.append(f"| {title} | {' | '.join(ACTORS)} |")
        lines.append(f"|---|{'---|' * len(ACTORS)}")
        lines.extend(f"| `{name}` | {' | '.join(row)} |" for name, row in table.items())
        lines.append("")
    return "\n".join(lines)
