"""The agency's letterhead from its settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME
from adoption_desktop.core.documents.pdf import Letterhead
from adoption_desktop.core.settings_service import get_setting


def letterhead(session: Session) -> Letterhead:
    return Letterhead(get_setting(session, AGENCY_NAME), get_setting(session, AGENCY_ADDRESS))
