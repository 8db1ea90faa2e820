"""Synthetic demo databases. Every name, place and reference here is invented.

``demo --db PATH --size small|large`` creates the database, the demo users (one per role, password
:data:`DEMO_PASSWORD`) and then runs each feature's ``demo.populate(db, ctx)`` in order. ``large``
matches the installation size in the domain notes (1,500 arrangements, ~100,000 exchanges, 60 panels
a year, 2,000 counselling cases, 40 users).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from adoption_desktop.core.security.models import User, UserRole
from adoption_desktop.core.security.passwords import hash_password
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database

DEMO_PASSWORD = "demo-password"
DEMO_STEPS = (
    "adoption_desktop.panel.demo",
    "adoption_desktop.adm.demo",
    "adoption_desktop.letterbox.demo",
    "adoption_desktop.letterbox.demo_contact",
    "adoption_desktop.counselling.demo",
    "adoption_desktop.journey.demo",
)
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Avery Ashcombe", Role.ADMINISTRATOR),
    ("paneladmin", "Pat Brackenley", Role.PANEL_ADMINISTRATOR),
    ("chair", "Charlie Copplestead", Role.PANEL_CHAIR),
    ("adm", "Dana Dunwick", Role.AGENCY_DECISION_MAKER),
    ("letterbox", "Lee Elderholt", Role.LETTERBOX_COORDINATOR),
    ("counsellor", "Corey Fenmere", Role.COUNSELLOR),
    ("manager", "Morgan Gorseley", Role.MANAGER),
)

FIRST_NAMES = (
    "Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gina", "Harvey", "Isla", "Jay", "Kit", "Lola", "Max",
    "Nia", "Ollie", "Poppy", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Will", "Xena", "Yusuf",
    "Zara", "Alfie", "Bea", "Cody", "Daisy", "Eli", "Freya", "Gus", "Hana", "Ivo", "Jess",
)
_SURNAME_HEADS = (
    "Ash", "Bram", "Copple", "Dun", "Elder", "Fen", "Gorse", "Hazel", "Ivy", "Juniper", "Kestrel",
    "Lark", "Moss", "Nettle", "Oaken", "Pebble", "Quill", "Rowan", "Sorrel", "Thorn", "Umber", "Vetch",
    "Wren", "Yarrow", "Bracken", "Clover", "Dew", "Flint", "Heron", "Marrow",
)
_SURNAME_TAILS = (
    "by", "combe", "dale", "field", "ford", "gate", "ham", "holt", "hurst", "ley", "mere", "more",
    "stead", "ton", "well", "wick", "worth", "bridge", "brook", "cott",
)
FICTIONAL_TOWNS = (
    "Ambleford", "Brackwater", "Cinderby", "Dellmouth", "Eastholm", "Fallowmere", "Greystow",
    "Hollinbrook", "Ivelcombe", "Kettlewick", "Lowmarsh", "Millhaven", "Northwold", "Oakmere",
)


@dataclass
class DemoContext:
    size: str
    rng: random.Random
    today: dt.date
    users: dict[Role, Principal] = field(default_factory=dict)
    extra_users: list[Principal] = field(default_factory=list)
    progress: Callable[[str], None] = lambda _msg: None

    @property
    def large(self) -> bool:
        return self.size == "large"

    def surname(self) -> str:
        return self.rng.choice(_SURNAME_HEADS) + self.rng.choice(_SURNAME_TAILS)

    def first_name(self) -> str:
        return self.rng.choice(FIRST_NAMES)

    def full_name(self) -> str:
        return f"{self.first_name()} {self.surname()}"

    def town(self) -> str:
        return self.rng.choice(FICTIONAL_TOWNS)

    def postcode(self) -> str:
        # ZZ99 is not a real postal area
        return f"ZZ99 {self.rng.randint(1, 9)}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"

    def address(self) -> str:
        return (f"{self.rng.randint(1, 200)} {self.rng.choice(_SURNAME_HEADS)} Road\n{self.town()}\n"
                f"{self.postcode()}")


def _create_users(db: Database, ctx: DemoContext) -> None:
    pw_hash = hash_password(DEMO_PASSWORD)
    with db.session() as session:
        made: list[tuple[User, Role]] = []
        for username, full_name, role in DEMO_USERS:
            user = User(username=username, full_name=full_name, password_hash=pw_hash)
            user.roles = [UserRole(role=str(role))]
            session.add(user)
            made.append((user, role))
        extra = 33 if ctx.large else 3
        extra_roles = (Role.LETTERBOX_COORDINATOR, Role.COUNSELLOR, Role.PANEL_ADMINISTRATOR,
                       Role.AGENCY_DECISION_MAKER)
        extras: list[tuple[User, Role]] = []
        for i in range(extra):
            role = extra_roles[i % len(extra_roles)]
            user = User(username=f"user{i + 1:02d}", full_name=ctx.full_name(), password_hash=pw_hash)
            user.roles = [UserRole(role=str(role))]
            session.add(user)
            extras.append((user, role))
        session.flush()
        for user, role in made:
            ctx.users[role] = Principal(user.id, user.username, user.full_name, frozenset({role}))
        ctx.extra_users = [Principal(u.id, u.username, u.full_name, frozenset({r})) for u, r in extras]


def _agency_profile(db: Database) -> None:
    """The demo letterhead: the invented agency's name and address, as an administrator would have set them (a
    database whose profile was never set asks its administrator to, on My work), and its contact details
    (01632 960xxx: numbers Ofcom keeps for drama; example.org)."""
    import json

    from adoption_desktop.core.agency_profile import AGENCY_DATA_PROTECTION as DP
    from adoption_desktop.core.agency_profile import AGENCY_EMAIL, AGENCY_TELEPHONE, AGENCY_WEBSITE
    from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME
    from adoption_desktop.core.models import SettingValue

    with db.session() as session:
        for setting, value in ((AGENCY_NAME, AGENCY_NAME.default), (AGENCY_ADDRESS, AGENCY_ADDRESS.default),
                               (AGENCY_TELEPHONE, "01632 960 000"), (AGENCY_EMAIL, "adoption@example.org"),
                               (AGENCY_WEBSITE, "www.example.org"),
                               (DP, "How we use your information: www.example.org/privacy")):
            session.add(SettingValue(key=setting.key, value=json.dumps(value)))


#: the areas as the user knows them, for the progress window ("Filling in Letterbox…")
AREA_NAMES = {"adm": "ADM decisions", "letterbox": "Letterbox", "panel": "Panel", "counselling": "Counselling",
              "reports": "Reports"}


def available_steps() -> list[str]:
    return [name for name in DEMO_STEPS if importlib.util.find_spec(name) is not None]


def populate(db: Database, size: str = "small", *, seed: int = 20261123, today: dt.date | None = None,
             progress: Callable[[str], None] | None = None) -> DemoContext:
    if size not in {"small", "large"}:
        raise ValueError("size is 'small' or 'large'")
    ctx = DemoContext(size=size, rng=random.Random(seed), today=today or dt.date.today())
    if progress:
        ctx.progress = progress
    ctx.progress("Creating the demo users…")
    _create_users(db, ctx)
    _agency_profile(db)
    said = ""
    for name in available_steps():
        area = name.rsplit(".", 2)[-2]
        words = f"Filling in {AREA_NAMES.get(area, area.replace('_', ' ').capitalize())}…"
        if words != said:  # an area with two steps is said once
            ctx.progress(words)
            said = words
        module = importlib.import_module(name)
        module.populate(db, ctx)
    return ctx
