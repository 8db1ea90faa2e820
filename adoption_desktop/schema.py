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


#: the name of every table of :func:`load_all_models`, written out so that a check of which tables a database
#: must hold (``core.storage.missing_tables``, at every open) needs no model imported: importing them all
#: and building their metadata took ~90 ms of every open (tests/core/test_schema_tables.py keeps the two equal)
TABLE_NAMES: frozenset[str] = frozenset({
    'access_reviews', 'adm_decision_types', 'adm_decisions', 'adm_info_requests', 'adm_letters', 'adm_notifications',
    'adm_qualifying_determinations', 'audit_columns', 'audit_head', 'audit_log', 'audit_seal', 'closure_days',
    'counselling_cases', 'counselling_chases', 'counselling_disclosures', 'counselling_redactions',
    'counselling_requests', 'counselling_sessions', 'drafts', 'journey_adopters', 'journey_children',
    'letterbox_arrangements', 'letterbox_attachment_blobs', 'letterbox_attachment_pages',
    'letterbox_attachments', 'letterbox_document_keys', 'letterbox_findings', 'letterbox_item_events',
    'letterbox_items', 'letterbox_letters_sent', 'letterbox_missed_exchanges', 'letterbox_participants',
    'letterbox_pattern_changes', 'letterbox_protected_terms', 'letterbox_support_referrals',
    'panel_appraisals', 'panel_attendance', 'panel_declarations', 'panel_item_absences', 'panel_items',
    'panel_members', 'panel_minutes', 'panel_papers', 'panel_sittings', 'presence_leases', 'settings',
    'template_versions', 'user_roles', 'users',
})


def load_all_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
