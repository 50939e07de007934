"""The ``news`` skill: everyday news from the visitor's own life, with nothing asked, gets a short reply of
its kind: good news ("got into uni!! first in my family to go") a congratulation, a mishap ("left my umbrella
on the train, typical", "my car failed its MOT yesterday") a rueful word and, where there is one, a useful tip.

The 135M model reads the news the wrong way round as often as not: "our shed roof blew off in the storm last
week" -> "I'm so glad you had it taken care of!", "my son lost his first tooth in the cafe lol" -> "Please call
emergency services", "im pregnant!! first scan next week" -> "A pregnancy scan is always a special occasion for
me". On the fresh lines of rounds 104-121 its replies to news averaged about 3. A line is news by the bundle's
two learnt classifiers (``good_news``, ``bad_news``; :mod:`edge_vdialog.dialogue.line_classifier`) and its words:
good news when the first says so, or its words leave no doubt (:data:`SURE`: an engagement, a baby, a birthday),
the second does not, and nothing in the line turns it round (a sarcastic "lovely, ...", an eye-roll, a "but", a
wish); a mishap of the visitor's own when the first does not say good news and its words are one of the kinds
below (something lost, stolen, broken or forgotten, car or travel trouble). Anything graver (health, hospital,
family), mixed or ended well is left to ``sympathy`` and the model. Hard news comes first (``sympathy``). Right
after the kiosk asked something, a line is probably the answer ("yes, first time in europe!"): the model's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ABOUT_KIOSK, ASKS_IN, Kinds

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
    "pet": ("Aww, congratulations on the new arrival! Enjoy every minute.",
            "How exciting, a new family member! I hope they settle in well."),
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
    "theirs": ("That's brilliant news! Please pass on my congratulations.", "How wonderful! You must be so proud."),
    "other": ("How lovely! That sounds really special.", "Oh, that's wonderful! Thanks for sharing it with me."),
}
"""Replies to good news, by the kinds of :data:`_GOOD` (``other``: none of them; ``theirs``: someone else's job, exam,
feat or retirement: "My mum got a new job so we're celebrating here!")."""
SURE = frozenset({"birthday", "their birthday", "anniversary", "engaged", "wedding", "baby", "pet"})
"""Good news told in words that leave no doubt: taken without the ``good_news`` classifier's yes (the classifier
missed "my wife had twins last week so this is my last match for a while lol"), never against ``bad_news``."""
THEIRS = frozenset({"work", "study", "feat", "retired"})
"""Kinds whose reply congratulates the visitor ("Well done you!"): for someone else's, :data:`GOOD` ``theirs``."""
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
"""Replies to a mishap, by the kinds of :data:`_BAD`."""
_GOOD = Kinds((
    ("anniversary", r"\b(?:anniversary|(?:golden|silver|ruby|diamond|pearl) wedding|years married)\b"),
    ("birthday", r"\b(?:(?:my|it'?s my|its my) (?:\d+(?:st|nd|rd|th) )?birthday|(?:i'?m|im|i am) \d+ today)\b"),
    ("their birthday", r"\b(?:my|our|his|her)\b.*\b(?:(?:turned|turns|is turning|will be) \d{1,3}|(?:is|she'?s|he'?s) "
                       r"\d{2,3} (?:today|tomorrow|tomorow|on \w+day)|\d{1,3}(?:st|nd|rd|th) birthday)\b"),
    ("engaged", r"\b(?:engaged|proposed|said yes)\b|💍"),
    ("wedding", r"\b(?:wedding|getting married|got married|honeymoon)\b"),
    ("pet", r"\b(?:new (?:puppy|kitten|dog|cat|rabbit|bunny|hamster)|got (?:a|our|my) (?:new )?(?:puppy|kitten|"
            r"rescue)|adopted (?:a|our) (?:puppy|kitten|dog|cat|rescue)|(?:puppy|kitten) called)\b"),
    ("milestone", r"\b(?:first (?:steps?|words?|tooth)|potty|(?:started|starting) (?:walking|crawling)|"
                  r"learn(?:ed|t) to (?:read|walk|swim|"
                  r"ride)|read (?:a|his|her) (?:whole )?book|badge|started (?:school|reception|nursery))\b"),
    ("baby", r"\b(?:pregnant|expecting|(?:having|had|expecting) twins|(?:just|been) born|born (?:this|yesterday|"
             r"today|last|on \w+day|at \d|early)|new baby|baby (?:boy|girl)|had (?:her|his|their|our|a|the) baby|"
             r"\d+ ?(?:week|wk) scan|first scan|big (?:sister|brother)|became a (?:dad|mum|mom|grandad|grandma|nan)|"
             r"grandbaby|first grandchild|\d+ ?lbs?|\d+ (?:days?|weeks?) old)\b"),
    ("home", r"\b(?:keys|mortgage|(?:bought|buying|got) (?:a|the|our|my|our first|my first) (?:house|flat|home|place)|"
             r"first (?:house|flat|home)|new (?:house|flat|home))\b"),
    ("retired", r"\bretir\w+"),
    ("work", r"\b(?:job|promoted|promotion|permanent|apprenticeship|hired|pay rise|raise|contract)\b"),
    ("study", r"\b(?:passed|exams?|results|test|licen[cs]e|uni|university|college|graduated|graduating|graduation|"
              r"degree|grades?|"
              r"a\*|an a|distinction|scholarship|(?:got|offered) a place at|dissertation|thesis|course|qualified)\b"),
    ("feat", r"\b(?:won (?:\d+(?:st|nd|rd|th)|first|second|third|gold|silver|bronze|a medal|a trophy|a prize|the)|"
             r"landed|personal best|pb|beat my|managed to|nailed it|smashed it)\b"),
))
_ITEMS = (r"(?:phone|wallet|purse|keys?|umbrella|brolly|sunglasses|glasses|charger|earrings?|ring|bag|hat|scarf|coat|"
          r"jacket|gloves?|card|ticket|hearing aid|headphones|airpods|book|water bottle|towel|list|lunch|costume|"
          r"kit|goggles|passport|id|licence|license|pass|reading glasses)\b")
"""Things a visitor loses, leaves behind or forgets."""
_BAD = Kinds((
    ("forgot", rf"(?:^|\bi |\bi'?ve )(?:left|forgot)\b(?:\s+\w+){{1,4}}\s+(?:at home|at work|in the car|behind)\b|"
               rf"(?:^|\bi |\bi'?ve )forgot (?:my|the|our) (?:\w+ )?{_ITEMS}"),
    ("stolen", r"\b(?:stolen|nicked|pinched|robbed|broken into|cloned|scammed|hacked)\b"),
    ("broken", r"\b(?:boiler|oven|washing machine|fridge|freezer|dishwasher|laptop|phone|kettle|heating|printer)\b"
               r"(?:\s+\w+){0,3}\s+(?:broke|broken|died|crashed|packed in|packed up|gave up|bust|smashed|cracked|"
               r"stopped working)\b|\b(?:broke|smashed|cracked) (?:my|the) (?:phone|screen|laptop)\b|"
               r"\bdropped (?:my|the|our) \w+ (?:down|in|into)\b|"
               r"\b(?:machine|meter) (?:ate|swallowed|kept) (?:my|the)\b"),
    ("lost", rf"\b(?:lost|left|dropped|forgot|can'?t find)\b(?:\s+\w+){{0,3}}\s+{_ITEMS}"),
    ("car", r"\b(?:failed (?:its|my|the|her|his) mot|mot fail\w*|towed|clamped|parking ticket|speeding ticket|"
            r"parking fine|puncture|flat tyre|broke down|broken down|dinged|scratched|car (?:failed|wouldn'?t start|"
            r"won'?t start|died|packed in|conked out))\b"),
    ("journey", r"\b(?:missed (?:my|the|our)(?: \w+)? (?:bus|train|connection|flight|ferry|tram|coach|plane)|"
                r"(?:bus|train|flight|ferry|coach)"
                r"(?:'s| is| was| got)? (?:late|delayed|cancelled|canceled)|(?:cancelled|canceled|delayed) "
                r"(?:bus|train|flight|ferry)|hasn'?t turned up)\b"),
))
_TURNED = re.compile(r"^\W*(?:oh\s+)?(?:lovely|great|brilliant|brill|perfect|fab|fabulous|wonderful|amazing|fantastic|"
                     r"marvellous|nice one|well that'?s \w+|thats \w+|congrats to me|so proud of myself)\b|"
                     r"\bex\b|"
                     r"\b(?:but|though|although|just wish|wish|miss|gutted|sadly|unfortunately|typical|classic|ugh|"
                     r"nervous|scared|worried)\b|🙄|😤|😒|😩|😭|😢|💔", re.IGNORECASE)
"""Words that turn good news round or mix it ("well thats fantastic, left my phone on the 38 bus", "got the new job
but it means moving 200 miles", "graduated today, just wish my dad could've seen it")."""
_GRAVE = re.compile(r"\b(?:hospital|ward|a&e|ambulance|ill|sick|poorly|fall|fell|injur\w*|broke (?:my|his|her) "
                    r"\w+|pain|doctor|gp|nurse|surgery|operation|cancer|scan|(?<!car )(?<!van )died|dead|funeral|vet|"
                    r"police|"
                    r"crash|accident|flood\w*|fire|evict\w*|debt|rent|landlord|redundan\w*|fired|sacked|divorce|"
                    r"split|dumped|found|turned up|handed in|got (?:it|them) back|anyway|glad|lucky|thankfully|"
                    r"luckily|nearly|almost|(?:sea)?gulls?|pigeons?|squirrels?|monkeys?|goats?|geese|goose)\b|"
                    r"😂|🤣",
                    re.IGNORECASE)
"""A mishap that is graver, or ended well, nearly happened, is told as a joke or was an animal's doing ("seagull just
nicked my brothers cone haha"): the model (or ``sympathy``) answers."""
_GREETING = re.compile(r"^\W*(?:good )?(?:morning|afternoon|evening|hello|hi|hiya|hey)\b", re.IGNORECASE)
"""A greeting first: good news of no known kind is then a pleasantry ("Morning! Lovely to see something new on the
prom")."""
_DRAW = re.compile(r"\b(?:draw|drw|paint|sketch|picture|pic)\b", re.IGNORECASE)
"""A request to draw ("draw me and my husband on a beach, it's our 25th anniversary"): the model's."""
_MIXED = re.compile(r"\b(?:but|though|although|cancelled it|let me off)\b", re.IGNORECASE)
"""A mishap with a turn ("got a parking ticket but they let me off")."""
_OTHERS = re.compile(r"^\W*(?:so\s+|omg\s+)?(?:my|our)\s+(?:\w+\s+)?(?:mum|mom|dad|son|daughter|kid|boy|girl|brother|"
                     r"sister|husband|wife|partner|nan|gran|grandma|grandad|grandson|granddaughter|niece|nephew|"
                     r"friend|mate|best mate|best friend|cousin|auntie|aunt|uncle|eldest|youngest)(?:'s)?\b",
                     re.IGNORECASE)
"""News of someone else ("my daughter passed her driving test this morning")."""
_MINE = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me|we|we're|were|our|us)\b|^\W*(?:just |so |and )?(?:got|lost|left|"
                   r"missed|forgot|dropped|broke|smashed|cracked)\b", re.IGNORECASE)
"""A mishap of the visitor's own, "I" said or not ("got a parking ticket outside"; not "a man just argued about a
parking ticket")."""


def answer(text: str, context: Context) -> str | None:
    if (context.follows_question or not FEWEST_WORDS <= len(text.split()) <= MOST_WORDS or "?" in text
            or ASKS_IN.search(text) or ABOUT_KIOSK.search(text) or _DRAW.search(text)):
        return None
    good, bad = context.learnt("good_news", text), context.learnt("bad_news", text)
    if not bad and not _TURNED.search(text):
        kind = _GOOD.of(text) or "other"
        if (good and not (kind == "other" and _GREETING.match(text))) or (kind in SURE and not _GRAVE.search(text)):
            return context.rng.choice(GOOD["theirs" if kind in THEIRS and _OTHERS.match(text) else kind])
    if not good and _MINE.search(text) and not _GRAVE.search(text) and not _MIXED.search(text):
        kind = _BAD.of(text)
        return None if kind is None else context.rng.choice(BAD[kind])
    return None
