"""The agency's letterhead from its profile (``core.agency_profile``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from adoption_desktop.core.documents.pdf import Letterhead


def letterhead(session: Session, area: str | None = None) -> Letterhead:
    """Name, address, contact details, logo and data-protection line; ``area`` ("panel", "adm",
    "letterbox", "counselling") adds that team's name under the agency's."""
    from adoption_desktop.core.agency_profile import agency_profile

    p = agency_profile(session)
    return Letterhead(p.name, p.address, team_name=p.team(area), telephone=p.telephone, email=p.email,
                      website=p.website, logo_png=p.logo_png, data_protection=p.data_protection)
