"""The ``news``, ``remarks`` and ``persona`` skills: everyday news read by the committed bundle's learnt
``good_news`` / ``bad_news`` classifiers with their real text encoder, remarks about the weather and the crowd, and
questions and jibes about the kiosk itself; and what each leaves to the model."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from edge_vdialog.dialogue.answers import AnswerBank
from edge_vdialog.dialogue.skills import SKILLS, Context, skill, skill_answer
from edge_vdialog.dialogue.skills import news, persona, remarks


def context(answers: AnswerBank | None, asked: bool = False) -> Context:
    return Context(datetime(2026, 12, 2, 12), random.Random(0), answers=answers, follows_question=asked)


@pytest.mark.parametrize(("text", "kind"), [
    ("just got engaged by the flamingo pond!!! 💍", "engaged"),
    ("we just found out were having twins", "baby"),
    ("my daughter just said her first word and it was duck lol", "milestone"),
    ("just got the keys to my first flat today!! 🎉", "home"),
    ("just got promoted and the company is paying for this whole trip 😎", "work"),
    ("got my exam results this morning, passed everything", "study"),
    ("its my 16th birthday today!!! 🎉🎂", "birthday"),
    ("Just retired after forty years, so I'm finally going to walk the Pennine Way.", "retired"),
    ("my tomatoes won 2nd place at the village show", "feat"),
    ("my nan is 95 tomorow, picking up her card on the way", "their birthday"),          # whatever the classifiers
    ("first day of my summer holidays woohoo", "other"),
    ("we got a new kitten called pickle", "pet"),
    ("My mum got a new job so we're celebrating here!", "theirs"),                    # someone else's
    ("my wife had twins last week so this is my last match for a while lol", "baby"),  # sure by its words
])
def test_good_news_gets_a_congratulation_of_its_kind(default_bank, text, kind):
    assert skill("news")(text, context(default_bank)) in news.GOOD[kind]


@pytest.mark.parametrize(("text", "kind"), [
    ("lost my wallet on the way here ugh", "lost"),
    ("someone nicked my bike from the rack outside 😡", "stolen"),
    ("my car failed its MOT yesterday, gutted", "car"),
    ("missed our train this morning so got here late 😤", "journey"),
    ("my boiler packed in last night so no hot water, not impressed", "broken"),
    ("forgot my wallet at home", "forgot"),
    ("my old car died on the motorway yesterday, hence me being here", "car"),
    ("missed the first train this morning so we missed the engineering talk, well annoyed", "journey"),
    ("well thats fantastic, left my phone on the 38 bus", "lost"),                 # sarcasm, read as a mishap
    ("got a parking ticket outside, 70 quid, fuming", "car"),                      # by its words
    ("car park machine ate my pound coin, great start", "broken"),
    ("missed my coach by 2 minutes. gutted", "journey"),
])
def test_a_mishap_gets_a_rueful_word_of_its_kind(default_bank, text, kind):
    assert skill("news")(text, context(default_bank)) in news.BAD[kind]


@pytest.mark.parametrize("text", [
    "so proud of myself, locked the keys in the car with the engine running",    # sarcasm
    "graduated today, just wish my dad could've seen it",                         # mixed
    "got the new job but it means moving 200 miles from my grandkids",
    "my grandad's on the ward upstairs, he had a fall last week",                 # graver than a mishap
    "a man just argued with the receptionist about a parking ticket and lost",    # not the visitor's
    "windy as anything out there, nearly lost my umbrella",                       # nearly
    "just got engaged!! where can we get champagne",                              # asks something
    "the queue is massive today",                                                 # not news
    "my dad would have been 70 today",                                            # grief, not a birthday
    "draw me and my husband on a beach please, it's our 25th anniversary",        # a drawing
    "elephants are pregnant for 2 years?? really",                                # asks
    "my twins want a knight fighting a sheep lol",
    "i forgot the company name for a sec",                                        # not a thing left behind
    "got a parking ticket but they let me off",
    "seagull just nicked my brothers cone haha",                                  # an animal's doing
    "Morning! Lovely to see something new on the prom.",                          # a pleasantry
])
def test_sarcasm_mixed_grave_and_other_lines_are_left_alone(default_bank, text):
    assert skill("news")(text, context(default_bank)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("raining cats and dogs out there, glad i came in", "indoors"),
    ("so hot outside, the aircon in here is heaven", "cooler"),
    ("rained on the way here and now my socks are soaked", "soaked"),
    ("the rain outside is horrendous", "rain"),
    ("so foggy out there cant see the lorry in front", "wild"),
    ("its freezing in the garden centre bit brrr", "cold"),
    ("its so hot today even the lions are just sleeping", "hot"),
    ("its so quiet in here i feel like i have to whisper", "quiet"),
    ("so many people in today, must be a monday thing", "crowd"),
    ("the queue at reception is insane right now", "queue"),
    ("been sat here 50 mins already and my appointment was at 10:15 😩", "wait"),
    ("hello there, just killing time before my appointment lol", "idle"),
    ("my feet are killing me, this place goes on forever", "feet"),
    ("bit knackered after the early start", "tired"),
    ("coffee machine smells amazing in here", "smell"),
    ("so loud in here i cant hear myself think", "loud"),
    ("Evening, just popped in to get out of the wind.", "indoors"),
    ("weather's awful, glad to be inside", "indoors"),
    ("its absolutely packed in here tonight", "crowd"),
    ("never seen it this quiet on a friday", "quiet"),
    ("the car park is a nightmare today, went round 4 times", "parking"),
    ("this escalator has been broken for weeks", "out of order"),
    ("been sat here since 5am, my back is killing me", "wait"),
    ("my legs are aching so much", "aches"),
    ("my legs are like jelly", "tired"),
])
def test_a_remark_gets_a_friendly_word_of_its_kind(default_bank, text, kind):
    assert skill("remarks")(text, context(default_bank)) in remarks.REPLIES[kind]


@pytest.mark.parametrize("text", [
    "its absolutely rammed today, is there a match on or something",     # asks: the staff's
    "ur slower than the car deck queue",                                 # to the kiosk
    "its so quiet in here today, usually its packed",                    # another day
    "going camping this weekend if the rain holds off",
    "the queue moved so fast, we were in within 10 mins",
    "draw a mountain with snow on top and a little tent at the bottom",
    "moving house today, van is packed to the roof",
    "the boiler packed in again",
    "got a cold so staying in",
    "lemon drizzle",                                                     # too short to be a remark
    "the perfume counter smells amazing but its giving me a headache",   # mixed
])
def test_other_lines_are_not_remarks(default_bank, text):
    assert skill("remarks")(text, context(default_bank)) is None


def test_right_after_a_question_a_line_is_the_answer(default_bank):
    for name, text in (("news", "just got engaged by the flamingo pond!!! 💍"), ("remarks", "yes completely soaked")):
        assert skill(name)(text, context(default_bank)) is not None
        assert skill(name)(text, context(default_bank, asked=True)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("are you a robot or is someone typing back", "typing"),
    ("who put you here, the ferry company?", "owner"),
    ("are you run by the council", "owner"),
    ("do you work for the supermarket or are you just a robot", "owner"),
    ("do you know when my train is or are you just for chatting", "scope"),
    ("can you speak welsh", "language"),
    ("are you a nurse", "role"),
    ("do u get wet when it rains", "body"),
    ("is this screen even clean, loads of people touch it 🤢", "grubby"),
    ("ur screen is all smudgy gross", "grubby"),
    ("ur slower than the card machine", "jibe"),
    ("the monkeys are smarter than you", "jibe"),
])
def test_the_kiosk_answers_for_itself(text, kind):
    assert skill("persona")(text, context(None)) in persona.REPLIES[kind]


@pytest.mark.parametrize("text", ["am i cleverer than you", "who made this sandwich", "are you open on sunday"])
def test_other_questions_are_not_about_the_kiosk_itself(text):
    assert skill("persona")(text, context(None)) is None


def test_the_order_and_the_classifiers_are_needed(default_bank):
    assert SKILLS.index("recall") < SKILLS.index("persona") < SKILLS.index("staff")
    assert SKILLS[-2:] == ("news", "remarks")
    assert skill_answer("you're rubbish", SKILLS, context(default_bank)) not in persona.REPLIES["jibe"]      # recalled
    assert skill_answer("we just found out were having twins", ["news"], context(None)) is None    # no classifier
    assert skill_answer("we just found out were having twins", SKILLS, context(default_bank)) in news.GOOD["baby"]
