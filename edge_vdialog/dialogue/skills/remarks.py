"""The ``remarks`` skill: a passing remark about the weather, the crowd, the wait or the visitor's tired feet,
with nothing asked, gets a friendly word of its kind ("raining cats and dogs out there, glad i came in" ->
"Sounds like the perfect day to be indoors!").

The persona-tuned model meets such remarks with a stock excuse, as if asked to look: "its freezing in the garden
centre bit brrr" -> "I'm sorry, I can't feel the weather! A local expert or someone at the counter will know",
"raining outside so looks like everyone had the same idea as us" -> "I'm sorry, I can't see outside from here! A
weather app ...": judged 3 on the fresh lines of rounds 104-121, where the one written reply recalled for a crowd
("Sounds like everyone had the same idea today! Hope you find a calm corner.") was judged 5. A remark is
recognised by its words (:data:`_KINDS`, the first that matches); a line that asks something, talks to or about
the kiosk, complains, or is good news (the bundle's ``good_news`` classifier: "sunny day for my wedding!") is left
to the model, and so is a line right after the kiosk asked something (probably the answer: "a bench near the gate,
it's freezing"). It comes last: a mishap ("missed my bus, 40 mins to kill now") is the ``news`` skill's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ASKS_IN, Kinds

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

MOST_WORDS = 25
FEWEST_WORDS = 3
REPLIES = {
    "indoors": ("Sounds like the perfect day to be indoors! I hope it's nicer by the time you head out.",
                "Good call coming in! I hope it's better out there by the time you leave."),
    "cooler": ("Good call coming in to cool off! Stay cool out there.",
               "Phew, a cool spot on a hot day is the best! Keep some water handy when you head out."),
    "soaked": ("Oh no, what a soaking! I hope you dry off soon.",
               "Poor you, that sounds soggy! I hope you warm up and dry off soon."),
    "rain": ("Sounds grim out there! I hope it eases off before you head out.",
             "What a downpour! Fingers crossed it clears up for your way home."),
    "cold": ("Brr, that sounds chilly! I hope you warm up soon.",
             "Brr! Keep your coat on, and I hope you warm up soon."),
    "hot": ("Phew, that sounds hot! Stay cool and keep some water handy.",
            "It sounds like a scorcher! Keep cool and keep some water to hand."),
    "wild": ("Sounds wild out there! Take care on your way home.", "Blimey, that sounds rough! Mind how you go."),
    "quiet": ("Lovely and peaceful! Enjoy the calm while it lasts.", "Nice and quiet, isn't it? Enjoy the calm!"),
    "loud": ("It's a lively one, by the sound of it! I hope you find a quieter spot.",
             "Sounds noisy! I hope you get a bit of peace and quiet soon."),
    "crowd": ("Sounds like everyone had the same idea today! I hope you find a calm corner.",
              "It's a busy one, by the sound of it! Thanks for stopping to say hello."),
    "queue": ("Queues are no fun! I hope it moves quickly for you.",
              "Oh, that's a long wait! I'm happy to chat or draw you something while you wait."),
    "wait": ("Waiting is the worst! I'm happy to chat or draw you something to pass the time.",
             "That's a long wait! I can keep you company, or draw you something while you wait."),
    "parking": ("Parking can be a real pain! Glad you made it in the end.",
                "Oof, the hunt for a space is the worst! Well done for getting here."),
    "out of order": ("Oh dear, sorry about that! It's worth mentioning to a member of staff.",
                     "That's a pain! A member of staff will want to know, if they don't already."),
    "idle": ("Happy to keep you company! Shall I draw you something while you wait?",
             "Well, I'm glad you stopped by! Ask me anything, or I can draw you something."),
    "feet": ("Sounds like you've earned a sit-down! I hope you get to put your feet up soon.",
             "Oof, sore feet are no fun! I hope you get a sit-down soon."),
    "aches": ("Oof, that sounds sore! I hope you get a sit-down soon.", "Ouch! I hope you get to rest it soon."),
    "tired": ("Sounds like you've earned a sit-down! Take a breather if you can.",
              "Oof, that sounds tiring! I hope you get a rest soon."),
    "smell": ("Mmm, that sounds lovely! Good smells make everything better.",
              "Ooh, that sounds tempting! I'm a bit jealous I can't smell it."),
}
"""Replies by :data:`_KINDS`."""
_BAD_WEATHER = (r"(?:weather(?:'s| is)? (?:awful|terrible|horrible|grim|rubbish|miserable|foul|vile)|rain\w*|pouring|"
                r"chucking it down|tipping down|bucketing|monsoon|downpour|snow\w*|(?:freezing|cold|"
                r"windy|wild|grim|horrible|horrid|miserable|nasty) (?:out|outside)\w*)")
_INDOORS = (r"(?:glad|good excuse|came in|come in|get out of|nice and warm|in here|inside(?! out)|indoors|in the dry|"
            r"cosy)")
_HEAT = r"(?:boiling|scorching|roasting|sweltering|heatwave|so hot|hot (?:out|outside|today))"
_COOL = r"(?:air ?con|aircon|nice and cool|cool in here|in the shade)"
_KINDS = Kinds((
    ("indoors", rf"\b{_BAD_WEATHER}\b.*\b{_INDOORS}\b|"
                rf"\b{_INDOORS}\b.*\b(?:{_BAD_WEATHER}|the (?:rain|wind|cold|weather))"),
    ("cooler", rf"\b{_HEAT}\b.*\b{_COOL}\b|\b{_COOL}\b.*\b{_HEAT}\b"),
    ("quiet", r"\b(?:(?:so|nice and|lovely and|really|very|dead) quiet (?:in here|here|today|this morning|tonight)|"
              r"(?:seen|known) it this quiet)\b|"
              r"\b(?:peaceful|calm) in here\b"),
    ("loud", r"\b(?:(?:loud|noisy) in here|(?:it'?s|its|so|really|very|mad|too|proper) (?:loud|noisy) in here|"
             r"(?:it'?s|its) (?:so |really |very |mad |too |proper )?(?:loud|noisy)|can'?t hear myself think)\b"),
    ("crowd", r"\b(?:rammed|packed(?! (?:in(?! here)|up|to|with|my|our|his|her|lunch)\b)|heaving|mobbed|"
              r"chock[- ]a[- ]block|"
              r"(?:so|really|super|very|proper|mad) busy|busy (?:today|tonight|in here|this morning)|so many (?:people|"
              r"ppl|kids|families|school \w+)\b(?! (?:i|you|u|we|who|that)\b)|school (?:trips?|"
              r"groups?) (?:in|here|today)|lots of school (?:trips?|groups?)|everyone had the same idea|half the town|"
              r"whole town|crowds?|crowded)\b"),
    ("queue", r"\b(?:long|massive|huge|big) queues?\b|\bqueues?\b.*\b(?:long|longer|massive|huge|insane|mental|"
              r"ridiculous|out the door|slow|ages|\d+ ?min\w*|"
              r"hours?|forever|this bad)\b|\b(?:been|stood|standing|waiting|sat) in (?:this|the) \w* ?queue\b"),
    ("soaked", r"\b(?:soaked|drenched|sodden|wet through|socks are wet|got wet)\b"),
    ("rain", r"\b(?:raining|pouring(?: down)?|chucking it down|tipping down|bucketing|monsoon|downpour|drizzly|"
             r"rainy|(?:the )?rain (?:outside|out there|is|was|again)|raining again)\b"),
    ("wild", r"\b(?:sea (?:looks? |is )?(?:really |proper |so |very )?(?:rough|wild)|windy|gale|gales|"
             r"blowing a hoolie|stormy|foggy|fog|misty|icy|snowing|hail\w*|choppy|the wind "
             r"(?:out there|outside|is|today))\b"),
    ("cold", r"\b(?:freezing|chilly|nippy|baltic|frosty|so cold|really cold|too cold|bit cold|cold (?:in here|"
             r"out there|outside|out today|today))\b|🥶"),
    ("hot", rf"\b(?:{_HEAT[3:-1]}|baking hot|really hot|too hot|hot in here)\b|🥵"),
    ("wait", r"\b(?:been (?:sat|sitting|waiting|stood|standing) (?:here )?(?:for )?(?:\d+|an?|ages|two|three|over)|"
             r"running (?:\d+ (?:mins?|minutes|hours?) )?late|waiting (?:for )?(?:ages|forever))\b|"
             r"\bbeen (?:sat|sitting|waiting|stood|standing)\b.{0,30}\b(?:\d+ ?(?:mins?|minutes|hours?|hrs?)|ages|"
             r"forever|since \w+)"),
    ("idle", r"\b(?:killing time|(?:mins?|minutes|hours?|time) to kill)\b"),
    ("feet", r"\b(?:feet (?:are )?(?:killing|hurt|hurting|ache|aching|sore|dead|in bits)|walked miles)\b"),
    ("aches", r"\b(?:(?:back|legs|knees|arms|neck) (?:are |is )?(?:killing|hurt|hurting|ache|aching|sore|dead|in bits)|"
             r"legs (?:are )?(?:killing|gone))\b"),
    ("tired", r"\b(?:knackered|shattered|exhausted|worn out|dead on my feet|like jelly|(?:so|more|really) tiring)\b"),
    ("parking", r"\b(?:car park|parking)\b.*\b(?:nightmare|rammed|full|mental|impossible|hell|a joke)\b|"
                r"\bwent round (?:\d+|two|three|four|five) times\b"),
    ("out of order", r"\b(?:escalators?|lifts?|toilets?|doors?|hand ?dryers?|taps?|card machines?|ticket machines?)\b"
                     r".{0,20}\b(?:broken|out of order|not working|been broken)\b"),
    ("smell", r"\bsmells? (?:amazing|lovely|gorgeous|incredible|unreal|so good|great|divine|delicious|heavenly|"
              r"like (?:fresh|coffee|baking|christmas|bacon|popcorn|chips))\b"),
))
_YOU = re.compile(r"\b(?:you|u|ur|your|you're|youre|kiosk|screen)\b", re.IGNORECASE)
"""A remark to or about the kiosk ("ur slower than the car deck queue"): the model's."""
_NOT_REMARK = re.compile(r"\b(?:cold (?:drink|water|one|sore|feet)|(?:a|my|the|his|her) cold|hot (?:drink|dog|"
                         r"chocolate|water|food|tub)|queue jump\w*|hate|joke|"
                         r"disgrace\w*|shocking|complain\w*|manager|hospital|ill|sick|poorly|usually|normally|if|"
                         r"dread\w*|forecast|tomorrow|later|hope it|going to|gonna|pool|swim\w*|flume|shower|house|"
                         r"draw|drw|paint|picture|pic|sketch|any ideas|recommend|suggest\w*|what to do|stopped|fast|"
                         r"quick\w*|short|no queue|last (?:week|night|weekend)|yesterday|proud|miss|but|though|"
                         r"headache)\b",
                         re.IGNORECASE)
"""Not the weather ("got a cold", "hot chocolate"), a complaint (which wants more than a friendly word), a remark
on another day ("usually it's packed", "if the rain holds off"), on the pool, home or family, or a request
(to draw it, for ideas): the model's."""


def answer(text: str, context: Context) -> str | None:
    if (context.follows_question or not FEWEST_WORDS <= len(text.split()) <= MOST_WORDS or ASKS_IN.search(text)
            or _YOU.search(text) or _NOT_REMARK.search(text) or context.learnt("good_news", text)):
        return None
    kind = _KINDS.of(text)
    return None if kind is None else context.rng.choice(REPLIES[kind])
