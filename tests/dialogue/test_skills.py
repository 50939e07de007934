"""Skills: sums, the clock and unreadable input answered exactly, the rest by a real model."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.prompt import Message
from edge_vdialog.dialogue.skills import (
    SKILLS,
    Context,
    Device,
    SkilledDialogue,
    skill_answer,
)
from edge_vdialog.errors import ConfigError, UserError
from edge_vdialog.settings import Dialogue, load_settings
from tests.dialogue.cli import run_cli

NOW = datetime(2026, 12, 1, 14, 5)
QUICK = Sampling(greedy=True, max_new_tokens=8)
SHORT = Sampling(greedy=True, max_new_tokens=1)
"""A reply short enough that the tiny model's 128 positions keep both exchanges."""


def answer(text: str, skills=SKILLS, places=None) -> str | None:
    return skill_answer(text, skills, Context(NOW, random.Random(0), places or {}))


@pytest.mark.parametrize(("text", "reply"), [
    ("what's 12 times 7?", "12 times 7 is 84."),
    ("What is 345 plus 278?", "345 plus 278 is 623."),
    ("12x7", "12 times 7 is 84."),
    ("hello, how much is twenty one times three please", "21 times 3 is 63."),
    ("three hundred and five minus 5", "305 minus 5 is 300."),
    ("calculate (3 + 4) * 2", "(3 plus 4) times 2 is 14."),
    ("what is 15% of 80", "15% of 80 is 12."),
    ("what is 7 squared?", "7 squared is 49."),
    ("2^10", "2 to the power of 10 is 1,024."),
    ("what is 2 / 3", "2 divided by 3 is 0.6667."),
    ("1 ÷ 100000", "1 divided by 100,000 is 0.00001."),
    ("what is 0.1 + 0.2", "0.1 plus 0.2 is 0.3."),
    ("what is 1,000 × 1,000", "1,000 times 1,000 is 1,000,000."),
    ("2^100", "2 to the power of 100 is about 1.27 times 10 to the power of 30."),
])
def test_sums_are_exact(text, reply):
    assert answer(text) == reply


@pytest.mark.parametrize(("text", "reply"), [
    ("what is 10 divided by 0", "Dividing by zero"),
    ("2 ^ 5000", "too big"),
    ("10 ^ 400", "too big"),
    ("(-8) ^ (1/3)", "no answer"),
])
def test_sums_without_an_answer_say_so(text, reply):
    assert reply in answer(text)


@pytest.mark.parametrize("text", [
    "42", "what is love", "how many days are in a leap year", "I have 2 cats and 3 dogs",
    "one two three", "what's 3 +", "i got 99 problems", "what time did you wake up?",
    "9" * 40 + " + 1", "what is 12 times 7? " + "and more " * 30,
])
def test_other_lines_go_to_the_model(text):
    assert answer(text) is None


@pytest.mark.parametrize(("text", "reply"), [
    ("what time is it?", "It's 2:05 pm."),
    ("Excuse me, what's the time please", "It's 2:05 pm."),
    ("what day of the week is it today?", "Today is Tuesday."),
    ("what's the date today?", "Today is Tuesday, 1 December 2026."),
    ("what year is it", "It's 2026."),
])
def test_the_clock_is_the_kiosks(text, reply):
    assert answer(text) == reply


def test_midnight_and_noon():
    assert skill_answer("time?", SKILLS, Context(datetime(2026, 1, 1, 0, 7), random.Random())) == "It's 12:07 am."
    assert skill_answer("time?", SKILLS, Context(datetime(2026, 1, 1, 12, 0), random.Random())) == "It's 12:00 pm."


@pytest.mark.parametrize("text", ["?", "...", "!!!", "👍", "asdfghjkl", "zxcvbnm", "sdfsdf qwrtz"])
def test_unreadable_lines_get_a_friendly_request(text):
    reply = answer(text)
    assert reply and reply.endswith(("?", "!", ".")) and "draw" in reply or "another way" in reply \
        or "talk about" in reply or "Try me again" in reply


@pytest.mark.parametrize("text", ["ok", "lol", "hmmmm", "rhythm", "strengths", "banana", "asdf", "你好"])
def test_short_or_rare_words_are_not_unreadable(text):
    assert answer(text) is None


@pytest.mark.parametrize(("text", "reply"), [
    ("can you draw me a dragon?", "Here's a dragon!"),
    ("draw a robot walking a dog", "Here's a robot walking a dog!"),
    ("Could you please paint an owl for me?", "Here's an owl!"),
    ("draw my house", "Here's your house!"),
    ("draw cats", "Here are cats!"),
    ("can u draw two elephants pls", "Here are two elephants!"),
    ("a picture of the sea please", "Here's the sea!"),
    ("lol can u make a picture of autumn trees in a park", "Here are autumn trees in a park!"),
    ("draw a tiger for my little sister shes 4 and very brave", "Here's a tiger for your little sister!"),
    ("make me a picture of the beach, i'm going on holiday next week", "Here's the beach!"),
    ("can you draw me as a superhero", "Here you are as a superhero!"),
    ("can u draw me with a jetpack", "Here you are with a jetpack!"),
    ("draw a penguin wearing a scarf and bobble hat", "Here's a penguin wearing a scarf and bobble hat!"),
    ("can you draw a crocodile at the dentist with a massive grin",
     "Here's a crocodile at the dentist with a massive grin!"),
    ("drw a rocket", "Here's a rocket!"),
])
def test_drawing_requests_say_what_is_drawn(text, reply):
    assert answer(text).startswith(reply)


@pytest.mark.parametrize("text", [
    "can you draw?", "draw something", "draw me", "draw yourself", "can you draw me a cat and tell me a story",
    "draw a very big red dragon flying over a castle at night in the rain", "I like to draw horses",
    "draw a cat, a dog and a horse", "draw me like one of your pictures", "can you do a dance",
])
def test_vague_or_bigger_drawing_requests_go_to_the_model(text):
    assert answer(text) is None


def test_places_come_from_the_owner_else_no_invented_way():
    places = {"toilet": "The toilets are past the lifts, on your left.", "coffee shop": "The cafe is by the door."}
    assert answer("where is the nearest toilet?", places=places) == places["toilet"]
    assert answer("excuse me, where are the toilets", places=places) == places["toilet"]
    assert answer("is there a coffee shop near here", places=places) == places["coffee shop"]
    for text in ("where's the pharmacy?", "which way to the exit", "is there an ATM around here?",
                 "how do I get to the train station", "where is the nearest petrol pump"):
        assert "map" in answer(text, places=places), text
    for text in ("where are you from?", "where do you live?", "where is my friend?", "is there a god?",
                 "where is Paris?"):
        assert answer(text, places=places) is None, text


def test_the_way_to_do_something_is_not_invented():
    for text in ("where do i return books", "which platform for manchester", "where should we meet our group",
                 "which gate do i go to", "excuse me where can i pay"):
        assert "map" in answer(text), text
    for text in ("where do you live", "where should i go on holiday with my kids and how much will it be",
                 "which platform game is your favourite"):
        assert answer(text, ("places",)) is None, text


@pytest.mark.parametrize(("text", "kind"), [
    ("what time is the planetarium show", "times"), ("When does this place close tonight?", "times"),
    ("excuse me, what time does the cafe shut please", "times"), ("what time do you close?", "times"),
    ("when is the next bus", "times"), ("what are the opening hours", "times"), ("when is lunch served?", "times"),
    ("do you know what time the penguin feeding is", "times"), ("what time is checkout", "times"),
    ("how much is a day ticket for the tram", "prices"), ("is it free", "prices"), ("is parking free?", "prices"),
    ("what's the price of a ticket", "prices"), ("do i have to pay", "prices"),
    ("whats the wifi password here", "wifi"), ("is there wifi", "wifi"), ("WIFI PASSWORD PLS", "wifi"),
    ("can I bring my dog in", "rules"), ("can we take photos here", "rules"), ("are dogs allowed", "rules"),
    ("do you take cards", "rules"), ("do i need to book", "rules"),
])
def test_what_only_the_staff_know_is_not_invented(text, kind):
    from edge_vdialog.dialogue.skills.venue import REPLIES
    assert answer(text) in REPLIES[kind]


@pytest.mark.parametrize("text", [
    "when do you sleep", "when do you start drawing", "when does the sun set", "when does summer start",
    "what time did the museum open", "what are the odds", "how much are you", "how much does a blue whale weigh",
    "are you free tonight", "is this seat free", "can i take a picture of you", "can i touch the screen",
    "is it ok to be sad", "do i need a hug", "how much is 4 tickets at 12.50", "how much does the picture cost",
    "when is your birthday", "how early should i arrive for an interview",
    "whats the best way to grow big onions for showing",
])
def test_other_questions_of_time_price_and_leave_are_not_the_venues(text):
    assert answer(text, ("venue",)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("how much extra is the imax film", "prices"), ("is the sauna included in the swim price", "prices"),
    ("is the hands on gallery free", "prices"), ("do i have to wear a swim cap in the pool here", "rules"),
    ("what age can kids use the gym on their own", "rules"), ("is there an age limit", "rules"),
    ("how many books can my son take out at once", "rules"), ("can i get money back if my train is late", "rules"),
    ("are the rays in the touch pool actually safe to stroke", "rules"),
    ("Does the pool have a hoist?", "services"), ("excuse me, does the cafe do gluten free cake", "services"), ("do you have a quiet study room I can book", "services"),
    ("Are there any free computer classes for older people?", "services"),
    ("do the turtles here have names", "services"), ("how many litres of water are in the big tank", "services"),
    ("which platform does the 14:12 to york go from", "travel"), ("is my train delayed", "travel"),
    ("does the ferry still go if theres a storm warning", "travel"), ("is the doctor running late", "times"),
    ("what time is the next tractor ride", "times"), ("how long does an MOT usually take here", "times"),
    ("do the lockers need a £1 coin", "rules"), ("Can I test drive the electric one today without booking?", "rules"),
    ("can dogs come up to the passenger lounge", "rules"), ("Do I need my passport for this crossing", "rules"),
    ("do they sell food on the boat", "services"), ("are there any cabins left for tonight", "services"),
    ("Is the path round to the barns OK for a wheelchair?", "services"),
    ("do you do courtesy cars", "services"),
    ("is the 10:15 cancelled?", "travel"), ("do you know if theres a strike on tomorrow", "travel"),
    ("how long does it take to get to edinburgh from here", "travel"),
    ("Excuse me, is this the right station for the airport express?", "travel"),
])
def test_what_the_place_has_live_travel_and_people_lost_are_the_staffs(text, kind):
    from edge_vdialog.dialogue.skills.venue import REPLIES
    assert answer(text, ("venue",)) in REPLIES[kind]


@pytest.mark.parametrize("text", [
    "do you have a name", "do you have a favourite shop in here", "how old is the universe",
    "how old is this station", "how many paracetamol can i take", "how many teeth do kids have",
    "is it safe to drink tap water abroad", "does the moon have gravity", "how long does it take to get to mars",
    "is the heating on", "how long does a flight to spain take", "how long does it take to boil an egg",
    "are there any good films on", "how long does the picture take",
    "how old do you have to be to get a saturday job",
])
def test_like_questions_about_the_world_or_the_kiosk_stay_the_models(text):
    assert answer(text, ("venue", "places")) is None


def test_which_floor_or_somewhere_to_do_something_is_not_invented():
    for text in ("is the cafe upstairs or downstairs", "is the apple store upstairs or down by the fountain",
                 "is the soft play area on this floor", "is there anywhere round here to charge my phone",
                 "is there somewhere we can eat our packed lunches", "where do i get the rail replacement bus from"):
        assert "map" in answer(text, ("places",)), text
    assert answer("is the cafe upstairs", places={"cafe": "Upstairs, by the lifts."}) == "Upstairs, by the lifts."
    for text in ("is the weather nice outside", "is the dog outside", "is it far", "are you upstairs"):
        assert answer(text, ("places",)) is None, text


def test_a_staff_question_inside_a_longer_line_is_still_the_staffs():
    from edge_vdialog.dialogue.skills.venue import REPLIES
    assert "map" in answer("left my scarf on the 17:30, where's lost property")
    assert "map" in answer("Sorry my English is not so good, where do I buy ticket for the sea lion show?")
    assert answer("Does the pool have a hoist? My husband uses a wheelchair.") in REPLIES["services"]
    places = {"toilet": "The toilets are past the lifts, on your left."}
    both = answer("where is the toilet and how much does it cost", places=places)
    assert both in {f"{places['toilet']} {price}" for price in REPLIES["prices"]}   # one answer per skill, in order
    assert answer("are the shops open late on thursdays or is that just the supermarket") in REPLIES["times"]
    assert answer("is the santa grotto on yet or is it too early") in REPLIES["times"]     # "or": one question
    for text in ("is the cafe open, and what's your name?",                                # a question of its own
                 "my dad died last week, is the cafe open",                                 # news first
                 "i love it here, what are you"):
        assert answer(text, ("venue", "places")) is None, text


@pytest.mark.parametrize(("text", "kind"), [
    ("lost my mum near the escalators, she's got a green coat on, have u seen her", "lost"),
    ("i cant find my little boy anywhere", "lost"), ("have you seen my friend, she has a red coat", "lost"),
    ("i think im having a heart attack", "emergency"), ("someone has collapsed by the lifts!!", "emergency"),
    ("my dad cant breathe properly", "emergency"), ("the fire alarm is going off", "emergency"),
])
def test_someone_who_needs_help_now_is_sent_to_the_staff_at_once(text, kind):
    from edge_vdialog.dialogue.skills.urgent import REPLIES
    assert answer(text) in REPLIES[kind]


@pytest.mark.parametrize("text", [
    "i lost my dad last year", "we lost my nan in the war", "my nan had a heart attack last year",
    "i nearly had a heart attack when i saw the price lol", "this film made me cry", "fire alarm test at 11",
])
def test_stories_jokes_and_drills_are_not_urgent(text):
    assert answer(text, ("urgent",)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("Came in to register my dad's death. Everyone's been very kind.", "loss"),
    ("Off to a funeral in Dublin. Not the trip I wanted to be making.", "loss"),
    ("my nan passed away on sunday, just came in to get out of the house", "loss"),
    ("our dog died last night, the kids are in bits", "loss"), ("Lost my nan last month", "loss"),
    ("my nan used to bring me here, she passed in march", "loss"),
    ("my dad passed on tuesday, but he got to hold the baby first", "loss"),
    ("im here to register my husbands death. first time ive said that sentence out loud", "loss"),
    ("my cat had to be put down, vet said kidney failure", "loss"),
    ("visiting my uncle in the hospice upstairs", "illness"), ("my sister got diagnosed with MS", "illness"),
    ("Visiting my mum upstairs, she's on ward 7 after a stroke", "illness"),
    ("my wife left me. the kids are staying with her", "heartbreak"), ("we split up last week", "heartbreak"),
    ("my boyfriend of 6 years left me on tuesday", "heartbreak"),
    ("signed the divorce papers today. done.", "heartbreak"),
    ("I got dumped yesterday so i'm here working off the anger", "heartbreak"),
    ("my nan is in hospital so we came here to cheer my little brother up", "illness"),
    ("my husband got the all clear after a year of chemo", "recovery"),
    ("rang the bell today!!! last round of chemo DONE 🔔🔔", "recovery"), ("my dad is cancer free!", "recovery"),
    ("I was made redundant yesterday after 11 years at the warehouse", "job"), ("just lost my job", "job"),
])
def test_hard_news_gets_kind_words(text, kind):
    from edge_vdialog.dialogue.skills.sympathy import REPLIES
    assert answer(text) in REPLIES[kind]


@pytest.mark.parametrize("text", [
    "my phone died lol", "i nearly died laughing", "the main character died at the end of the film",
    "lost my dog in the park", "my dad lost his wallet", "lost my mum near the escalators",
    "my dad died, where do i register a death", "draw my nan who passed away", "my nan is 90 today",
    "the dog ran off with the tv remote and buried it in the garden", "she put down her bag and left",
    "got made redundant and honestly best thing that ever happened", "we lost the match 3-0",
    "my dad's coming home today after 3 weeks in here",
    "we adopted a puppy, our first dog since our old boy died last spring",
    "she passed her driving test last week", "my son passed his theory test yesterday",
    "this place is a rip off and so are u", "rubbish got dumped outside our house again",
])
def test_other_deaths_good_news_and_questions_are_not_hard_news(text):
    assert answer(text, ("sympathy",)) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("thats so cool thank you robot", "praise"), ("wow it actually looks like a volcano, cheers", "praise"),
    ("Wow thats really good, thankyou very much dear", "praise"), ("love it!!", "praise"),
    ("ta very much", "thanks"), ("cheers bud", "thanks"), ("Thanks a lot, you're a star", "thanks"),
    ("come on lads were going", "bye"), ("see you tomorrow kiosk", "bye"), ("bye robot have a good day", "bye"),
    ("ok im off", "bye"), ("thanks for the chat, take care!", "thanks-bye"), ("cheers, have a good one", "thanks-bye"),
])
def test_thanks_praise_and_goodbyes_get_a_closing_reply(text, kind):
    from edge_vdialog.dialogue.skills.closers import REPLIES
    assert answer(text) in REPLIES[kind]


@pytest.mark.parametrize(("text", "kind"), [
    ("thanks for the chat love, my hair's nearly dry so I'm off", "thanks-bye"),
    ("they've just called my reg, wish me luck, bye", "bye"), ("right, the mrs is at the till, ta-ra kiosk", "bye"),
    ("ta, off to find my wife now", "thanks-bye"), ("cheers pal, back on the road", "thanks-bye"),
    ("cheers, enjoy your evening", "thanks-bye"), ("bye bye see you next week", "bye"),
    ("ok bye now, gotta return these before they fine me", "bye"),         # a goodbye first, then why
    ("bye were going on the big airbag now", "bye"),
    ("cheers mate thats really helped, my coach is boarding now so ta ra", "thanks-bye"),
    ("bye then, off to pay before my trolley gets nicked", "bye"),
])
def test_a_line_that_ends_by_leaving_gets_a_goodbye(text, kind):
    from edge_vdialog.dialogue.skills.closers import REPLIES
    assert answer(text, ("closers",)) in REPLIES[kind]


@pytest.mark.parametrize("text", [
    "no thanks", "thanks but that looks nothing like a horse", "thanks, what's your name?", "nice to see you",
    "i'm off work today", "thanks my dog died", "i love my kids", "that looks like a potato lol",
    "ok im off to get my results, wish me luck", "thanks, off to the loo, where is it?",
    "bye, my dad is in hospital so i need to go", "bye, whats your name",
    "good evening everyone", "you're cool", "thank you for the picture of the cat", "hello",
])
def test_lines_that_say_more_than_thanks_or_goodbye_go_on(text):
    assert answer(text, ("closers",)) is None


def test_praise_alone_that_answers_the_kiosks_question_is_the_models():
    def reply(asked):
        return skill_answer("good", ("closers",), Context(NOW, random.Random(0), {}, follows_question=asked))
    assert reply(False) is not None and reply(True) is None


def test_only_the_chosen_skills_answer():
    assert answer("what time is it?", ("arithmetic",)) is None
    assert answer("2+2", ("clock", "unreadable")) is None
    assert answer("?", ()) is None


def test_a_skill_answer_joins_the_models_history(tiny):
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))
    kiosk = SkilledDialogue(chat, SKILLS, clock=lambda: NOW)
    with pytest.raises(ValueError, match="horoscope"):
        SkilledDialogue(chat, ["clock", "horoscope"])
    assert SkilledDialogue(chat, pictures=False).skills == tuple(s for s in SKILLS if s != "draw")
    assert "".join(kiosk.send("what's 12 times 7?", QUICK)) == "12 times 7 is 84."
    assert chat.history == [Message("user", "what's 12 times 7?"), Message("assistant", "12 times 7 is 84.")]
    ids, dropped = chat.fmt.build(chat.history, Message("user", "thanks!"), chat.decoder.max_context - 9)
    assert dropped == 0 and "12 times 7 is 84." in chat.tok.hf.decode(ids)    # the next prompt holds it
    reply = "".join(kiosk.send("thanks!", SHORT))           # the model answers the next line
    assert reply and chat.history[-2:] == [Message("user", "thanks!"), Message("assistant", reply.strip())]
    assert kiosk.provider == chat.provider
    kiosk.reset()
    assert chat.history == []


def test_empty_text_is_still_the_dialogues_error(tiny):
    kiosk = SkilledDialogue(load_chat(Bundle.load(tiny["gpt2_int8"])))
    with pytest.raises(UserError, match="empty"):
        list(kiosk.send(" \x01 ", QUICK))


def test_settings_name_the_skills(tmp_path):
    assert Dialogue().skills == SKILLS
    config = tmp_path / "config.toml"
    config.write_text('[dialogue]\nskills = ["clock", "horoscope"]\n')
    with pytest.raises(ConfigError, match="horoscope"):
        load_settings(config)
    config.write_text("[dialogue]\nskills = []\n")
    assert load_settings(config).dialogue.skills == ()
    config.write_text('[dialogue.places]\nToilet = " Past the lifts. "\n')
    assert load_settings(config).dialogue.places == {"toilet": "Past the lifts."}
    for bad in ('"toilet 2" = "x"', 'toilet = ""'):
        config.write_text(f"[dialogue.places]\n{bad}\n")
        with pytest.raises(ConfigError, match="places"):
            load_settings(config)


def test_chat_command_answers_sums_unless_told_not_to(tiny):
    bundle = str(tiny["gpt2_int8"])
    out = run_cli("chat", "--bundle", bundle, "what is 6 times 7?")
    assert (out.returncode, out.stdout) == (0, "6 times 7 is 42.\n"), out.stderr
    out = run_cli("chat", "--bundle", bundle, "--no-skills", "--greedy", "what is 6 times 7?")
    assert out.returncode == 0 and out.stdout.strip() != "6 times 7 is 42."


@pytest.mark.parametrize(("text", "kind"), [
    ("is that a camera on top?? creepy", "sees"), ("can u see me rn", "sees"), ("can you even see me?", "sees"),
    ("are you watching me through that camera??", "sees"),
    ("r u recording this for the council or something", "keeps"), ("do you save my face", "keeps"),
    ("do you film us", "keeps"), ("are you filming me", "keeps"),
    ("where do the pictures go after", "keeps"), ("can it hear me or do i have to type", "hears"),
    ("can you turn the camera off please", "off"), ("are you going to tell the doctor what i say", "tells"),
])
def test_privacy_questions_get_what_is_true_of_this_kiosk(text, kind):
    def reply(**device):
        return skill_answer(text, SKILLS, Context(NOW, random.Random(0), {}, device=Device(**device)))
    with_all, bare, logged = reply(), reply(camera=False, microphone=False), reply(keeps_words=True)
    if kind == "sees":
        assert "screen" in with_all and "saved" in with_all or "save" in with_all
        assert "no camera" in bare.lower()
    elif kind == "keeps":
        assert "don't keep what you say" in with_all or "isn't kept" in with_all
        assert "log" in logged and "no video" in bare
    elif kind == "tells":
        assert "pass on" in with_all or "tell anyone" in with_all
        assert "log" in logged and ("don't keep" in with_all or "isn't kept" in with_all)
    elif kind == "hears":
        assert "hear" in with_all and "typ" in bare and "log" in logged
    else:
        assert "can't" in with_all and "camera" in with_all and "no camera" in bare.lower()


@pytest.mark.parametrize("text", [
    "I love watching films", "my camera broke on holiday", "im recording a podcast later",
    "hey i'm waiting to hear from the vet", "Does it get lonely when nobody comes to talk to you?",
    "i bought a new camera today, what should i photograph", "hey kiosk, we're way too early for our film as usual",
    "are you waterproof or should i keep my wet hands off you",
    "how much is fast track security and does it actually save any time",
    "do you take nhs patients or is it private only", "where do you keep the hayfever tablets",
])
def test_other_lines_about_cameras_and_hearing_are_not_privacy_questions(text):
    assert skill_answer(text, ("privacy",), Context(NOW, random.Random(0), {})) is None


def test_the_kiosk_answers_privacy_questions_from_its_own_settings():
    from edge_vdialog.assemble import load_models
    settings = load_settings(None, {"camera.uri": "none", "mic.uri": "none", "logging.visitor_words": True,
                                    "imagegen.enabled": False}, environ={})
    chat = load_models(settings).chat
    assert chat.device == Device(camera=False, microphone=False, keeps_words=True)
    assert "typ" in "".join(chat.send("can you hear me?", QUICK))                  # no microphone: type
    assert "log" in "".join(chat.send("do you record what i say?", QUICK))         # the owner logs words


def test_a_remembered_exchange_is_prefilled_when_the_kiosk_is_idle(tiny):
    import threading
    chat = load_chat(Bundle.load(tiny["llama_fp32"]))
    chat.remember("hi", "Hello!")
    held = chat.fmt.head + [i for m in chat.history for i in chat.fmt.turn_ids(m)]
    before = chat.decoder.length
    arrived = threading.Event()
    arrived.set()                                       # the visitor already said the next thing
    chat.prepare(arrived)
    assert chat.decoder.length == before < len(held)
    chat.prepare(threading.Event())                     # idle: all of it
    assert chat.decoder.length == len(held) and chat._cached == held
    ids, dropped = chat.fmt.build(chat.history, Message("user", "thanks"), chat.decoder.max_context - 9)
    assert dropped == 0 and ids[:len(held)] == held     # the next prompt reuses it
    assert "".join(chat.send("thanks", SHORT)) and chat.decoder.length == len(chat._cached)


def test_the_kiosk_reads_a_device_off_as_its_opener_does():
    from edge_vdialog.assemble import load_models
    settings = load_settings(None, {"camera.uri": "none://", "mic.uri": "mic://default",
                                    "imagegen.enabled": False}, environ={})
    assert load_models(settings).chat.device == Device(camera=False, microphone=True)


@pytest.mark.parametrize("text", ["can you hear sound in space", "how far away can you hear a lion roar",
                                  "the face in the drawing is creepy", "do u have a face"])
def test_hearing_and_faces_of_other_things_are_not_privacy_questions(text):
    assert skill_answer(text, ("privacy",), Context(NOW, random.Random(0), {})) is None


def test_an_owners_question_answers_those_that_name_the_same_thing():
    from edge_vdialog.dialogue.skills.venue import about, names_the_same
    assert names_the_same("when do you close", "what time do you close tonight?")
    assert names_the_same("opening hours", "are you open on sundays") and about("opening hours") == "times"
    assert names_the_same("when does breakfast start", "what time is breakfast served")
    assert not names_the_same("when do you close", "what time does the pool close")
    assert not names_the_same("when does breakfast start", "when does the pool open")
    assert about("wifi password") == "wifi" and about("ticket prices") == "prices" and about("parking") is None
