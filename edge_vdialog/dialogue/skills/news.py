"""The ``news`` skill: everyday news from the visitor's own life, with nothing asked, gets a short reply of
its kind: good news ("got into uni!! first in my family to go") a congratulation, a mishap ("left my umbrella
on the train, typical", "my car failed its MOT yesterday") a rueful word and, where there is one, a useful tip.

The 135M model reads the news the wrong way round as often as not: "our shed roof blew off in the storm last
week" -> "I'm so glad you had it taken care of!", "my son lost his first tooth in the cafe lol" -> "Please call
emergency services", "im pregnant!! first scan next week" -> "A pregnancy scan is always a special occasion for
me". On the fresh lines of rounds 104-121 its replies to news averaged about 3. A line is news by the bundle's
two learnt classifiers (``good_news``, ``bad_news``; :mod:`edge_vdialog.dialogue.line_classifier`): good news
when only the first says so and nothing in the line turns it round (a sarcastic "lovely, ...", an eye-roll, a
"but", a wish); a mishap when only the second does and it is one of the kinds below. Anything graver (health,
hospital, family) or mixed is left to ``sympathy`` and the model. Hard news comes first (``sympathy``). Right
after the kiosk asked something, a line is probably the answer ("yes, first time in europe!"): the model's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ABOUT_KIOSK, ASKS_IN

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

MOST_WORDS = 30
FEWEST_WORDS = 3
GOOD = {
    "birthday": ("Happy birthday! I hope it's a brilliant one.", "Happy birthday! 🎉 Have a wonderful day."),
    "their birthday": ("What a milestone! I hope it's a lovely celebration.",
                       "How lovely! I hope it's a wonderful birthday."),
    "anniversary": ("Happy anniversary! What a lovely way to mark it.", "Happy anniversary to you both!"),
    "engaged": ("Congratulations! What a moment to remember.",
                "Oh, congratulations! That's wonderful news. 💍"),
    "wedding": ("How exciting! I hope the big day is everything you hope for.",
                "Oh, lovely! I hope it's a wonderful day."),
    "baby": ("Congratulations, that's wonderful news! What a special time for your family.",
             "Oh, how lovely! Congratulations to you all."),
    "milestone": ("What a lovely milestone! You must be so proud.",
                  "Aww, that's brilliant! A moment to remember."),
    "home": ("Congratulations! Exciting times, I hope it soon feels like home.",
             "Oh, congratulations on the new place! That's a big step."),
    "retired": ("Congratulations on your retirement! Enjoy every minute of it.",
                "Happy retirement! You've more than earned it."),
    "work": ("Congratulations, that's brilliant news! Well deserved, I'm sure.",
             "Well done, that's fantastic! I hope you get to celebrate."),
    "study": ("Well done, that's brilliant! All that hard work paid off.",
              "Congratulations! You must be so proud."),
    "feat": ("Well done, that's brilliant! You must be chuffed.", "Brilliant, well done you!"),
    "other": ("How lovely! That sounds really special.", "Oh, that's wonderful! Thanks for sharing it with me."),
}
"""Replies to good news, by :data:`_GOOD_KINDS` (``other``: none of them)."""
BAD = {
    "forgot": ("Oh no, it's always the way! I hope you can manage without it today.",
               "Ah, that's annoying! Hopefully you can get by without it for today."),
    "lost": ("Oh no, I hope it turns up! It's worth asking at the desk or lost property, just in case.",
             "Oh no! Someone may well have handed it in, so it's worth asking at lost property."),
    "stolen": ("Oh no, that's horrible! It's worth reporting it, just in case it turns up.",
               "That's awful, I'm sorry. I hope you get it back; it's worth reporting it."),
    "car": ("Oh no, what a pain! I hope it's sorted soon without costing you too much.",
            "Ugh, that's annoying! I hope it gets sorted quickly."),
    "journey": ("Oh no, how annoying! I hope the rest of your journey goes smoothly.",
                "Ugh, travel troubles are the worst! I hope things run smoothly from here."),
    "broken": ("Oh no, what a pain! I hope it's fixed soon.", "Ugh, how annoying! I hope it's sorted quickly."),
}
"""Replies to a mishap, by :data:`_BAD_KINDS`."""
_GOOD_KINDS = (
    ("anniversary", r"\b(?:anniversary|(?:golden|silver|ruby|diamond|pearl) wedding|years married)\b"),
    ("birthday", r"\b(?:(?:my|it'?s my|its my) (?:\d+(?:st|nd|rd|th) )?birthday|(?:i'?m|im|i am) \d+ today)\b"),
    ("engaged", r"\b(?:engaged|proposed|said yes)\b|💍"),
    ("wedding", r"\b(?:wedding|getting married|got married|honeymoon)\b"),
    ("milestone", r"\b(?:first (?:steps?|words?|tooth)|potty|(?:started|starting) (?:walking|crawling)|"
                  r"learn(?:ed|t) to (?:read|walk|swim|"
                  r"ride)|read (?:a|his|her) (?:whole )?book|badge|started (?:school|reception|nursery))\b"),
    ("baby", r"\b(?:pregnant|expecting|twins|(?:was|were|been|just|be) born|born (?:this|yesterday|today|last|on|at|"
             r"early)|new baby|baby (?:boy|girl)|\d+ ?(?:week|wk) scan|first scan|"
             r"had (?:her|his|their|our|a|the) baby|big (?:sister|brother)|"
             r"became a (?:dad|mum|mom|grandad|grandma|nan)|"
             r"grandbaby|first grandchild|\d+ ?lbs?|\d+ (?:days?|weeks?) old)\b"),
    ("home", r"\b(?:keys|mortgage|(?:bought|buying|got) (?:a|the|our|my|our first|my first) (?:house|flat|home|place)|"
             r"first (?:house|flat|home)|new (?:house|flat|home))\b"),
    ("retired", r"\bretir\w+"),
    ("work", r"\b(?:job|promoted|promotion|permanent|apprenticeship|hired|pay rise|raise|contract)\b"),
    ("study", r"\b(?:passed|exams?|results|test|licen[cs]e|uni|university|college|graduated|graduation|degree|grades?|"
              r"a\*|an a|distinction|scholarship|(?:got|offered) a place at|dissertation|thesis|course|qualified)\b"),
    ("feat", r"\b(?:won (?:\d+(?:st|nd|rd|th)|first|second|third|gold|silver|bronze|a medal|a trophy|a prize|the)|"
             r"landed|personal best|pb|beat my|managed to|nailed it|smashed it)\b"),
)
_BAD_KINDS = (
    ("forgot", r"(?:^|\bi |\bi'?ve )(?:left|forgot)\b(?:\s+\w+){1,4}\s+(?:at home|at work|in the car|behind)\b|"
               r"(?:^|\bi |\bi'?ve )forgot (?:my|the)\b"),
    ("stolen", r"\b(?:stolen|nicked|pinched|robbed|broken into|cloned|scammed|hacked)\b"),
    ("broken", r"\b(?:boiler|oven|washing machine|fridge|freezer|dishwasher|laptop|phone|kettle|heating|printer)\b"
               r"(?:\s+\w+){0,3}\s+(?:broke|broken|died|crashed|packed in|packed up|gave up|bust|smashed|cracked|"
               r"stopped working)\b|\b(?:broke|smashed|cracked) (?:my|the) (?:phone|screen|laptop)\b|"
               r"\bdropped (?:my|the|our) \w+ (?:down|in|into)\b"),
    ("lost", r"\b(?:lost|left|dropped|forgot|can'?t find)\b(?:\s+\w+){0,3}\s+(?:phone|wallet|purse|keys?|umbrella|"
             r"brolly|sunglasses|glasses|charger|earrings?|ring|bag|hat|scarf|coat|jacket|gloves?|card|ticket|"
             r"hearing aid|headphones|airpods|book|water bottle)\b"),
    ("car", r"\b(?:failed (?:its|my|the|her|his) mot|mot fail\w*|towed|clamped|parking ticket|speeding ticket|"
            r"parking fine|puncture|flat tyre|broke down|broken down|dinged|scratched|car (?:failed|wouldn'?t start|"
            r"won'?t start|died|packed in|conked out))\b"),
    ("journey", r"\b(?:missed (?:my|the|our)(?: \w+)? (?:bus|train|connection|flight|ferry|tram)|"
                r"(?:bus|train|flight|ferry)"
                r"(?:'s| is| was| got)? (?:late|delayed|cancelled|canceled)|(?:cancelled|canceled|delayed) "
                r"(?:bus|train|flight|ferry)|hasn'?t turned up)\b"),
)
_THEIR_BIRTHDAY = re.compile(r"\b(?:my|our|his|her)\b.*\b(?:(?:turned|turns|is turning|will be) \d{1,3}|(?:is|she'?s|"
                            r"he'?s) \d{2,3} (?:today|tomorrow|tomorow|on \w+day)|\d{1,3}(?:st|nd|rd|th) birthday)\b",
                            re.IGNORECASE)
"""Someone else's birthday ("my nan turned 90 on sunday"): told by its words, whatever the classifiers say."""
_TURNED = re.compile(r"^\W*(?:oh\s+)?(?:lovely|great|brilliant|brill|perfect|fab|fabulous|wonderful|amazing|fantastic|"
                     r"marvellous|typical|nice one|well that'?s \w+|thats \w+|congrats to me|so proud of myself)\b|"
                     r"\b(?:but|though|although|just wish|wish|miss|gutted|sadly|unfortunately|typical|classic|ugh|"
                     r"nervous|scared|worried)\b|🙄|😤|😒|😩|😭|😢|💔", re.IGNORECASE)
"""Words that turn good news round or mix it ("well thats fantastic, left my phone on the 38 bus", "got the new job
but it means moving 200 miles", "graduated today, just wish my dad could've seen it")."""
_GRAVE = re.compile(r"\b(?:hospital|ward|a&e|ambulance|ill|sick|poorly|fall|fell|injur\w*|broke (?:my|his|her) "
                    r"\w+|pain|doctor|gp|nurse|surgery|operation|cancer|scan|(?<!car )(?<!van )died|dead|funeral|vet|"
                    r"police|"
                    r"crash|accident|flood\w*|fire|evict\w*|debt|rent|landlord|redundan\w*|fired|sacked|divorce|"
                    r"split|dumped|found|turned up|handed in|got (?:it|them) back|anyway|glad|lucky|thankfully|"
                    r"luckily|nearly|almost)\b|😂|🤣", re.IGNORECASE)
"""A mishap that is graver, or ended well, nearly happened, or is told as a joke: the model (or ``sympathy``)
answers."""
_MINE = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me|we|we're|were|our|us)\b", re.IGNORECASE)
"""A mishap of the visitor's own (not "a man just argued about a parking ticket")."""
_GOOD = tuple((kind, re.compile(words, re.IGNORECASE)) for kind, words in _GOOD_KINDS)
_BAD = tuple((kind, re.compile(words, re.IGNORECASE)) for kind, words in _BAD_KINDS)


def answer(text: str, context: Context) -> str | None:
    if (context.follows_question or not FEWEST_WORDS <= len(text.split()) <= MOST_WORDS or ASKS_IN.search(text)
            or ABOUT_KIOSK.search(text)):
        return None
    if (_THEIR_BIRTHDAY.search(text) and not dict(_GOOD)["birthday"].search(text) and not _TURNED.search(text)
            and not _GRAVE.search(text)):
        return context.rng.choice(GOOD["their birthday"])
    good, bad = context.learnt("good_news", text), context.learnt("bad_news", text)
    if good and not bad and not _TURNED.search(text):
        kind = next((kind for kind, words in _GOOD if words.search(text)), "other")
        return context.rng.choice(GOOD[kind])
    if bad and not good and _MINE.search(text) and not _GRAVE.search(text):
        kind = next((kind for kind, words in _BAD if words.search(text)), None)
        return None if kind is None else context.rng.choice(BAD[kind])
    return None
