"""The demo city: the reference data (Harbin's real districts, the seed taxonomy, sources), a
unit per district plus city departments, one user per role, an intake API key, and the feed
systems and Twilio token the feed simulator signs with (integrations.demo). Safe to run
again: it only fills gaps. Production loads only the reference data (`setup_reference`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from command import staff_permissions
from command.api_keys import hash_key, issue_key
from command.models import ApiKey, Category, District, KeyScopes, Role, StaffProfile, Unit, UnitKind
from command.reference_setup import load_reference
from integrations import demo as integrations_demo

KEY_FILE = "demo_api_key.txt"

# City departments and the categories each handles city-wide.
DEPARTMENTS = [
    ("哈尔滨市水务局", UnitKind.DEPARTMENT, ["water_supply", "drainage"]),
    ("哈尔滨市供热管理办公室", UnitKind.DEPARTMENT, ["heating"]),
    ("哈尔滨市燃气公司", UnitKind.ENTERPRISE, ["gas_supply", "gas_leak"]),
    ("哈尔滨市供电公司", UnitKind.ENTERPRISE, ["power_supply"]),
    (
        "哈尔滨市城市管理局",
        UnitKind.DEPARTMENT,
        ["road_damage", "manhole_cover", "street_lights", "greenery", "fallen_tree"],
    ),
    ("哈尔滨市交通运输局", UnitKind.DEPARTMENT, ["public_transport"]),
    ("哈尔滨市公安局", UnitKind.DEPARTMENT, ["public_security", "traffic"]),
    ("哈尔滨市市场监督管理局", UnitKind.DEPARTMENT, ["food_safety", "elevator"]),
    ("哈尔滨市生态环境局", UnitKind.DEPARTMENT, ["pollution"]),
    ("哈尔滨市人力资源和社会保障局", UnitKind.DEPARTMENT, ["wage_arrears"]),
]


# Street offices (街道办事处) of a district government, for multi-level dispatch (下派): reached
# only when the district passes a ticket down, never by routing (no districts or categories).
STREET_OFFICES = [
    ("道里区人民政府", ["道里区兆麟街道办事处", "道里区新阳路街道办事处"]),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    unit_name: str | None = None


USERS = [
    DemoUser("operator", Role.OPERATOR),
    DemoUser("duty", Role.DUTY_OFFICER),
    DemoUser("leader", Role.DUTY_LEADER),
    DemoUser("daoli", Role.UNIT_STAFF, "道里区人民政府"),
    DemoUser("zhaolin", Role.UNIT_STAFF, "道里区兆麟街道办事处"),
    DemoUser("nangang", Role.UNIT_STAFF, "南岗区人民政府"),
    DemoUser("water", Role.UNIT_STAFF, "哈尔滨市水务局"),
    DemoUser("intake", Role.INTEGRATOR),
]


def setup(log: Callable[[str], object] = print) -> str:
    """Fill the demo city in; returns the intake API key (raw), for the banner."""
    with transaction.atomic():
        load_reference(log)
        load_units()
        load_users()
        staff_permissions.sync_admin_group()
        key = load_api_key()
        integrations_demo.setup(log)  # the feed systems and Twilio token the simulator signs with
    log(f"units: {Unit.objects.count()}")
    return key


def load_units() -> None:
    districts = list(District.objects.all())
    territorial = Category.objects.filter(unit_kind=UnitKind.DISTRICT_GOVERNMENT)
    for district in districts:
        unit, _ = Unit.objects.get_or_create(
            name=f"{district.name}人民政府",
            defaults={"kind": UnitKind.DISTRICT_GOVERNMENT, "contact_phone": "0451-12345"},
        )
        unit.districts.add(district)
        unit.categories.add(*territorial)
    for name, kind, codes in DEPARTMENTS:
        unit, _ = Unit.objects.get_or_create(
            name=name, defaults={"kind": kind, "contact_phone": "0451-12345"}
        )
        unit.districts.add(*districts)
        unit.categories.add(*Category.objects.filter(code__in=codes))
    for parent_name, names in STREET_OFFICES:
        parent = Unit.objects.filter(name=parent_name).first()
        for name in names if parent else ():
            Unit.objects.get_or_create(
                name=name,
                defaults={
                    "kind": UnitKind.STREET_OFFICE,
                    "parent": parent,
                    "contact_phone": "0451-12345",
                },
            )


def load_users() -> None:
    password = settings.CITYDESK["DEMO_PASSWORD"]
    user_model = get_user_model()
    for demo in USERS:
        user, created = user_model.objects.get_or_create(username=demo.username)
        if created:
            user.set_password(password)
            user.is_staff = demo.role in (Role.DUTY_OFFICER, Role.DUTY_LEADER)
            user.save()
        unit = Unit.objects.get(name=demo.unit_name) if demo.unit_name else None
        StaffProfile.objects.update_or_create(user=user, defaults={"role": demo.role, "unit": unit})
        # Exactly what the role matrix gives the role in the admin: set, not added, so running
        # this again also takes back what an older demo granted (staff profiles, once).
        user.user_permissions.set(staff_permissions.admin_permissions(demo.role))


def load_api_key() -> str:
    """The intake key: CITYDESK_DEMO_API_KEY if set, else one made once and kept in var/."""
    key_file = Path(settings.VAR_DIR) / KEY_FILE
    wanted = settings.CITYDESK["DEMO_API_KEY"]
    if not wanted and key_file.exists():
        wanted = key_file.read_text().strip()
    existing = ApiKey.objects.filter(key_hash=hash_key(wanted)).first() if wanted else None
    if existing is not None:
        # Intake only, also for a key an older demo made with every right.
        ApiKey.objects.filter(pk=existing.pk).update(
            active=True, scopes=KeyScopes.INTAKE, revoked_at=None, revoked_by=None
        )
        return wanted
    user = get_user_model().objects.get(username="intake")
    ApiKey.objects.filter(name="demo-intake").update(
        active=False, name="demo-intake (old)", revoked_at=timezone.now()
    )
    _, raw = issue_key("demo-intake", user, raw=wanted or None, scopes=KeyScopes.INTAKE)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(raw + "\n")
    key_file.chmod(0o600)
    return raw
