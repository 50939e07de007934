"""The ``facts`` skill: a general-knowledge question ("what year did shakespeare die", "how do you get grass
stains out", "whats the difference between a sheep and a goat"), recognised by the bundle's learnt
classifier ``fact_lines`` (:mod:`edge_vdialog.dialogue.line_classifier`) and answered honestly: the kiosk
would only be guessing, and says where the answer is (a phone search; a pharmacist, a vet).

A 135M model answers such questions with a confident invention ("Shakespeare died in 1645", "Ben Nevis is
about 2,400 kilometres across the South Pacific", grass stains rubbed into underwear): judged 1-2 on fresh
lines, and what a kiosk owner would least want on their screen. A line is taken when it asks something, is
not about the kiosk itself, and the classifier gives it at least its threshold. It comes after ``recall``
(a written answer to a line that close in meaning is better than none) and ``staff``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edge_vdialog.dialogue.skills.phrases import ABOUT_KIOSK, ASKS_IN

if TYPE_CHECKING:
    from edge_vdialog.dialogue.skills import Context

REPLIES = {
    "facts": ("Good question! I'd only be guessing, and I'd hate to tell you wrong. Your phone will know for sure.",
              "Ooh, I'm not sure of that one, and I'd rather not make it up. A quick search will have the answer."),
    "how-to": ("I'd only be guessing at that, and I'd hate to steer you wrong. A quick search will find proper tips.",
               "Good question! I don't want to give you bad advice, though. A quick search will have proper how-tos."),
    "health": ("That's one for a pharmacist or a doctor, I'm afraid: with health, a guess isn't good enough.",
               "A pharmacist or your doctor can tell you properly. I'd only be guessing, and that's not good enough."),
    "pets": ("That's one for a vet, I'm afraid: I'd only be guessing, and I'd hate to get it wrong for your pet.",
             "A vet will know for sure. I'd rather not guess when it's your pet's health."),
}
"""The honest replies, by :func:`kind_of` the question."""
_HEALTH = re.compile(r"\b(?:pain|painful|headaches?|migraines?|ulcers?|rash|cough|coughs|flu|fever|tablets?|pills?|"
                     r"medicine|medication|ibuprofen|paracetamol|aspirin|antibiotics?|dose|allerg\w*|hay ?fever|"
                     r"sunburn|blisters?|sprain\w*|symptoms?|infection|infected|diarrh\w*|constipat\w*|vomit\w*|numb|"
                     r"swollen|swelling|lumps?|itchy)\b",
                     re.IGNORECASE)
"""Words of a question about someone's health."""
_PET = re.compile(r"\b(?:dogs?|puppy|puppies|cats?|kittens?|rabbits?|bunny|hamsters?|guinea pigs?|budgies?|"
                  r"parrots?|tortoises?|pets?|horses?|ponies|pony|ferrets?)\b", re.IGNORECASE)
_PET_CARE = re.compile(r"\b(?:eat|eats|ate|feed|food|safe|poison\w*|toxic|kill|sick|ill|poorly|vet|nails?|claws?|"
                       r"fleas?|worm\w*|teeth|vaccin\w*|jabs?|neuter\w*|spay\w*|groom\w*|carrier|limp\w*)\b",
                       re.IGNORECASE)
"""A pet's health or care (with :data:`_PET`)."""
_HOW_TO = re.compile(r"\b(?:how (?:do|can|should|would|did) (?:i|you|u|we|one|they)|how to|best way|tips?|"
                     r"any advice|what(?:'s| is|s) the trick)\b", re.IGNORECASE)
"""Words of a question asking how to do something."""


def answer(text: str, context: Context) -> str | None:
    if not ASKS_IN.search(text) or ABOUT_KIOSK.search(text) or not context.learnt("fact_lines", text):
        return None
    return context.rng.choice(REPLIES[kind_of(text)])


def kind_of(text: str) -> str:
    """What a general-knowledge question asks about, by its words: a pet's health or care ("pets"), someone's
    health ("health"), how to do something ("how-to"), else a fact ("facts")."""
    if _PET.search(text) and _PET_CARE.search(text):
        return "pets"
    if _HEALTH.search(text):
        return "health"
    return "how-to" if _HOW_TO.search(text) else "facts"
