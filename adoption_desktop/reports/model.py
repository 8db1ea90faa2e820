"""Figures for the six-monthly and annual reports: plain data each feature returns for a date range.

Each feature module ``adoption_desktop.<feature>.figures`` exposes
``figures(db, actor, start, end) -> list[FigureSection]``; the Reports screen and the CSV export
collect them. Figures are counts and durations only, never names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIGURE_MODULES = (
    "adoption_desktop.panel.figures",
    "adoption_desktop.panel.deferrals",
    "adoption_desktop.panel.makeup",
    "adoption_desktop.panel.attendance",
    "adoption_desktop.panel.appraisals",
    "adoption_desktop.adm.figures",
    "adoption_desktop.adm.more_information",
    "adoption_desktop.letterbox.figures",
    "adoption_desktop.letterbox.contact_figures",
    "adoption_desktop.letterbox.support_figures",
    "adoption_desktop.counselling.figures",
    "adoption_desktop.journey.figures",
    "adoption_desktop.journey.adopter_figures",
)


@dataclass(frozen=True)
class FigureSection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label, value (already formatted)
