"""Adoption panel: central list, sittings, agendas, attendance and quorum, recommendations, minutes."""
