"""The ``venue`` skill: what only the people who run this place know (opening and show times, prices,
the wifi, what a visitor may do here), answered honestly: the kiosk does not know, and says who does.

A small model invents such facts ("the planetarium shows are usually at 12pm", "the library closes
on Saturdays"); a kiosk must not. A line is a venue question when it is nothing but one of:

* times: "what time / when / how late ..." about something that opens, closes, starts or runs here
  (:data:`TIMED`), or "is the cafe open today?", not in the past and not about the sun, the seasons or
  the calendar (:data:`NOT_HERE`);
* prices: "how much is ...", "what does ... cost", "is it free", "do I have to pay";
* the wifi's name or password;
* rules: "can I bring my dog in", "can we take photos here", "do you take cards", "do i have to wear a
  swim cap", "how many books can my son take out";
* what the place has or offers: "does the pool have a hoist?", "are there any computer classes?";
* live travel: a platform, a gate, a delay, a strike, a refund, how long a journey takes.

An owner with real answers writes them in ``[dialogue.answers]``. A venue question gets, in this order:
the owner's answer to the nearest question of the same kind that names the same thing ("when do you close"
= "We close at 6 pm." answers "what time do you close tonight?", 0.70 apart in meaning); else what the
``recall`` skill would say (the owner's, then the bundle's written answers, by meaning); else the honest
reply. So it comes before ``recall`` in the default order: a written "I don't know the opening hours"
must not win over the owner's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import END, IS, POLITE, TELL_ME, word_set

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

TIMED = (r"open|opens|opening|close|closes|closing|shut|shuts|start|starts|begin|begins|finish|finishes|"
         r"show|shows|showing|tour|tours|talk|feeding|feed|session|performance|screening|check ?-?in|"
         r"check ?-?out|breakfast|lunch|dinner|served|last entry|last admission|leave|leaves|depart|departs|"
         r"arrive|arrives|hours|times|timetable|schedule|fireworks|parade|display|ride|rides|trip|trips|go on|goes on|"
         r"next (?:bus|train|tram|tour|show|talk|feeding|boat|ferry)")
"""What a times question asks about (a word of the line)."""
NOT_HERE = (r"sun|sunrise|sunset|moon|summer|winter|spring|autumn|fall|christmas|easter|halloween|ramadan|"
            r"diwali|school|term|holidays?|world cup|olympics|season|war|universe|world|life|clocks?|daylight|"
            r"did|was|were|used")
"""Words that make a times question other than this place's (the sky, the calendar, the past)."""
VERBS = (r"bring|take|park|pay|use|book|buy|borrow|renew|print|eat|drink|smoke|swim|feed|touch|pet|film|record|"
         r"test drive|skate|bowl|cycle|"
         r"photograph|sit|store|charge|rent|hire|exchange|return|collect|register|sign up|join|check in|"
         r"check out|come back|go in|get in|leave (?:my|our|a|the)")
"""What a visitor asks leave to do here ("can I bring my dog in?")."""
MOST_WORDS = 16

_ASK = POLITE + rf"(?:(?:{TELL_ME}|any idea)[,]? )?"
_TIMES = re.compile(
    _ASK + rf"(?:what time|when|how late|till when|until when|(?:till|until) what time|what{IS}? the|"
    rf"what are the|what're the)\b(?P<rest>.*?){END}", re.IGNORECASE)
_OPEN_NOW = re.compile(
    _ASK + r"(?:is|are|will|when is|when are) (?:the )?(?P<what>[\w' -]+? )?(?:be |still )?"
    r"(?:open|closed|shut|on|running)"
    r"(?P<when>(?: (?:today|tonight|now|tomorrow|late|still|yet|at the weekend|this weekend|on (?:mon|tues|wednes|"
    r"thurs|fri|satur|sun)days?|on bank holidays?))*)" + END, re.IGNORECASE)
_VENUE = re.compile(r"(?:^|\s)(?:it|this|this place|the place|you|u|shop|shops|store|cafe|café|restaurant|bar|"
                    r"museum|gallery|pool|gym|zoo|house|library|centre|center|park|office|desk|reception|"
                    r"exhibition|spa|cinema|theatre|station|market|kitchen|canteen|toilets?|garden|aquarium)\s*$",
                    re.IGNORECASE)
"""What "is ... open?" must name, unless it says when ("is the window open" is not a question of times)."""
_DAYS = re.compile(_ASK + r"(?:what|which) days? (?:is|are|does|do) .+ open" + END, re.IGNORECASE)
_PRICES = re.compile(
    _ASK + r"(?:how much (?:(?:extra|more) )?(?:is|are|'s|s|for|to|would|will|does .+ cost|do .+ cost)|"
    r"what (?:does|do|will) .+ cost|(?:is|are) (?:the |it |that |this )?(?:[\w-]+ ){0,3}(?:included|extra)\b|"
    rf"what{IS}? the (?:price|cost|charge|fee|entry fee|admission)|is it free|"
    r"(?:is|are) (?:entry|admission|parking|the \w+(?: \w+){0,2}|tickets?|kids|children) free|"
    r"do (?:i|we) (?:have to |need to |got to )?pay|(?:do|does) .+ cost (?:anything|money|extra))\b.*?" + END,
    re.IGNORECASE)
_WIFI = re.compile(
    _ASK + rf"(?:what{IS}? the |is there (?:any |free )?|do you have |got (?:any |the )?)?"
    r"(?:wifi|wi-fi|wi fi|internet)(?: (?:password|code|network|name|login|details))?(?: here| in here)?" + END,
    re.IGNORECASE)
_RULES = re.compile(
    _ASK + rf"(?:(?:can|could|may) (?:i|we)|am i allowed to|are we allowed to|is it (?:ok|okay|alright|allowed) to) "
    rf"(?:{VERBS})\b.*?{END}|"
    + _ASK + r"(?:(?:are|is) (?:dogs|pets|kids|children|food|drinks|smoking|photos|photography|prams|pushchairs|"
    r"buggies|bikes|scooters)(?: \w+)? allowed|do (?:i|we) need (?:a |an |to |my |our )?"
    r"(?:ticket|tickets|booking|book|pay|"
    r"reservation|reserve|card|pass|membership|wristband|id|appointment|check in|sign in|register|show|passport|"
    r"photo id|proof|licen[cs]e)|do (?:the|they|these|those)(?: \w+){0,2} (?:need|take|accept)|"
    r"can (?:dogs|pets|kids|children|prams|buggies|pushchairs|wheelchairs) (?:come|go|get|use|sit|stay|be)|"
    r"do you (?:take|accept) (?:cards?|cash|"
    r"contactless|apple pay|card payments?))\b.*?" + END + "|"
    + _ASK + r"(?:do|does|will) (?:i|we|you|u|my \w+|kids|children) (?:have|need|got) to (?:wear|bring|show|book|pay|"
    r"buy|have|be|take|sign|register|shower|queue|leave)\b.*?" + END + "|"
    + _ASK + r"(?:what age|how old) (?:can|do|does|must|should) (?:kids|children|you|u|i|we|my \w+|people|someone) "
    r".*\b(?:here|the \w+)\b.*?" + END + "|"
    + _ASK + r"how many \w+(?: \w+)? (?:can|do|may) (?:i|we|you|my \w+|kids|children) (?:take out|borrow|"
    r"bring|book|check out|renew)\b.*?" + END + "|"
    + _ASK + r"(?:can|could|do|will) (?:i|we) get (?:my |our )?(?:money back|a refund|refunded|compensation)\b.*?"
    + END + "|" + _ASK + r"(?:how tall|what height) (?:do|does|must|should) (?:you|u|i|we|kids|children|my \w+) "
    r"(?:have to |need to )?be\b.*?" + END + "|" + _ASK + r"(?:can|could|may) (?:you|u|i|we) (?:bring|take) "
    r"(?:your|ur|my|our) own\b.*?" + END + "|" + _ASK + r"(?:is|are) (?:the |this )?[\w' -]+? open to (?:visitors|"
    r"the public|everyone|anyone|non-?members|non-?students|kids|children|families|dogs|all)\b.*?" + END + "|"
    + _ASK + r"(?:where|who) (?:can|do|could|should) (?:i|we) (?:find out|ask|talk to|speak to|go to) (?:about|for "
    r"(?:help|advice|information|info) (?:about|with|on))\b.*?" + END + "|"
    + _ASK + r"(?:is there|are there|what(?:'s|s| is)) (?:an? |the )?(?:age|height|weight|time) (?:limit|"
    r"restriction|requirement)s?\b.*?" + END + "|"
    + _ASK + r"(?:is|are) the \w+(?: \w+){0,4} (?:actually |really )?(?:safe|ok|okay|"
    r"allowed) to (?:touch|stroke|pet|feed|hold)\b.*?" + END, re.IGNORECASE)
VENUES = (r"pool|cafe|café|shop|store|gym|library|museum|gallery|centre|center|cinema|zoo|aquarium|station|"
          r"hotel|restaurant|bar|spa|hall|park|garden|place|building|reception|desk|office|canteen|kitchen")
"""What "does the ... have" names when it asks about this place ("does the pool have a hoist?")."""
VEHICLES = r"train|trains|bus|buses|coach|flight|flights|plane|tram|ferry|boat|\d{1,2}[:.]\d{2}\w*|\d{3,4}"
"""What runs late or on time ("is my train delayed", "is the 10:15 cancelled")."""
SERVICES = (r"classes|class|lessons|courses?|clubs?|groups?|tours?|events?|activities|workshops?|discounts?|"
            r"concessions?|offers?|deals|lockers?|showers?|hoists?|ramps?|wheelchairs?|lifts?|toilets?|deliver\w*|"
            r"courtesy cars?|gift (?:cards?|vouchers?)|refunds?|repairs?|cabins?|"
            r"changing rooms?|baby chang\w*|rooms?|space|printers?|computers?|charging points?|chargers?|"
            r"cloakroom|cafe|café|restaurant|shop|parking|water fountains?|buggies|prams|seats?|"
            r"hearing loops?|audio guides?|guides?|maps?|menus?|highchairs?")
"""What a place may have or offer ("does the pool have a hoist?")."""
_TASTE = re.compile(r"\b(?:favou?rite|fav|best|like|love|own|ever)\b", re.IGNORECASE)
"""Words that ask the kiosk's taste or another place's ("do you have a favourite shop in here"), not what this
place has."""
_HOW_LONG = re.compile(_ASK + r"how long (?:does|do|will) (?:the|a|an|my) (?:[\w'-]+ ){0,2}"
                       r"(?:usually |normally |roughly "
                       r")?take(?: here| today)?" + END, re.IGNORECASE)
"""How long a thing of this place takes ("how long does an MOT usually take here")."""
_SERVICES = re.compile(
    _ASK + r"do they (?:sell|serve|do|have|offer|hire|lend|deliver)\b.*?" + END + "|"
    + _ASK + r"(?:is|are) there (?:any |a |an )?(?:[\w'-]+ ){1,3}(?:left|available|free)(?: for| today| tonight| now|$)"
    r".*?" + END + "|"
    + _ASK + r"(?:is|are) (?:the |it |this |that )?(?:[\w'-]+ ){0,6}(?:ok|okay|suitable|accessible|good|"
    r"possible) (?:for|with) (?:a |my |our )?(?:wheelchairs?|prams?|buggy|buggies|pushchairs?|mobility scooters?|"
    r"crutches|walking frames?)\b.*?" + END + "|"
    + _ASK + rf"(?:does|do) (?:the|this|your) (?:[\w'-]+ )?(?:{VENUES}) "
    r"(?:have|sell|serve|do|offer|take|fix|hire|lend)\b.*?"
    + END + "|" + _ASK + r"do you (?:have|do|sell|serve|offer|hire|lend) (?:a |an |any )?(?:[\w'-]+ ){0,3}"
    rf"(?:{SERVICES})\b.*?" + END + "|" + _ASK + r"(?:is|are) there (?:a |an |any )?(?:[\w'-]+ ){0,3}"
    rf"(?:{SERVICES})\b.*?" + END + "|" + _ASK + r"do the \w+(?: \w+)? (?:here |in here )?have names\b.*?" + END
    + "|" + _ASK + r"how (?:many|much|big|deep|old) (?:\w+ ){0,3}(?:(?:is|are) (?:in )?)?the (?:big |main )?"
    r"(?:tank|pool|building|hall|gallery|collection)\b.*?" + END, re.IGNORECASE)
_TRAVEL = re.compile(
    _ASK + r"(?:(?:which|what) (?:platform|gate|terminal|stand|stop|bay)|(?:is|are) (?:this|it|that) the right "
    r"(?:platform|gate|terminal|stop|station|train|bus|queue|way)|how long (?:does|will) it take to (?:get|go|drive|"
    r"walk|fly) .*\b(?:from here|by (?:train|bus|coach|tram|car|taxi|plane))|(?:is|are) (?:there (?:a |any )?strikes?|"
    rf"(?:my|the|our) (?:{VEHICLES})\b.*?\b(?:delayed|cancell?ed|on time|running late))|"
    rf"(?:does|do|will) (?:the|my|our) (?:{VEHICLES}) (?:still )?(?:go|run|sail|leave|fly|operate)\b|"
    r"(?:do|does) (?:you|u|anyone) know (?:if|whether) (?:there(?:'s|s| is) (?:a |any )?(?:strikes?|delays?)|"
    rf"(?:my|the|our) (?:{VEHICLES})\b.*?\b(?:delayed|cancell?ed|on time|running late))|"
    r"(?:does|do|will) (?:the|this|my|our) (?:[\w:'-]+ ){1,4}"
    r"(?:stop at|stop in|go to|go from|leave from|call at))\b.*?" + END, re.IGNORECASE)
_ABOUT_YOU = re.compile(r"\b(?:you|your|u|ur|yourself|screen|kiosk|this thing|this machine|worth|weigh|weight|"
                        r"seat|chair|table|bench|spot|space)\b", re.IGNORECASE)
"""Words that make a line about the kiosk (or about something other than this place's prices and rules)."""
_ALLOWED_YOU = re.compile(rf"\b(?:{TELL_ME}|do you (?:take|accept)|how tall (?:do|must) (?:you|u) (?:have to |need "
                          r"to )?be|do (?:you|u) (?:have|need) to (?:wear|bring|show|book|pay|buy|queue|register|sign)|"
                          r"(?:can|could|may) (?:you|u) (?:bring|take) (?:your|ur) own|"
                          rf"do you (?:have|do|sell|serve|offer|hire|lend) (?:a |an |any )?(?:[\w'-]+ ){{0,3}}"
                          rf"(?:{SERVICES})|"
                          r"do you have (?:any |free )?(?:wifi|wi-fi|wi fi|internet)|"
                          r"(?:do|are) (?:you|u) (?:open|close|shut|closing|opening))\b", re.IGNORECASE)
""""you" that means this place ("do you take cards?", "when do you close?")."""
_THIS = re.compile(r"\b(?:this|picture|drawing|chat|chatting|talking)\b", re.IGNORECASE)
"""A price asked of the kiosk itself ("how much is this?", "does the picture cost anything"): not the venue's."""
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
"""Two numbers make a sum ("how much is 4 tickets at 12.50"), not a price to look up."""
_TIMED = re.compile(rf"\b(?:{TIMED})\b", re.IGNORECASE)
_PLAIN = word_set(
    "what whats when where which who how why is are was were do does did can could will would shall should may "
    "might the a an this that these those it its you your u ur i me my we us our there here time much many to of "
    "for in on at by from and or please pls today tonight now tomorrow still yet any some know tell s t excuse "
    "hey hi hello um so ok okay sorry kiosk quick question idea")
"""Words that do not say what a question is about."""
_ENDING = re.compile(r"(?:ing|ed|es|s)$")
_SAME = {"shut": "clos", "finish": "end", "begin": "start", "cost": "pric", "fee": "pric", "charg": "pric"}
"""Stems that ask the same ("when do you shut" is "when do you close")."""
_EVENT = word_set(
    "open clos shut start begin finish end hour serv leav depart arriv day week weekend night morning afternoon "
    "evening monday tuesday wednesday thursday friday saturday sunday late early next last pric cost fee charg "
    "free much pay paid")
"""Stems of what a times or prices question asks (not the thing it asks it of)."""
WIFI_WORD = re.compile(r"\b(?:wifi|wi-fi|wi fi|internet)\b", re.IGNORECASE)
PRICE_WORD = re.compile(r"\b(?:price|prices|cost|costs|fee|fees|how much|free|charge)\b", re.IGNORECASE)
_NOT_HERE = re.compile(rf"\b(?:{NOT_HERE})\b", re.IGNORECASE)
_ADVICE = re.compile(r"\s*(?:best|right|easiest|quickest|proper|difference|point|meaning|reason|trick|secret)\b",
                     re.IGNORECASE)
"""What follows "what's the" in a question of advice or knowledge ("what's the best way to grow onions for
showing"), not of this place's times."""

REPLIES = {
    "times": ("I don't know the times here, sorry! The signs or a member of staff will have them.",
              "Opening times and schedules are beyond me, I'm afraid. The front desk can tell you."),
    "prices": ("I don't know the prices here, I'm afraid. A member of staff or the ticket desk will.",
               "Prices aren't something I can see from here, sorry! A member of staff can tell you."),
    "wifi": ("I don't know the wifi details, sorry! A member of staff or a sign nearby should have them.",),
    "rules": ("That's one for the staff here, I'm afraid: I don't know the rules of this place.",
              "I can't tell you that myself, sorry! A member of staff or the front desk will know."),
    "services": ("I don't know everything this place has, I'm afraid. A member of staff or the front desk will.",
                 "That's one to ask the staff here, sorry: I can't see what this place offers."),
    "travel": (("I can't see live times, platforms or delays from here, sorry! The departure boards or a member "
                "of staff will have the latest."),
               "Live travel news is beyond me, I'm afraid. The boards or a member of staff will know."),
}


def answer(text: str, context: Context) -> str | None:
    kind = kind_of(text)
    if kind is None:
        return None
    if context.answers is not None:                  # the owner's answer of this kind, else one recalled
        known = (context.answers.owner_answer(text, lambda question: about(question) == kind
                                              and names_the_same(question, text))
                 or context.answers.match(text, context.rng, context.pictures))
        if known is not None:
            return known
    return context.rng.choice(REPLIES[kind])


def kind_of(text: str) -> str | None:
    """Which of :data:`REPLIES` ``text`` asks about; None: not a venue question."""
    if len(text.split()) > MOST_WORDS or _ABOUT_YOU.search(_ALLOWED_YOU.sub(" ", text)):
        return None
    if _TRAVEL.fullmatch(text):
        return "travel"
    if _WIFI.fullmatch(text):
        return "wifi"
    if _asks_times(text):
        return "times"
    if _PRICES.fullmatch(text) and not _THIS.search(text) and len(_NUMBER.findall(text)) < 2:
        return "prices"
    if _RULES.fullmatch(text):
        return "rules"
    if _HOW_LONG.fullmatch(text) and not _THIS.search(text):
        return "times"
    if _SERVICES.fullmatch(text) and not _TASTE.search(text):
        return "services"
    return None


def about(question: str) -> str | None:
    """What an owner's question (``[dialogue.answers]``) is about, as :func:`kind_of` says, or by its words
    when it is a label ("opening hours", "ticket prices")."""
    kind = kind_of(question)
    if kind is not None:
        return kind
    for kind, words in (("wifi", WIFI_WORD), ("prices", PRICE_WORD), ("times", _TIMED)):
        if words.search(question):
            return kind
    return None


def names_the_same(question: str, text: str) -> bool:
    """An owner's ``question`` answers ``text``: they share a word of substance, and every thing ``text``
    names is in ``question`` ("when do you close" answers "what time do you close tonight?", not "what
    time does the pool close?")."""
    asked, given = _substance(text), _substance(question)
    return bool(asked & given) and _things(asked) <= _things(given)


def _substance(text: str) -> frozenset[str]:
    """The words of ``text`` that say what it is about, without their endings ("opening" and "open",
    "closes" and "close" are one)."""
    words = set(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))) - _PLAIN
    stems = (_ENDING.sub("", word).rstrip("e") or word for word in words)
    return frozenset(_SAME.get(stem, stem) for stem in stems)


def _things(words: frozenset[str]) -> frozenset[str]:
    """Of :func:`_substance`'s words, those that name a thing (not an opening, a price or a day)."""
    return frozenset(w for w in words if not _TIMED.fullmatch(w) and not PRICE_WORD.fullmatch(w)) - _EVENT


def _asks_times(text: str) -> bool:
    """When something here opens, starts or runs ("what time is the show", "is the cafe open today?")."""
    m = _TIMES.fullmatch(text)
    if m and _TIMED.search(m["rest"]) and not _NOT_HERE.search(m["rest"]) and not _ADVICE.match(m["rest"]):
        return True
    return bool(_open_now(text) or _DAYS.fullmatch(text)) and not _NOT_HERE.search(text)


def _open_now(text: str) -> bool:
    """Whether "is ... open?" names a place of :data:`_VENUE` or says when."""
    m = _OPEN_NOW.fullmatch(text)
    return bool(m) and bool(m["when"] or _VENUE.search(m["what"] or "it"))
