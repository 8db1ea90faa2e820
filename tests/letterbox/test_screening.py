"""Screening assistant: recall for every identifier kind, precision on ordinary family news."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.letterbox.screening import (
    DOB,
    EMAIL,
    INSTITUTION,
    PHONE,
    PLACE,
    POSTCODE,
    PROTECTED,
    SOCIAL,
    STREET,
    URL,
    VEHICLE,
    Finding,
    gazetteer,
    screen_text,
)

RECALL = [
    ("We moved house and the new postcode is ZZ99 3AB so please write there.", POSTCODE, "ZZ99 3AB"),
    ("Our old address was near LS6 2QT which you know.", POSTCODE, "LS6 2QT"),
    ("Ring me on 07700 900123 any time.", PHONE, "07700 900123"),
    ("The landline is (01632) 960 123 after six.", PHONE, "(01632) 960 123"),
    ("Call +44 7700 900456 if you like.", PHONE, "+44 7700 900456"),
    ("My cousin in Spain is on +34 612 345 678.", PHONE, "+34 612 345 678"),
    ("Email us at sunny.days@example.com please.", EMAIL, "sunny.days@example.com"),
    ("Her blog is www.example-family.co.uk/news and has photos.", URL, "www.example-family.co.uk/news"),
    ("See https://example.org/album?id=4 for more.", URL, "https://example.org/album?id=4"),
    ("Follow her on TikTok @sparkly_dancer_09 for videos.", SOCIAL, "@sparkly_dancer_09"),
    ("His Xbox gamertag is RocketFox77 now.", SOCIAL, "RocketFox77"),
    ("We live at 14 Wren Hollow Road now.", STREET, "14 Wren Hollow Road"),
    ("We walk down Oakfield Avenue every morning.", STREET, "Oakfield Avenue"),
    ("She loves St Brigid's Primary School.", INSTITUTION, "St Brigid's Primary School"),
    ("He started at Little Acorns Nursery in September.", INSTITUTION, "Little Acorns Nursery"),
    ("He plays for Riverside Juniors FC on Sundays.", INSTITUTION, "Riverside Juniors FC"),
    ("She was born at Kestrel Vale Hospital.", INSTITUTION, "Kestrel Vale Hospital"),
    ("Dad works at Henshaw Logistics now.", INSTITUTION, "Henshaw Logistics"),
    ("She is at Brookfield College studying art.", INSTITUTION, "Brookfield College"),
    ("We had a day out in Scarborough in the summer.", PLACE, "Scarborough"),
    ("We moved to Market Harborough last year.", PLACE, "Market Harborough"),
    ("We went to Bath to see the Roman baths.", PLACE, "Bath"),
    ("Grandad drove us to Milton Keynes.", PLACE, "Milton Keynes"),
    ("The new car is AB12 CDE and it is blue.", VEHICLE, "AB12 CDE"),
    ("The old van was R123 XYZ before it broke.", VEHICLE, "R123 XYZ"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), RECALL)
def test_each_identifier_kind_is_found(text: str, kind: str, expected: str) -> None:
    found = screen_text(text)
    hits = [(f.kind, f.text) for f in found]
    assert (kind, expected) in hits, hits
    for f in found:
        assert text[f.start:f.end] == f.text


def test_protected_terms_case_insensitive_whole_words_plural_possessive() -> None:
    text = "The Ashbys send love. ashby's dog is well. Mashby is not a match. Ashby family and Lily Rose."
    found = screen_text(text, protected=["Ashby", "Lily Rose"])
    texts = [f.text for f in found if f.kind == PROTECTED]
    assert texts == ["Ashbys", "ashby's", "Ashby", "Lily Rose"]


def test_protected_term_in_an_address_is_still_flagged() -> None:
    found = screen_text("Love from the Thornleys, ZZ99 4EF", protected=["Thornley"])
    assert [(f.kind, f.text) for f in found] == [(PROTECTED, "Thornleys"), (POSTCODE, "ZZ99 4EF")]


CLEAN = [
    "Dear Sam, I hope you are well. It was lovely to hear your news at Christmas. Mum sends her love.",
    "She is 7 now and in Year 4. She loves reading, swimming and dancing, and she got her 25 metre badge.",
    "In March we planted sunflowers. In May it rained all month. By August they were taller than Dad!",
    "He had a birthday party with a cake shaped like a dinosaur. He saved £20 of his pocket money.",
    "Reading is still her favourite thing, and she reads to her little brother every night.",
    "Hope you had a lovely Easter. We painted eggs and went for long walks with the dog.",
    "She joined the swimming club and goes to football on Saturdays. Her school play was about pirates.",
    "He starts Secondary School in September and is a bit nervous but excited too.",
    "We went to the beach in the summer holidays and built a huge sandcastle. It cost £3.50 for ice creams.",
    "Nan and Grandad came for Sunday dinner. Everyone is healthy and happy. With love, Mum and Dad.",
    "His favourite subjects are maths and science. He got 18 out of 20 in his spelling test.",
    "She has grown 5 cm since last year and now wears size 3 shoes. She lost two teeth in October.",
    "Bath time is still a splash-fest. Deal or no deal is his favourite game show with Grandma.",
    "The weather was lovely in June. We had a picnic in the park and fed the ducks.",
    "He is learning the piano and can play three songs. He practises for 15 minutes each day.",
    "She was a shepherd in the nativity at Christmas and sang in the choir.",
    "We got a new puppy called Biscuit. He is 12 weeks old and chews everything.",
    "Thank you for the lovely card. She put it on her wall next to her drawings.",
    "At the end of term she got a certificate for kindness. We are very proud of her.",
    "Sale of the century at the toy shop: she spent her birthday money on Lego.",
    "He is 14 now, taller than me, and loves his computer games and his bike.",
    "Lots of love to you all, and best wishes for the New Year from all of us.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_family_news_is_not_flagged(text: str) -> None:
    assert screen_text(text) == []


def test_a_whole_clean_letter_has_no_findings() -> None:
    assert screen_text("\n\n".join(CLEAN)) == []


def test_gazetteer_is_the_full_list_and_ordinary_words_need_a_place_context() -> None:
    gaz = gazetteer()
    assert len(gaz) > 30000
    # villages OS Open Names holds that the old 2,400-name list did not
    for village in ("Kessingland", "Miserden", "Ab Kettleby", "Black Callerton"):
        assert gaz.flag(village) == "", village
    for word in ("Reading", "Bath", "Sale", "Hope", "Street"):
        assert gaz.flag(word) in ("w", "n"), word
    assert gaz.flag("March") == "m"
    assert gaz.flag("Christmas") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("We moved to Reading in the spring.", ["Reading"]),
    ("Reading is her favourite thing.", []),
    ("She loves reading and bath time.", []),
    ("We went to Bath for the day.", ["Bath"]),
    ("There was a sale at the shop and we had a bath.", []),
    ("Hope you are well! We hope to hear from you.", []),
    ("Her aunt lives in Hope now.", ["Hope"]),
    ("He plays rugby for Sale Sharks juniors.", ["Sale Sharks"]),
    ("In March we planted sunflowers.", []),
    ("We moved to March last year.", ["March"]),
    ("She does street dance and walks down the street.", []),
    ("They live near Street in Somerset.", ["Street", "Somerset"]),
    ("we moved to scunthorpe in the summer", ["scunthorpe"]),
    ("He was in the Hartlepool Mail for his goal.", ["Hartlepool Mail"]),
    ("We go to Donny every week.", ["Donny"]),
    ("We had a week on the Isle of Wight.", ["Isle of Wight"]),
    ("We had a great time at the park and the rose garden.", []),
    ("We moved to a village called Little Snoring.", ["Little Snoring"]),
    ("Our new address is 5 The Paddocks, Little Snoring.", ["Little Snoring"]),
    ("12 Mill Lane, Hope, ZZ99 1AB", ["Hope"]),
    ("She is 7, Reading is her thing.", []),
    ("We have 2 cats, Salt and Pepper.", []),
])
def test_places_that_are_ordinary_words_are_flagged_only_in_a_place_context(text: str, expected: list[str]) -> None:
    assert [f.text for f in screen_text(text) if f.kind == PLACE] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3))
def test_random_text_never_crashes_and_offsets_are_true(text: str, protected: list[str]) -> None:
    for f in screen_text(text, protected):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text


def test_an_email_containing_a_protected_name_is_reported_as_an_email_and_as_the_name() -> None:
    """Issue 13: the shorter finding used to win, so the address itself was never flagged as contact details."""
    text = "Our family email is dev.family@example.co.uk so you can write whenever."
    found = screen_text(text, protected=["Dev"])
    assert len(found) == 1
    f = found[0]
    assert (f.start, f.end, f.text) == (20, 44, "dev.family@example.co.uk")
    assert f.kind == EMAIL
    assert set(f.kinds) == {EMAIL, PROTECTED}
    assert "e-mail" in f.reason and "Dev" in f.reason
    assert len(f.reasons) == 2


def test_overlapping_findings_merge_over_the_union_of_their_spans() -> None:
    text = "He plays for the Thornaby Tigers on Sundays."
    found = screen_text(text, protected=["Thornaby"])
    # a club named after a town, the protected town, and the team he plays for (one span, the institution
    # first of the kinds covering all of it)
    assert [(f.text, f.kind, set(f.kinds)) for f in found] == [
        ("Thornaby Tigers", INSTITUTION, {PLACE, PROTECTED, INSTITUTION})]


def test_a_finding_made_by_hand_still_has_kinds_and_reasons() -> None:
    f = Finding(0, 3, PHONE, "abc", "a phone number")
    assert f.kinds == (PHONE,) and f.reasons == ("a phone number",)


@pytest.mark.parametrize(("text", "expected"), [
    ("if u ever want to talk my snap is kaz_h2011 xx", "kaz_h2011"),
    ("add me on snapchat jordz.w09 if ur allowed", "jordz.w09"),
    ("on TikTok I'm jordzskillz", "jordzskillz"),
    ("Find me on Facebook as Julie Bramley-Hart if that is allowed.", "Julie Bramley-Hart"),
    ("my gamertag is N8 Builds It. I live", "N8 Builds It"),
    ("snapchat: jadeyboxx or on insta im jade.boxes", "jadeyboxx"),
    ("search Holme Valley Foster Friends on Facebook", "Holme Valley Foster Friends"),
    ("my insta its leanne.loves.u xx", "leanne.loves.u"),
])
def test_social_accounts_named_after_a_platform_cue_without_an_at_sign(text: str, expected: str) -> None:
    assert expected in [f.text for f in screen_text(text) if SOCIAL in f.kinds]


@pytest.mark.parametrize("text", [
    "She watches YouTube all the time and my snap is down at the moment.",
    "He is on Roblox too much. Add me on Facebook if you are allowed one day.",
    "My Instagram is private now.",
])
def test_talk_about_platforms_without_an_account_name_is_not_flagged(text: str) -> None:
    assert [f for f in screen_text(text) if SOCIAL in f.kinds] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("ur little sister was born on 14/07/2024 and shes tiny", "14/07/2024"),
    ("Your brother Tyler was born 2 February 2025 and he", "2 February 2025"),
    ("Ruby had her baby, a little girl, on the 9th January 2025, 7lb 2oz.", "9th January 2025"),
    ("my new baby was born on 23rd of july 2024.", "23rd of july 2024"),
    ("DOB 03.11.23 for the forms", "03.11.23"),
    ("Your baby brother Ezra arrived on 4 July 2024, 8lb 1oz.", "4 July 2024"),
    ("Your sister Isla arrived on March 21st, 2024 at tea time.", "March 21st, 2024"),
])
def test_dates_of_birth_with_the_year(text: str, expected: str) -> None:
    assert [f.text for f in screen_text(text) if DOB in f.kinds] == [expected]


@pytest.mark.parametrize("text", [
    "We went to the zoo on 12 August 2024 and saw the lions.",
    "Her birthday is on the 14th of July and she wants a bike.",
    "The exchange is due in 2025, in March.",
    "Thank you for your letter. It arrived on 3 March 2025 and we read it together.",
])
def test_other_dates_are_not_dates_of_birth(text: str) -> None:
    assert [f for f in screen_text(text) if DOB in f.kinds] == []


@pytest.mark.parametrize("text", [
    "He's doing his Duke of Edinburgh bronze award.",
    "We had roast beef and Yorkshire puddings, then Bakewell tart.",
    "Our Yorkshire terrier is called Pip.",
    "He joined the Army Cadets and loves the uniform.",
    "Grandma Rose sends her love.",
    "we had a chinese at nans on friday and then went to bed",
    "She goes to football on Saturdays. Her school play was about pirates.",
    "went to town with my mates and got a new top from primark",
])
def test_things_named_after_places_and_ordinary_chat_are_not_flagged(text: str) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == []


def test_the_shipped_gazetteer_was_rebuilt_after_the_hand_kept_lists_were_edited() -> None:
    """places.txt.gz is built from OS Open Names plus the lists beside it: every hand-kept name is in it and
    no never-name is (rebuild with resources/places/build_places.py after editing a list)."""
    from adoption_desktop.core.resources import resource_path

    def names(file: str) -> list[str]:
        lines = resource_path("places", file).read_text(encoding="utf-8").splitlines()
        return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]

    gaz = gazetteer()
    never = set(names("never.txt"))
    missing = [n for n in names("supplement.txt") + names("nicknames.txt") if n not in never and gaz.flag(n) is None]
    assert missing == []
    assert [n for n in never if gaz.flag(n) is not None] == []
    first = {w for line in names("first_names.txt") for w in line.split()}
    assert [n for n in first if gaz.flag(n) == ""] == []
    assert all(gaz.flag(n) in ("n", "w", "m") for n in names("ambiguous.txt") if gaz.flag(n) is not None)


def test_a_po_box_is_an_address() -> None:
    assert [(f.kind, f.text) for f in screen_text("Write to us at PO Box 123 please.")] == [(STREET, "PO Box 123")]


def test_findings_compare_on_span_kind_and_text_as_before() -> None:
    """Callers that compare findings with hand-made ones (the attachment and OCR screening) keep working."""
    found = screen_text("Email sunny.days@example.com please.")
    assert found == [Finding(6, 28, EMAIL, "sunny.days@example.com")]
    assert found[0].reason == "an e-mail address"


@pytest.mark.parametrize(("text", "expected"), [
    ("I go to the Lifeline café on Wednesdays.", "Lifeline café"),
    ("i work in the kitchen at Wetherspoons now", "Wetherspoons"),
    ("He trains at Team Phoenix Martial Arts.", "Team Phoenix Martial Arts"),
])
def test_institutions_named_in_everyday_ways(text: str, expected: str) -> None:
    assert expected in [f.text for f in screen_text(text) if INSTITUTION in f.kinds]
