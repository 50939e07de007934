"""The ``sympathy`` skill: hard news with nothing asked (a death, a grave illness, a break-up, a lost job)
gets a few kind words, and the end of a grave illness glad ones.

The 135M model meets such news with cheer or with nonsense: "Came in to register my dad's death.
Everyone's been very kind." -> "That's wonderful, congratulations on his passing!", "my nan passed away on
sunday" -> "A happy day for your family!", "my wife left me. the kids are staying with her" -> "That's so
sad, I'm glad you're safe now.", "I was made redundant yesterday after 11 years" -> "I'm glad you came back
to work refreshed.". No reply of a public screen may do that, so the kiosk answers such a line itself,
briefly and warmly, and asks nothing. A line that also asks something goes on (to the staff skills, else the
model, which then never says anything cheerful to a death: :mod:`edge_vdialog.dialogue.tone`).

"Died" and "death" count only with someone to have died ("my phone died" does not), never with a laugh
("i nearly died laughing") or a thing ("the main character died"); someone lost in the building ("lost my mum
near the escalators") is the ``urgent`` skill's. Good news about an illness ("my husband got the all clear
after a year of chemo", which the model read as "really hard news") gets glad words; relief at a break-up or a
lost job ("best thing that ever happened") is left to the model.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKING, MONTHS, PASSED_WHEN

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_KIN = (r"mum|mom|mother|dad|father|nan|nana|nanna|gran|granny|grandma|grandmother|grandad|grandpa|grandfather|"
        r"wife|husband|partner|son|daughter|brother|sister|uncle|aunt|auntie|cousin|friend|mate|neighbour|neighbor|"
        r"dog|cat|pet|puppy|kitten|hamster|rabbit|bunny|horse|tortoise|goldfish|baby")
_MOURNING = re.compile(r"\b(?:funerals?|memorial|cremation|crematorium|burial|bereave\w*|mourning|grieving|grief|"
                       r"widow|widowed|widower|condolences|passed away|rip(?![- ]?off))\b", re.IGNORECASE)
_DIED = re.compile(r"\b(?:died|death|dying|grave)\b", re.IGNORECASE)
_SOMEONE = re.compile(rf"\b(?:(?:{_KIN})(?:'?s)?|he|she|him|her)\b", re.IGNORECASE)
_LOST = re.compile(rf"\blost (?:my|our) (?:\w+ )?(?:{_KIN})s? (?:last|this|on|to|recently|suddenly|a (?:week|month|"
                   rf"year)|\d+|one|two|three|four|five|six|ten|in (?:{MONTHS}|the spring|the summer|the autumn|"
                   r"the winter|\d{4}))\b",
                   re.IGNORECASE)
"""A loss said another way: "Lost my nan last month" (with a "when": "lost my dad in the crowd" is not)."""
_PUT_DOWN = re.compile(r"\b(?:put down|put to sleep)\b", re.IGNORECASE)
_KIN_WORD = re.compile(rf"\b(?:{_KIN})\b", re.IGNORECASE)
""":data:`_PUT_DOWN` counts with one of these ("my cat had to be put down", not "she put down her bag")."""
_ILLNESS = re.compile(r"\b(?:cancer|hospice|chemo|chemotherapy|dementia|alzheimer'?s|palliative|terminally ill|"
                      r"intensive care|life support|not got long|hasn'?t got long|had a stroke|after a stroke|"
                      rf"(?:{_KIN})(?:'s| is) (?:in hospital|on (?:a|the) ward)|heart attack|in a coma|tumou?r|"
                      r"leuk(?:a)?emia|parkinson'?s|motor neurone|diagnosed with "
                      r"(?:ms|a |an |stage|terminal|breast|bowel|lung|skin|als)|on ward \d+|on the \w+ ward)\b",
                      re.IGNORECASE)
_HEARTBREAK = re.compile(r"\b(?:(?:wife|husband|partner|girlfriend|boyfriend|fianc[eé]e?|missus|mrs)(?: of \w+ \w+)? "
                         r"(?:has |just )?(?:left|dumped|walked out on) me|signed (?:the |our |my )?divorce papers|"
                         r"(?:left|dumped) me for|(?:we|we've|weve|we have) (?:split|"
                         r"broken) up|(?:broke|split) up with (?:me|my)|"
                         r"(?:got|been|was) dumped (?:by|over|on|yesterday|today|last|this)|"
                         r"(?:i|i'?ve|just) (?:got |been |was )?dumped|"
                         r"(?:getting|got) (?:a )?divorced?|divorce "
                         r"(?:papers|came through|is final))\b", re.IGNORECASE)
_JOB = re.compile(r"\b(?:made redundant|been redundant|(?:lost|losing) my job|laid off|got (?:the )?(?:sack|sacked)|"
                  r"been (?:sacked|fired|let go)|got fired|(?:i was|i've been|ive been|im being|i'm being) let go)\b",
                  re.IGNORECASE)
_NOT_HARD = re.compile(r"\b(?:lol|lmao|haha\w*|laughing|laughed|nearly|almost|basically|literally|phone|battery|"
                       r"laptop|car|plant|plants|game|character|film|movie|book|show|series|near|around|by the|"
                       r"escalators?|crowd|queue|where|find)\b|😂|🤣|😅", re.IGNORECASE)
"""A joke, a thing that "died", a story's death, or someone lost in the building (the urgent skill's)."""
_GOOD_NEWS = re.compile(r"\b(?:free|beat|beaten|remission|all clear|clear|finished|done|(?:it'?s|is|are) over|"
                        r"last (?:round|dose|session|chemo)|rang the bell|raised|raising|celebrat\w*|proud|recovered|"
                        r"recovering|survived|survivor|better|cured|home|new job|finally|best thing|relieved)\b|"
                        r"!!|🎉|🔔|🥳", re.IGNORECASE)
"""Good news about an illness ("my dad is cancer free", "rang the bell today!!! last round of chemo DONE")."""
_RELIEF = re.compile(r"\b(?:best thing|relieved|finally free|good riddance|new job|lol|haha\w*)\b|😂|🤣|🥳|🎉",
                     re.IGNORECASE)
"""Relief at a break-up or a lost job ("got made redundant, best thing that ever happened")."""
_JOY = re.compile(r"\b(?:adopted|new (?:puppy|kitten|dog|cat|baby|grandson|granddaughter)|got (?:a|our|my) (?:puppy|"
                  r"kitten|rescue)|welcomed|born|engaged|married|wedding)\b", re.IGNORECASE)
"""News of joy that mentions a loss in passing ("we adopted a puppy, our first dog since our old boy died")."""
_ASKS = re.compile(rf"\?|^\W*(?:{ASKING}|whats|wheres|hows|please|pls|plz|draw|drw|tell|show|give|make)\b",
                   re.IGNORECASE)
MOST_WORDS = 30

REPLIES = {
    "loss": ("I'm so sorry for your loss. Be gentle with yourself today.",
             "I'm really sorry. That's so hard, and I hope the people around you are looking after you.",
             "I'm so sorry to hear that. Take all the time you need; I'm here if you'd like to talk."),
    "illness": ("I'm so sorry, that's a lot to carry. I hope you're looking after yourself too.",
                "That's really hard, I'm sorry. I hope someone is looking after you as well."),
    "recovery": ("That's wonderful news, I'm so glad! I hope you get to celebrate properly.",
                 "What brilliant news! I'm so happy for you."),
    "heartbreak": ("I'm so sorry, that's a lot to go through. Be kind to yourself today.",
                   "That's really hard, I'm sorry. I hope you've got good people around you."),
    "job": ("I'm sorry, that's a horrible shock. I hope you've got people around you, and something better soon.",
            "That's really tough, I'm sorry. It says nothing about what you're worth; look after yourself."),
}


def answer(text: str, context: Context) -> str | None:
    kind = kind_of(text)
    return None if kind is None else context.rng.choice(REPLIES[kind])


def kind_of(text: str) -> str | None:
    """Which of :data:`REPLIES` ``text`` is news of; None: not hard news, or not only news."""
    if len(text.split()) > MOST_WORDS or _ASKS.search(text) or _NOT_HARD.search(text) or _JOY.search(text):
        return None
    if (_MOURNING.search(text) or (_DIED.search(text) and _SOMEONE.search(text)) or _LOST.search(text)
            or (_PUT_DOWN.search(text) and _KIN_WORD.search(text)) or PASSED_WHEN.search(text)):
        return "loss"
    if _ILLNESS.search(text):
        return "recovery" if _GOOD_NEWS.search(text) else "illness"
    for kind, words in (("heartbreak", _HEARTBREAK), ("job", _JOB)):
        if words.search(text) and not _RELIEF.search(text):
            return kind
    return None
