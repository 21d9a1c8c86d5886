"""Django's per-model permissions as the role matrix (command.access_rules.ADMIN) gives them:
the administrators group, kept in step after every migrate, and each role's grants."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from command import access_rules


def admin_permissions(actor: str) -> list[Permission]:
    """Django's permissions for what access_rules.ADMIN lets `actor` do in the admin."""
    column = access_rules.ACTORS.index(actor)
    wanted = Q(pk__in=[])
    for label, row in access_rules.ADMIN.items():
        app_label, model = label.split(".")
        letters = row[column]
        codenames = [f"{verb}_{model}" for verb, v in access_rules.VERBS.items() if v in letters]
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    return list(Permission.objects.filter(wanted))


def sync_admin_group(**_signal) -> None:
    """The administrators group with the permissions the matrix gives administrators. Members
    are added by an administrator (who also sets is_staff); the group itself always exists."""
    group, _ = Group.objects.get_or_create(name=access_rules.ADMIN_GROUP)
    group.permissions.set(admin_permissions(access_rules.ADMINISTRATOR))
