"""The ``venue`` skill: what only the people who run this place know (opening and show times, prices,
the wifi, what a visitor may do here), answered honestly: the kiosk does not know, and says who does.

A small model invents such facts ("the planetarium shows are usually at 12pm", "the library closes
on Saturdays"); a kiosk must not. A line is a venue question when it is nothing but one of:

* times: "what time / when / how late ..." about something that opens, closes, starts or runs here
  (:data:`TIMED`), or "is the cafe open today?", not in the past and not about the sun, the seasons or
  the calendar (:data:`NOT_HERE`);
* prices: "how much is ...", "what does ... cost", "is it free", "do I have to pay";
* the wifi's name or password;
* rules and services: "can I bring my dog in", "can we take photos here", "do you take cards".

An owner with real answers writes them in ``[dialogue.answers]`` (the ``recall`` skill, which the
default order tries first).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, IS, POLITE

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

TIMED = (r"open|opens|opening|close|closes|closing|shut|shuts|start|starts|begin|begins|finish|finishes|"
         r"show|shows|showing|tour|tours|talk|feeding|feed|session|performance|screening|check ?-?in|"
         r"check ?-?out|breakfast|lunch|dinner|served|last entry|last admission|leave|leaves|depart|departs|"
         r"arrive|arrives|hours|times|timetable|schedule|next (?:bus|train|tram|tour|show|talk|feeding|boat|ferry)")
"""What a times question asks about (a word of the line)."""
NOT_HERE = (r"sun|sunrise|sunset|moon|summer|winter|spring|autumn|fall|christmas|easter|halloween|ramadan|"
            r"diwali|school|term|holidays?|world cup|olympics|season|war|universe|world|life|clocks?|daylight|"
            r"did|was|were|used")
"""Words that make a times question other than this place's (the sky, the calendar, the past)."""
VERBS = (r"bring|take|park|pay|use|book|buy|borrow|renew|print|eat|drink|smoke|swim|feed|touch|pet|film|record|"
         r"photograph|sit|store|charge|rent|hire|exchange|return|collect|register|sign up|join|check in|"
         r"check out|come back|go in|get in|leave (?:my|our|a|the)")
"""What a visitor asks leave to do here ("can I bring my dog in?")."""
MOST_WORDS = 14

_ASK = POLITE + r"(?:(?:do you know|can you tell me|could you tell me|can u tell me|any idea)[,]? )?"
_TIMES = re.compile(
    _ASK + rf"(?:what time|when|how late|till when|until when|(?:till|until) what time|what{IS}? the|"
    rf"what are the|what're the)\b(?P<rest>.*?){END}", re.IGNORECASE)
_OPEN_NOW = re.compile(
    _ASK + r"(?:is|are|will|when is|when are) (?:the )?(?P<what>[\w' -]+? )?(?:be |still )?(?:open|closed|shut)"
    r"(?P<when>(?: (?:today|tonight|now|tomorrow|late|still|yet|at the weekend|this weekend|on (?:mon|tues|wednes|"
    r"thurs|fri|satur|sun)days?|on bank holidays?))*)" + END, re.IGNORECASE)
_VENUE = re.compile(r"(?:^|\s)(?:it|this|this place|the place|you|u|shop|shops|store|cafe|café|restaurant|bar|"
                    r"museum|gallery|pool|gym|zoo|house|library|centre|center|park|office|desk|reception|"
                    r"exhibition|spa|cinema|theatre|station|market|kitchen|canteen|toilets?|garden|aquarium)\s*$",
                    re.IGNORECASE)
"""What "is ... open?" must name, unless it says when ("is the window open" is not a question of times)."""
_DAYS = re.compile(_ASK + r"(?:what|which) days? (?:is|are|does|do) .+ open" + END, re.IGNORECASE)
_PRICES = re.compile(
    _ASK + r"(?:how much (?:is|are|'s|s|for|to|would|will|does .+ cost|do .+ cost)|what (?:does|do|will) .+ cost|"
    rf"what{IS}? the (?:price|cost|charge|fee|entry fee|admission)|is it free|"
    r"(?:is|are) (?:entry|admission|parking|the \w+(?: \w+)?|tickets?|kids|children) free|"
    r"do (?:i|we) (?:have to|need to|got to) pay|(?:do|does) .+ cost (?:anything|money|extra))\b.*?" + END,
    re.IGNORECASE)
_WIFI = re.compile(
    _ASK + rf"(?:what{IS}? the |is there (?:any |free )?|do you have |got (?:any |the )?)?"
    r"(?:wifi|wi-fi|wi fi|internet)(?: (?:password|code|network|name|login|details))?(?: here| in here)?" + END,
    re.IGNORECASE)
_RULES = re.compile(
    _ASK + rf"(?:(?:can|could|may) (?:i|we)|am i allowed to|are we allowed to|is it (?:ok|okay|alright|allowed) to) "
    rf"(?:{VERBS})\b.*?{END}|"
    + _ASK + r"(?:(?:are|is) (?:dogs|pets|kids|children|food|drinks|smoking|photos|photography|prams|pushchairs|"
    r"buggies|bikes|scooters)(?: \w+)? allowed|do (?:i|we) need (?:a |an |to )?(?:ticket|tickets|booking|book|pay|"
    r"reservation|reserve|card|pass|membership|wristband|id|appointment)|do you (?:take|accept) (?:cards?|cash|"
    r"contactless|apple pay|card payments?))\b.*?" + END, re.IGNORECASE)
_ABOUT_YOU = re.compile(r"\b(?:you|your|u|ur|yourself|screen|kiosk|this thing|this machine|worth|weigh|weight|"
                        r"seat|chair|table|bench|spot|space)\b", re.IGNORECASE)
"""Words that make a line about the kiosk (or about something other than this place's prices and rules)."""
_ALLOWED_YOU = re.compile(r"\b(?:do you know|can you tell me|could you tell me|can u tell me|do you (?:take|accept)|"
                          r"do you have (?:any |free )?(?:wifi|wi-fi|wi fi|internet)|"
                          r"(?:do|are) (?:you|u) (?:open|close|shut|closing|opening))\b", re.IGNORECASE)
""""you" that means this place ("do you take cards?", "when do you close?")."""
_THIS = re.compile(r"\b(?:this|picture|drawing|chat|chatting|talking)\b", re.IGNORECASE)
"""A price asked of the kiosk itself ("how much is this?", "does the picture cost anything"): not the venue's."""
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
"""Two numbers make a sum ("how much is 4 tickets at 12.50"), not a price to look up."""
_TIMED = re.compile(rf"\b(?:{TIMED})\b", re.IGNORECASE)
_NOT_HERE = re.compile(rf"\b(?:{NOT_HERE})\b", re.IGNORECASE)

REPLIES = {
    "times": ("I don't know the times here, sorry! The signs or a member of staff will have them.",
              "Opening times and schedules are beyond me, I'm afraid. The front desk can tell you."),
    "prices": ("I don't know the prices here, I'm afraid. A member of staff or the ticket desk will.",
               "Prices aren't something I can see from here, sorry! A member of staff can tell you."),
    "wifi": ("I don't know the wifi details, sorry! A member of staff or a sign nearby should have them.",),
    "rules": ("That's one for the staff here, I'm afraid: I don't know the rules of this place.",
              "I can't tell you that myself, sorry! A member of staff or the front desk will know."),
}


def answer(text: str, context: Context) -> str | None:
    kind = kind_of(text)
    return None if kind is None else context.rng.choice(REPLIES[kind])


def kind_of(text: str) -> str | None:
    """Which of :data:`REPLIES` ``text`` asks about; None: not a venue question."""
    if len(text.split()) > MOST_WORDS or _ABOUT_YOU.search(_ALLOWED_YOU.sub(" ", text)):
        return None
    if _WIFI.fullmatch(text):
        return "wifi"
    if _asks_times(text):
        return "times"
    if _PRICES.fullmatch(text) and not _THIS.search(text) and len(_NUMBER.findall(text)) < 2:
        return "prices"
    if _RULES.fullmatch(text):
        return "rules"
    return None


def _asks_times(text: str) -> bool:
    """When something here opens, starts or runs ("what time is the show", "is the cafe open today?")."""
    m = _TIMES.fullmatch(text)
    if m and _TIMED.search(m["rest"]) and not _NOT_HERE.search(m["rest"]):
        return True
    return bool(_open_now(text) or _DAYS.fullmatch(text)) and not _NOT_HERE.search(text)


def _open_now(text: str) -> bool:
    """Whether "is ... open?" names a place of :data:`_VENUE` or says when."""
    m = _OPEN_NOW.fullmatch(text)
    return bool(m) and bool(m["when"] or _VENUE.search(m["what"] or "it"))
