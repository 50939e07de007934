"""The ``grief`` skill: news of a death or of a grave illness, with nothing asked, gets a few kind words.

The 135M model meets such news with cheer: "Came in to register my dad's death. Everyone's been very
kind." -> "That's wonderful, congratulations on his passing!", "my nan passed away on sunday" -> "A happy
day for your family!", "here for the memorial service at 2" -> "I'm so glad you're here!". No reply of a
public screen may do that, so the kiosk answers such a line itself, briefly and warmly, and asks
nothing. A line that also asks something goes on (to the staff skills, else the model, which then never
says anything cheerful: :mod:`edge_vdialog.dialogue.tone`). "Died" and "death" count only with someone
to have died ("my phone died" does not), and never with a laugh ("i nearly died laughing").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

_MOURNING = re.compile(r"\b(?:funerals?|memorial|cremation|crematorium|burial|bereave\w*|mourning|grieving|grief|"
                       r"widow|widowed|widower|condolences|passed away|rip)\b", re.IGNORECASE)
_DIED = re.compile(r"\b(?:died|death|dying|grave)\b", re.IGNORECASE)
_SOMEONE = re.compile(r"\b(?:mum|mom|mother|dad|father|nan|nana|nanna|gran|granny|grandma|grandmother|grandad|"
                      r"grandpa|grandfather|wife|husband|partner|son|daughter|brother|sister|uncle|aunt|auntie|"
                      r"cousin|friend|mate|neighbour|neighbor|dog|cat|pet|puppy|kitten|hamster|rabbit|horse|"
                      r"he|she|him|her|baby)\b", re.IGNORECASE)
_ILLNESS = re.compile(r"\b(?:cancer|hospice|chemo|chemotherapy|dementia|alzheimer'?s|palliative|terminally ill|"
                      r"intensive care|life support|not got long|hasn't got long|hasnt got long)\b", re.IGNORECASE)
_NOT_GRIEF = re.compile(r"\b(?:lol|lmao|haha\w*|laughing|laughed|nearly|almost|basically|literally|phone|battery|"
                        r"laptop|car|plant|plants|game|character|film|movie|book|show|series|near|around|by the|"
                        r"escalators?|where|find)\b|😂|🤣|😅", re.IGNORECASE)
"""A joke, a thing that "died", a story's death, or someone lost in the building (the venue skill's)."""
_GOOD_NEWS = re.compile(r"\b(?:free|beat|beaten|remission|all clear|clear|finished|last chemo|raised|raising|"
                        r"celebrat\w*|proud|recovered|recovering|survived|survivor|better|cured)\b", re.IGNORECASE)
"""Good news about an illness ("my dad is cancer free", "finished my last chemo today")."""
_ASKS = re.compile(rf"\?|^\W*(?:{ASKING}|whats|wheres|hows|please|pls|plz|draw|drw|tell|show|give|make)\b",
                   re.IGNORECASE)
MOST_WORDS = 30

LOSS = ("I'm so sorry for your loss. Be gentle with yourself today.",
        "I'm really sorry. That's so hard, and I hope the people around you are looking after you.",
        "I'm so sorry to hear that. Take all the time you need; I'm here if you'd like to talk.")
ILLNESS = ("I'm so sorry, that's a lot to carry. I hope you're looking after yourself too.",
           "That's really hard, I'm sorry. I hope someone is looking after you as well.")


def answer(text: str, context: Context) -> str | None:
    if len(text.split()) > MOST_WORDS or _ASKS.search(text) or _NOT_GRIEF.search(text):
        return None
    if _MOURNING.search(text) or (_DIED.search(text) and _SOMEONE.search(text)):
        return context.rng.choice(LOSS)
    if _ILLNESS.search(text) and not _GOOD_NEWS.search(text):
        return context.rng.choice(ILLNESS)
    return None
