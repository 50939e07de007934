"""The ``closers`` skill: thanks, praise for a picture and goodbyes ("thats so cool thank you robot",
"wow it actually looks like a volcano, cheers", "come on lads were going").

The model answers these oddly ("I hope you have lots of fun in your new life"), and the recall skill
misses them once a visitor adds words of their own. A line is a closer when it thanks, praises or says goodbye
and every other word is one of :data:`WORDS` (praise, fillers, a name for the kiosk) once a "looks like
X" is set aside: any other word (a question, a request, "no", news of the day) leaves it to the model.
One more: a line that ends by leaving ("thanks for the chat love, my hair's nearly dry so I'm off", "they've
just called my reg, wish me luck, bye") or opens with a goodbye and says nothing sad ("bye then, off to pay before
my trolley gets nicked"), and asks nothing, gets a goodbye (:data:`_LEAVING`, :data:`_BYE_FIRST`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import LETTER, word_set
from edge_vdialog.dialogue.tone import sorry_fits

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context


THANKS = word_set("thanks thank thankyou thanku thx thnx tnx ty tysm cheers ta appreciate appreciated")
BYE = word_set("bye goodbye byee byeee byebye bye-bye bbye cya ciao farewell goodnight laters ta-ra tara cheerio")
PRAISE = word_set("good nice great lovely amazing awesome brilliant cool fab fabulous fantastic wicked sick perfect "
                "beautiful gorgeous cute incredible impressive wonderful excellent class mint ace love loved clever "
                "smart funny fun wow")
WORDS = THANKS | BYE | PRAISE | word_set(
    "ok okay oh ah aw aww wow well right alright anyway so very much a lot really actually again for the chat "
    "help picture pictures drawing drawings that thats this it its was is and you u too all have day night "
    "evening weekend one now then see later soon tomorrow next time come on lets go gotta got to i im we were "
    "are off must need going leaving heading home take care enjoy rest of kiosk robot mate buddy bud dear lads guys "
    "friend week monday tuesday wednesday thursday friday saturday sunday "
    "pal screen computer machine man dude everyone little your help helping talking chatting bro x xx xxx lol "
    "haha hehe yay looks look just youre star legend best genius hero")
"""Words a thanks or goodbye may carry; any other word leaves the line to the model."""
_GOING = re.compile(r"\b(?:(?<!to )see (?:you|ya|u)|take care|(?:gotta|got to|have to|need to|must) go|"
                    r"(?:i'?m|im|i am|we'?re|were|we are) (?:off|going|leaving|heading (?:off|out|home))|"
                    r"have an? (?:good|nice|great|lovely|fab) (?:day|one|evening|night|weekend)|lets go|"
                    r"enjoy (?:your|the rest of your) (?:day|evening|night|weekend)|"
                    r"good ?night|later)\b")
_LEAVING = re.compile(
    r"(?:^|[,.;!]\s*|\s(?:so|and|anyway|right)\s)(?:(?:ok|okay|right|anyway|so)[, ]+)?(?:(?:i'?m|im|i am|we'?re|were|"
    r"we are) (?:off(?: now| then)?|going now|leaving now|heading (?:off|out|home))|(?:gotta|got to|have to|must) go"
    r"(?: now)?|(?:good)?bye(?:e+)?(?: now| for now| all| everyone)?|ta[- ]?ra|cheerio|"
    r"see (?:you|ya|u)(?: later| soon| next time| tomorrow| again)?|take care|laters)"
    r"(?: kiosk| robot| mate| love| pal| dear| x+)?\W*$")
"""A line's last words that say the visitor is leaving, after a comma, a full stop or a "so"."""
_THANKS_AND_OFF = re.compile(r"^(?:thanks|thank you|cheers|ta|thx|ty)(?: (?:kiosk|robot|mate|love|pal|dear))?[,.!]*\s+"
                             r"(?:(?:i'?m|im|i am|we'?re|were|we are) )?(?:off|back|heading) (?:to|on|home|back|out)\b")
"""Thanks, then where the visitor is off to ("ta, off to find my wife now", "cheers pal, back on the road")."""
_BYE_FIRST = re.compile(r"^(?:(?:ok|okay|right|anyway|well)[, ]+)?(?:good)?bye+(?:[- ]bye+)?"
                        r"(?: now| then| for now| all| everyone)?(?: kiosk| robot| mate| love| pal| dear)?"
                        r"(?:\s*[,.!]+\s*\w|\s+(?:we|were|we're|i|im|i'm|gotta|got to|off|going|heading)\b)")
"""A goodbye, then why the visitor is off ("ok bye now, gotta return these before they fine me")."""
_ASKING = re.compile(r"\?|(?:^|[,.;!]\s*)(?:what|whats|where|wheres|when|why|who|how|which|is|are|do|does|can|"
                     r"could|will|would|should)\b")
_LOOKS_LIKE = re.compile(r"\b(?:it |that |this )?(?:actually |really )?looks? (?:just )?like (?:a |an |the )?[\w' -]+?"
                         r"(?=[,.!]|\s+(?:cheers|thanks|thank|ta|thx|ty)\b|$)")
_IT = word_set("it its that thats this picture pictures drawing drawings")
_GREETING = word_set("you u youre see morning afternoon evening")
"""Praise alone is for the picture ("love it", "so cool"); "good evening" and "nice to see you" greet,
"love you" and "you're cool" are the model's."""
_SIGNS = re.compile(r"[,.!:)( ]+")
_RUN = re.compile(r"(\w)\1{2,}")
REPLIES = {
    "thanks": ("You're welcome! It was lovely chatting.", "My pleasure! Anything else on your mind?",
               "Any time! Come back and say hello again."),
    "praise": ("Glad you like it! Thank you for saying so.", "Thank you, that made my day! What's next?"),
    "bye": ("Bye for now, and enjoy the rest of your day!", "Goodbye! It was lovely chatting with you.",
            "See you next time, take care!"),
    "thanks-bye": ("You're welcome! Bye for now, and enjoy your day.", "Thanks for stopping by! Take care."),
}


def answer(text: str, context: Context) -> str | None:
    kind = kind_of(text, context.follows_question)
    return None if kind is None else context.rng.choice(REPLIES[kind])


def kind_of(text: str, follows_question: bool = False) -> str | None:
    """Which of :data:`REPLIES` ``text`` is; None: not (only) a thanks or goodbye. Praise alone
    ("wow, love it") is a closer unless it answers the kiosk's question ("good!")."""
    line = text.lower().replace("’", "'")
    if "?" in line:
        return None
    if (_LEAVING.search(line) or _THANKS_AND_OFF.match(line) or _BYE_FIRST.match(line) and not sorry_fits(line)) \
            and not _ASKING.search(line):
        words = set(re.findall(r"[a-z]+", re.sub(r"\bta[- ]?ra\b", " ", line)))
        return "thanks-bye" if words & THANKS or "appreciate it" in line else "bye"
    looks = bool(_LOOKS_LIKE.search(line))
    line = _LOOKS_LIKE.sub(" ", line)
    words = [_plain(w.replace("'", "")) for w in _SIGNS.split(line) if LETTER.search(w)]   # emoji say nothing
    if not words or not set(words) <= WORDS:
        return None
    thanks = bool(set(words) & THANKS) or "appreciate it" in line
    going = bool(set(words) & BYE) or bool(_GOING.search(" ".join(words)))
    if thanks and going:
        return "thanks-bye"
    if going:
        return "bye"
    if thanks:
        return "praise" if looks or set(words) & PRAISE else "thanks"
    praised = set(words) & PRAISE and not set(words) & _GREETING and (looks or set(words) & _IT or len(words) <= 3)
    return "praise" if praised and not follows_question else None


def _plain(word: str) -> str:
    """``word`` without a drawn-out letter ("youuu" -> "you", "sooo" -> "so", "byeee" stays a :data:`BYE`)."""
    if word in WORDS:
        return word
    once, twice = _RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word)
    return once if once in WORDS else twice
