"""Ten realistic clean family-news letters that must give no finding, and ten letters that each carry one
identifier that must be caught (and nothing else flagged)."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import screen_text

FAMILY_NEWS: list[str] = [
    # birthday
    """Dear Tara,

Ivy turned eight in February and had a sleepover with three friends from her class. They stayed up far too late
watching a film and eating popcorn, and she was very grumpy the next morning! Her cake was a rainbow with eight
candles and she blew them all out in one go. She asked me to tell you that her favourite present was a book about
space, and she now knows the names of all the planets.

With best wishes,
Mum and Dad""",
    # school play
    """Dear Lola,

Max had a big part in the school play before Christmas. He was the Grinch and had to learn lots of lines, which we
practised every evening at the kitchen table. On the night he was brilliant and made everyone laugh. His teacher
said he was a natural. He is in Year 6 now and has started thinking about which secondary school he would like,
which feels very grown up. He goes to Cubs on Monday
nights and came second in the egg and spoon race on Sports Day.

Warm wishes from all of us""",
    # football
    """Hello Will,

Football has taken over our weekends! Finn plays every Saturday morning in the under-10s and scored his first goal
in October. He talks about it all the time. He also watches the matches on television with his dad and has a poster
of his favourite player on his bedroom wall. When it rains he still wants to go out and practise in the garden, so
we get through a lot of muddy socks.

Best wishes,
Jo and Ash""",
    # holiday abroad, described generically
    """Dear Hana,

This summer we had our first holiday abroad. We flew for about two hours and stayed in a small apartment near the
sea. It was very hot, so we swam every morning and stayed in the shade after lunch. Ivy tried squid for the first
time and decided she does not like it. She learned to say hello and thank you in the local language and used it
with everyone. We came home tired and brown and very happy.

Love from all of us""",
    # pets
    """Dear Gus,

We have a new member of the family: a rescue cat called Pickle. She is black with one white paw and she sleeps on
Max's bed every night. The hamster is still going strong at two years old. Max feeds them both before school and
cleans out the cage on Sundays, which I think is very responsible for an eleven-year-old. He drew you a picture of
Pickle, which is in the envelope.

With love""",
    # grandparents
    """Dear Tara,

Grandma and Grandpa came to stay for a week in the Easter holidays. Grandpa taught Ivy to play chess and now she
beats him most of the time. Grandma helped her make a patchwork cushion for her bedroom. They went to the cinema
together and had a big bucket of popcorn. Ivy cried when they left, but we will see them again in the summer. On Mother's Day
she made me breakfast in bed, and she has passed her Grade 3 piano exam with a Merit.

Best wishes""",
    # Christmas
    """Dear Lola,

We had a lovely Christmas. Max was up at five o'clock to see if Father Christmas had been, and he had! He got a
new bike, some games and a big box of chocolates which he shared (mostly) with his cousins. We went for a long walk
on Boxing Day and played board games in the evening. On New Year's Eve he stayed up until midnight for the first
time.

Merry Christmas and a happy New Year to you""",
    # money gifts described
    """Dear Will,

Thank you so much for the £10 you sent for Finn's birthday. He has put it in his money box with the £15 he got from
his aunt and the £5 he earned washing the car. He is saving up for a new pair of football boots, which cost about
£40, so he is more than halfway there. He wanted me to tell you that he counts it every Saturday.

Thank you again""",
    # exam results
    """Dear Hana,

We wanted to share some good news. Ivy got her GCSE results in August and passed all nine, with a 7 in English and
an 8 in art. She was so nervous opening the envelope that her hands were shaking. She is now studying art, English
and history for A levels and hopes to go to university one day to study illustration.

With very best wishes""",
    # general round-up
    """Dear Gus,

It has been a busy year. Max is 12 now, has grown out of three pairs of shoes and is learning the guitar. He had
his tonsils out in the spring and recovered quickly with lots of ice cream. In the autumn half term we went to a
theme park and he went on the biggest ride twice. He still loves drawing, swimming and building things out of Lego.

Take care, and we look forward to hearing from you in September."""
]

ONE_IDENTIFIER: list[tuple[str, str, str]] = [
    # (letter, kind, expected text)
    ("""Dear Tara,

Ivy has joined the Brownies and goes every Tuesday. Our new postcode is ZZ99 7QD if you want to send anything
directly. She loves her new bedroom.

Best wishes""", "postcode", "ZZ99 7QD"),
    ("""Dear Lola,

Max has a mobile phone now for his 12th birthday and says you can text him on 07700 900871 whenever you like.
He is very proud of it.

Love""", "phone", "07700 900871"),
    ("""Dear Will,

Finn has set up an email address, finn.heronby10@example.com, so that he can write to you himself. He has been
practising his typing.

Best wishes""", "email", "finn.heronby10@example.com"),
    ("""Dear Hana,

Ivy has been posting her drawings online and she has quite a few followers on Instagram @ivydraws_art now.
She would love you to see them.

Love from all of us""", "social handle", "@ivydraws_art"),
    ("""Dear Gus,

We moved house in the summer and now live at 22 Pennyroyal Crescent, which is much bigger. Max has his own room
at last.

With love""", "street address", "22 Pennyroyal Crescent"),
    ("""Dear Tara,

Ivy started at Hollybrook Primary School in September and she loves her teacher. She has made two good friends
already.

Best wishes""", "institution", "Hollybrook Primary School"),
    ("""Dear Lola,

In the holidays we went to the big carnival in Scarborough, right near our house, and Max won a goldfish.

Warm wishes""", "place", "Scarborough"),
    ("""Dear Will,

Finn's team made it to the cup final. They play for Millbeck Rovers FC and train twice a week. He is
captain this year.

Best wishes""", "institution", "Millbeck Rovers FC"),
    ("""Dear Hana,

We have a new car at last, a big blue one with the number plate LK19 ZXR, and Ivy chose the colour.

Love""", "vehicle registration", "LK19 ZXR"),
    ("""Dear Gus,

Max has made a video of his Lego models and you can watch it at www.example.com/maxbuilds if you would like to.

With love""", "url", "www.example.com/maxbuilds"),
]


@pytest.mark.parametrize("letter", FAMILY_NEWS, ids=[f"clean-{n}" for n in range(len(FAMILY_NEWS))])
def test_realistic_family_news_letter_gives_no_finding(letter: str) -> None:
    assert [(f.kind, f.text) for f in screen_text(letter)] == []


@pytest.mark.parametrize(("letter", "kind", "expected"), ONE_IDENTIFIER, ids=[k for _l, k, _e in ONE_IDENTIFIER])
def test_realistic_letter_with_one_identifier_is_caught(letter: str, kind: str, expected: str) -> None:
    found = screen_text(letter)
    assert [(f.kind, f.text) for f in found] == [(kind, expected)]
    assert letter[found[0].start:found[0].end] == expected
