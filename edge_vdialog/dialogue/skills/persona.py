"""The ``persona`` skill: what the kiosk is and who put it here, what it is for, its grubby screen, and jibes
at it, answered as the kiosk (a screen with a camera that chats and draws).

The written answers (``recall``) know "are you a robot" and "who made you", but not the same question with more
to it, and the model then invents: "are you a robot or is someone typing back" -> "I'm just here to chat!", "who
put you here, the ferry company?" -> "The ferry company! ... I chat best on the phone or in person!", "you're
rubbish, the ticket machine is smarter than you" -> a ramble. On the fresh lines of rounds 104-121 such lines
averaged under 3. A line is taken by its words (:data:`_KINDS`, the first that matches), up to
:data:`MOST_WORDS` words; ``recall`` comes first, so a line with a written answer keeps it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import Kinds

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

MOST_WORDS = 20
REPLIES = {
    "typing": ("Nobody's typing: I'm a computer, a screen with a camera that chats and draws pictures. What shall I "
               "draw for you?",
               "No one's behind me typing! I'm a kiosk: a screen with a camera that chats and draws. Ask me anything."),
    "owner": ("The people who run this place put me here. I'm a screen with a camera that chats and draws pictures; "
              "the staff can tell you more about me.",
              "I'm here for whoever runs this place, and the staff can tell you more. I just chat and draw pictures!"),
    "scope": ("I'm just for chatting and drawing, I'm afraid! A member of staff or the signs here will know the rest.",
              "I only chat and draw pictures, sorry! The staff or the signs here will have that for you."),
    "language": ("I'm best in English, I'm afraid! Try me in English and I'll do my best.",
                 "Sorry, I only really manage English. Give it a go in English and I'll help if I can!"),
    "role": ("No, I'm a kiosk: a screen with a camera that chats and draws pictures. The staff here can help with "
             "the rest!",
             "Not me, I'm just the kiosk! I chat and draw pictures; the staff here can help with anything else."),
    "body": ("Not me, I'm just a screen! Kind of you to ask, though.",
             "Luckily not, I'm only a screen! Thanks for thinking of me."),
    "grubby": ("Sorry about that! A member of staff can give my screen a wipe.",
               "Oops, sorry! The staff here can give my screen a clean."),
    "jibe": ("Ha, fair enough! I'm only a screen, but I do my best. Shall I draw you something to make up for it?",
             "Ouch! I'll take that on the chin. Want me to draw you something to make up for it?"),
}
"""Replies by :data:`_KINDS`."""
_YOU = r"(?:you|u|ya|ye)"
_YOURE = r"(?:you'?re|youre|ur|you are|u r|u are|ure)"
_KINDS = Kinds((
    ("typing", rf"\b(?:someone|somebody|some1|anyone|a (?:real )?(?:person|human)|a real person|real people|people|"
               rf"a guy|a man|a woman|staff) (?:typing|writing|answering|replying|behind (?:this|{_YOU}|the screen))|"
               rf"\b(?:is|are) (?:someone|somebody|anyone|there someone|there a person) (?:typing|writing|"
               rf"answering|controlling {_YOU}|behind)"),
    ("owner", rf"\b(?:who|which (?:company|firm|lot))\b.{{0,20}}\b(?:put|made|built|installed|owns|runs|programmed|"
              rf"switched on|switches {_YOU} on|turned on|plugged in|pays? for|paid for)\b.{{0,6}}\b{_YOU}\b|"
              rf"\b(?:are|r) {_YOU} (?:run|owned|made|paid for|put here|installed) by\b|"
              rf"\bdo(?:es)? {_YOU} (?:work|belong) (?:for|to)\b"),
    ("scope", rf"\b(?:are|r) {_YOU} (?:just|only) (?:for|a) (?:chat\w*|talk\w*|show|decoration|fun|drawing)\b|"
              rf"\bor (?:are|r) {_YOU} just (?:for )?(?:chat\w*|talk\w*)\b"),
    ("language", rf"\b(?:can|do|d'?you) {_YOU} (?:speak|understand|talk|do|read|write) (?:any )?(?:welsh|french|"
                 rf"spanish|german|polish|urdu|punjabi|arabic|chinese|mandarin|cantonese|italian|portuguese|hindi|"
                 rf"bengali|romanian|gaelic|irish|japanese|korean|russian|turkish|dutch|other languages?|"
                 rf"any other languages?|sign language)\b"),
    ("role", rf"^\W*(?:are|r) {_YOU} (?:a|an|the) (?:nurse|doctor|receptionist|concierge|cashier|guard|"
             rf"security guard|member of staff|staff member|manager|shop assistant|assistant|librarian|teacher|"
             rf"tour guide|guide|steward|ranger)\b"),
    ("body", rf"\bdo(?:es)? {_YOU} (?:ever )?get (?:wet|cold|hot|tired|hungry|thirsty|sleepy|dizzy|seasick|sick|"
             rf"dirty|cleaned|wiped|rained on|sunburnt|sunburned)\b"),
    ("grubby", r"\bscreen\b.{0,12}\b(?:even )?clean\b|"
               r"\b(?:ur|your|the) screen\b.{0,20}\b(?:smudg\w*|sticky|greas\w*|dusty|dirty|filthy|grubby|gross|"
               r"mucky|fingerprints?|smeary|smeared)\b"),
    ("jibe", rf"\b{_YOURE} (?:\w+ )?(?:slower|dumber|thicker|stupider|uglier|worse|more useless|more boring|"
             rf"less useful|less helpful|useless|rubbish|stupid|thick|dumb|boring|ugly|pointless|a waste)\b|"
             rf"\b(?:smarter|cleverer|brighter|faster|quicker|more useful|more helpful|better) than {_YOU}\b|"
             rf"\b(?:ur|your) (?:face|screen) (?:is|looks)\b|\b{_YOU} (?:suck|stink)\b"),
))
_ASKED = re.compile(r"\W*(?:am|are|is|do|does|can|could|would|will)\b", re.IGNORECASE)
"""A jibe's words in a question ("am i cleverer than you"): not a jibe."""


def answer(text: str, context: Context) -> str | None:
    if len(text.split()) > MOST_WORDS:
        return None
    kind = _KINDS.of(text)
    if kind is None or (kind == "jibe" and _ASKED.match(text)):
        return None
    return context.rng.choice(REPLIES[kind])
