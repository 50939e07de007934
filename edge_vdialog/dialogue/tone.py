"""A reply says "sorry" only to a line that gives it cause, and nothing cheerful to news of a death.

The persona-tuned 135M model opens replies with "I'm so sorry" whatever it was told: "we're here for my
sister Emma's wedding on saturday!!" -> "I'm so sorry to hear about your sister.", "the seal show was
amazing" -> "I'm so sorry to hear about the seal.", "quiet in here today, i like it" -> "I'm so sorry
you're feeling quiet today!". In rounds 28-35 (docs/dialogue_models.md) its replies with a "sorry" to
a line without any word of trouble averaged about 2 of 5. So the tokens that spell "sorry" are never
sampled in a reply to a line without one of :data:`CAUSES` (bad news, trouble, complaint, negation,
apology, a sad emoji); the model says what it says next most ("I'm so glad you enjoyed it!").

The other way round, it meets grief with cheer: "Came in to register my dad's death. Everyone's been very
kind." -> "That's wonderful, congratulations!", "Off to a funeral in Dublin." -> "A farewell is always a good
one!". So a reply to a line with a word of :data:`GRIEF` never samples the tokens of :data:`CHEERS`.
"""

from __future__ import annotations

import re

from edge_vdialog.dialogue.skills.phrases import PASSED_WHEN, word_set
from edge_vdialog.dialogue.tokenizer import Tokenizer

CAUSES = word_set(
    "sad sorry apologise apologize tired exhausted wrecked knackered shattered hurt hurts hurting sore ache aching "
    "pain ill sick flu poorly unwell injured injury operation op surgery hospital died dead death funeral passed "
    "lost lose losing miss missed missing homesick lonely broke broken bust cracked stolen took forgot forgotten "
    "awful terrible horrible bad badly worst worse hate hated angry annoyed annoying upset stressed stressful "
    "nervous anxious worried worry scared afraid frightened cried crying cry tears bored boring hungry starving "
    "thirsty cold freezing soaked wet rain raining pouring grey windy late delayed cancelled canceled stuck queue "
    "waiting wait long dropped spilt spilled ruined killed failed fail overpriced expensive rubbish sucks fed ugh "
    "argh ffs nooo noo oh-no but no not never nothing nobody cant can't cannot couldnt couldn't dont don't didnt "
    "didn't wont won't isnt isn't wasnt wasn't havent haven't hasnt hasn't aint ain't without "
    "😭 😢 😞 😔 😩 😫 😤 🙄 😒 😠 😡 ☹ 🙁 💔")
"""Words that give a "sorry" cause: anything sad, wrong, tiring, annoying or denied."""
CONDOLENCES = ("sorry", " sorry", "Sorry", " Sorry")
"""Spellings of the word a reply must not use without cause (those that are one token are banned)."""
GRIEF = word_set(
    "died death deaths funeral funerals cremation crematorium burial buried grave cemetery bereaved bereavement "
    "widow widowed widower mourning grieving grief condolences memorial inquest coroner 💔 🕯")
"""Words of a death or of a life ending: no cheer in the reply ("dead", "dying", "passed" and "terminal" have
everyday senses: "my phone's dead", "dying for a coffee", "passed my test", the airport's terminal)."""
_PASSED_AWAY = re.compile(r"\bpass(?:ed|ing)? (?:away|on)\b|\blost (?:my|our|his|her) (?:mum|mom|mother|dad|father|"
                          r"husband|wife|son|daughter|brother|sister|nan|gran|grandma|grandad|grandpa|baby|partner)\b")
CHEERS = ("Congratulations", " Congratulations", " congratulations", " wonderful", "Wonderful", " amazing",
          "Amazing", " exciting", " excited", " fun", " lovely", "Lovely", " great", "Great", " awesome",
          " hilarious", " glad", " happy", "Happy", " Happy", " Wow", "Wow", " fantastic", " brilliant",
          " celebrate", " celebrating", " cheerful", " delighted", " thrilled", " lucky", " cool")
"""Spellings of cheer a reply to grief must not use (those that are one token are banned)."""
_TOKEN = re.compile(r"[\w'-]+|[^\w\s]")


def sorry_fits(text: str) -> bool:
    """``text`` gives a reply cause to say sorry (a word of :data:`CAUSES`)."""
    return bool(set(_TOKEN.findall(text.lower().replace("’", "'"))) & CAUSES)


def grieves(text: str) -> bool:
    """``text`` tells of a death (a word of :data:`GRIEF`, "passed away", "lost my mum", "she passed in march")."""
    text = text.lower().replace("’", "'")
    return bool(set(_TOKEN.findall(text)) & GRIEF or _PASSED_AWAY.search(text) or PASSED_WHEN.search(text))


def condolence_ids(tokenizer: Tokenizer) -> tuple[int, ...]:
    """The token ids that alone spell one of :data:`CONDOLENCES` in ``tokenizer``'s vocabulary."""
    return tokenizer.one_token_ids(CONDOLENCES)


def cheer_ids(tokenizer: Tokenizer) -> tuple[int, ...]:
    """The token ids that alone spell one of :data:`CHEERS` in ``tokenizer``'s vocabulary."""
    return tokenizer.one_token_ids(CHEERS)
