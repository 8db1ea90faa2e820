"""Every table of the application, imported in one place for migrations and database creation.

Each feature owns its models module and its alembic branch (``branch_labels``); this module only
imports them so ``Base.metadata`` is complete.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from adoption_desktop.core.storage.base import Base

MODEL_MODULES = (
    "adoption_desktop.core.models",
    "adoption_desktop.core.security.models",
    "adoption_desktop.core.audit",
    "adoption_desktop.core.presence",
    "adoption_desktop.panel.models",
    "adoption_desktop.adm.models",
    "adoption_desktop.letterbox.models",
    "adoption_desktop.letterbox.attachment_models",
    "adoption_desktop.letterbox.support_models",
    "adoption_desktop.counselling.models",
    "adoption_desktop.journey.models",
)


def load_all_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
