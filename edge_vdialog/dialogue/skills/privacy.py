"""The ``privacy`` skill: questions about the kiosk's camera, its microphone and what it keeps, answered
with what is true of this kiosk (:class:`~edge_vdialog.dialogue.skills.Device`, from the settings).

A small model answers "is that a camera on top?? creepy" with "No cameras, just me!", and a written
answer can only say "up to the owner". The kiosk itself knows: whether a camera and a microphone are
configured, that video and pictures are never saved, and whether visitors' words go to the log
(``[logging] visitor_words``). A line is taken when it asks or worries about one of five things, in
this order: switching the camera off, passing on what is said ("are you going to tell the doctor what i
say"), recording or keeping (video, photos, faces, data, words), hearing, seeing; and it is about the kiosk
(you, this, it, the screen, the camera), not the visitor's own camera or recordings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKING

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context, Device

MOST_WORDS = 20
_OFF = re.compile(r"\b(?:turn|switch|shut)\s+(?:(?:it|that|the|your|ur)\s+)?(?:camera|cam)\s+off\b|"
                  r"\b(?:turn|switch|shut)\s+off\s+(?:(?:the|your|ur)\s+)?(?:camera|cam)\b|"
                  r"\bstop\s+(?:recording|filming|watching)\b|\bcover\s+(?:the\s+|your\s+|ur\s+)?(?:camera|cam)\b")
_KEEP = re.compile(r"\b(?:record|records|recording|recorded|filming|filmed|cctv|spy|spying|privacy|gdpr|"
                   r"private(?!\s+(?:only|patients?|treatment|practice|hire|party|parties|room|rooms|parking|school|"
                   r"lessons?|sector|dentist|doctor|clinic|insurance|event|tours?|bookings?))|"
                   r"upload|uploaded|uploading|stored|store|storing)\b|"
                   r"\bfilms?\s+(?:me|us|people|everyone|everything)\b|"
                   r"\b(?:save|saves|saving|saved|keep|keeps|keeping|kept|delete|deleted)\s+(?!(?:my|your|our) (?:wet |"
                   r"dirty |sticky )?(?:hands|fingers|distance|voice)|(?:it|me|us) (?:down|quiet|up|clean|company))"
                   r"(?:my|me|us|the|this|that|"
                   r"it|them|any|what|photos?|pictures?|videos?|faces?|data)\b(?!\s+(?:time|money|more|going|up))|"
                   r"\b(?:my|our)\s+(?:face|faces|photo|photos|data)\b|\bphotos?\s+of\s+(?:me|us)\b|"
                   r"\bwhere\s+do(?:es)?\s+(?:the|my|these|those|it|they)\s*"
                   r"(?:pictures?|photos?|videos?|drawings?)?\s*go\b")
_TELL = re.compile(r"\b(?:tell|tells|report|pass on|share|repeat)\b.{0,25}\bwhat (?:i|we) (?:say|said|type|typed|"
                   r"tell you)\b|"
                   r"\b(?:tell|report|grass) on (?:me|us)\b")
"""Passing on what the visitor says ("are you going to tell the doctor what i say")."""
_HEAR = re.compile(r"\b(?:hear|hears|hearing|listen|listens|listening)\b(?=\s*(?:$|[?!.,]|(?:me|us|you|u|what|this|"
                   r"that|it|everything|anything|everyone|people|my|our|to|in|when|if|or|right|properly|ok|okay|"
                   r"rn|now|all)\b))|"
                   r"\b(?:microphone|mic)\b|\bhave\s+to\s+type\b|"
                   r"\bcan\s+i\s+(?:talk|speak)\s*(?:\?|$|instead|out loud)")
_SEE = re.compile(r"\b(?:camera|cam|webcam)\b|\b(?:see|seeing|watch|watching|look\s+at|looking\s+at)\s+(?:me|us)\b|"
                  r"\b(?:can|do)\s+(?:you|u)\s+(?:even\s+|actually\s+|really\s+)?see\b|"
                  r"\bwhat\s+(?:can|do)\s+(?:you|u)\s+see\b")
_KIOSK = re.compile(r"\b(?:you|u|ur|your|yours|this|that|it|thing|screen|kiosk|machine|camera|cam|there|here|"
                    r"pictures?|drawings?|photos?|videos?)\b")
_ASKS = re.compile(r"\?|^\W*(?:" + ASKING + r"|r|wait|so|hey|oi|excuse|please|pls|turn|switch|stop|cover)\b|"
                   r"\b(?:creepy|spying|spy)\b")
_OWN = re.compile(r"\b(?:my|our)\s+(?:own\s+)?(?:camera|cam|phone|mic|microphone|recording|video)\b|"
                  r"\bi(?:'m| am|m)?\s+(?:was\s+)?(?:recording|filming)\b|\bi\s+(?:have|bought|got)\s+(?:a|an)\b")
"""The visitor's own camera or recording: not a question about the kiosk."""
_STOCKED = re.compile(r"\bwhere (?:do|does) (?:you|u|they|the \w+) keep\b")
"""Where something is kept here ("where do you keep the hayfever tablets"): the way to it, not privacy."""


def answer(text: str, context: Context) -> str | None:
    line = text.lower().replace("’", "'")
    if (len(line.split()) > MOST_WORDS or not _KIOSK.search(line) or not _ASKS.search(line) or _OWN.search(line)
            or _STOCKED.search(line)):
        return None
    device, pick = context.device, context.rng.choice
    if _OFF.search(line):
        return pick(_OFF_CAMERA if device.camera else _NO_CAMERA)
    if _TELL.search(line):
        return f"{pick(_NOT_PASSED)} {pick(_words(device))}"
    if _KEEP.search(line):
        return f"{pick(_NOT_SAVED if device.camera else _NO_VIDEO)} {pick(_words(device))}"
    if _HEAR.search(line):
        if not device.microphone:
            return pick(_DEAF)
        return pick(_LISTENING_LOGGED if device.keeps_words else _LISTENING)
    if _SEE.search(line):
        return pick(_SEES if device.camera else _NO_CAMERA)
    return None


def _words(device: Device) -> tuple[str, ...]:
    return _WORDS_LOGGED if device.keeps_words else _WORDS_NOT_KEPT


_OFF_CAMERA = (("I can't switch my camera off myself. It only shows you on the screen while we chat, and nothing is "
               "saved. Staff can help if you'd rather not be on camera."),
               ("Sorry, I can't turn it off myself! The camera just puts you on my screen and frames the picture, "
               "and the video isn't saved. A member of staff can help."))
_NO_CAMERA = ("There's no camera switched on here, so I can't see you. Tell me what you'd like to chat about!",
              "No camera is on for me right now, so nobody is on screen. What shall we talk about?")
_NOT_SAVED = ("I don't save the video: my camera just shows you on the screen and helps frame the picture.",
              "Nothing from my camera is saved: it only puts you on the screen while we chat.")
_NOT_PASSED = ("No, I don't pass on what you tell me to anyone.", "I don't tell anyone what you say to me.")
_NO_VIDEO = ("There's no camera switched on here, so there's no video to keep.",)
_WORDS_NOT_KEPT = ("I don't keep what you say either. Staff can tell you more about this place.",
                   "What you say isn't kept either. Staff can tell you more about this place.")
_WORDS_LOGGED = ("What you type or say is written to this kiosk's log, though. Staff can tell you more.",
                 "Your words do go into this kiosk's log, though. A member of staff can tell you more.")
_LISTENING = ("Yes, I listen so I can answer you, and I don't keep what's said. Speak or type, whichever you like!",
              "I can hear you! I only listen to answer, and nothing you say is kept. Speak or type, as you like.")
_LISTENING_LOGGED = (("Yes, I listen so I can answer you, and what's said goes into this kiosk's log. Staff can tell "
                     "you more."),)
_DEAF = ("I can't hear you here, I'm afraid, but I'll read anything you type.",
         "No microphone is on for me, so typing is the way to chat. Go ahead!")
_SEES = (("My camera shows you right there on the screen. It helps me frame the picture, and I don't save the "
         "video."),
         "You're on my screen! The camera just frames the picture I draw for our chat, and nothing is saved.")
