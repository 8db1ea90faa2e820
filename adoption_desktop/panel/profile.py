"""A central-list member's profile for the panel make-up figures: gender and ethnicity (both optional,
self-described, "not recorded" unless given). Pure: no database, no Qt.

Ethnicity uses the Office for National Statistics' 2021 Census classification for England and Wales
(19 categories in 5 high-level groups, ONS "Ethnic group classifications: Census 2021"), plus "not
recorded" (nothing entered) and "prefers not to say" (the member declined). The report counts the five
high-level groups, so small categories do not identify anyone; the detailed category stays on the list.
"""

from __future__ import annotations

NOT_RECORDED = ""
PREFERS_NOT_TO_SAY = "prefer_not_to_say"

#: gender as the member describes it
GENDERS: dict[str, str] = {
    NOT_RECORDED: "Not recorded",
    "female": "Female",
    "male": "Male",
    "other": "Describes themselves in another way",
    PREFERS_NOT_TO_SAY: "Prefers not to say",
}

#: ONS 2021 high-level ethnic groups (England and Wales)
ETHNIC_GROUPS: dict[str, str] = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}

#: ONS 2021 detailed categories: code -> (high-level group, label)
ETHNICITIES: dict[str, tuple[str, str]] = {
    "asian_bangladeshi": ("asian", "Bangladeshi"),
    "asian_chinese": ("asian", "Chinese"),
    "asian_indian": ("asian", "Indian"),
    "asian_pakistani": ("asian", "Pakistani"),
    "asian_other": ("asian", "Any other Asian background"),
    "black_african": ("black", "African"),
    "black_caribbean": ("black", "Caribbean"),
    "black_other": ("black", "Any other Black, Black British or Caribbean background"),
    "mixed_white_asian": ("mixed", "White and Asian"),
    "mixed_white_black_african": ("mixed", "White and Black African"),
    "mixed_white_black_caribbean": ("mixed", "White and Black Caribbean"),
    "mixed_other": ("mixed", "Any other Mixed or Multiple ethnic background"),
    "white_british": ("white", "English, Welsh, Scottish, Northern Irish or British"),
    "white_irish": ("white", "Irish"),
    "white_gypsy_traveller": ("white", "Gypsy or Irish Traveller"),
    "white_roma": ("white", "Roma"),
    "white_other": ("white", "Any other White background"),
    "other_arab": ("other", "Arab"),
    "other_any": ("other", "Any other ethnic group"),
}


def ethnicity_label(code: str) -> str:
    """"White: Irish", "Not recorded", "Prefers not to say"."""
    if code == NOT_RECORDED:
        return "Not recorded"
    if code == PREFERS_NOT_TO_SAY:
        return "Prefers not to say"
    group, label = ETHNICITIES[code]
    return f"{ETHNIC_GROUPS[group]}: {label}"


def ethnic_group(code: str) -> str:
    """The high-level group's label a report counts (or "Not recorded" / "Prefers not to say")."""
    if code in (NOT_RECORDED, PREFERS_NOT_TO_SAY):
        return ethnicity_label(code)
    return ETHNIC_GROUPS[ETHNICITIES[code][0]]


def ethnicity_choices() -> list[tuple[str, str]]:
    """(code, label) in the order a form lists them: not recorded first, prefers not to say last."""
    return ([(NOT_RECORDED, "Not recorded")] + [(c, ethnicity_label(c)) for c in ETHNICITIES]
            + [(PREFERS_NOT_TO_SAY, "Prefers not to say")])


def gender_problem(code: str) -> str | None:
    if code in GENDERS:
        return None
    return "Gender: choose one of " + ", ".join(GENDERS.values()) + "."


def ethnicity_problem(code: str) -> str | None:
    if code in (NOT_RECORDED, PREFERS_NOT_TO_SAY) or code in ETHNICITIES:
        return None
    return ("Ethnicity: choose one of the ONS 2021 categories from the list, \"Not recorded\" or \"Prefers not "
            "to say\".")
