"""The general-English vocabulary the heuristics rely on, in one place.

Every list here is ordinary English grammar or question phrasing, never a name, place,
weapon or anything else of one news story: what a corpus is about is derived from the
corpus at ingest (speakers, outlets, vocabulary vectors). Each list says why it exists;
other modules import from here rather than keeping their own copies.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---- question phrasing ---------------------------------------------------------------------

# Words that shape a question but say nothing about its subject: they are dropped when a
# follow-up's subject is carried over and when the question's focus is looked for.
QUESTION_WORDS = _words(
    "what who whom whose when where why how which did does do is are was were can could will would should "
    "has have had say said says tell told state stated claim claimed according about")

# Auxiliaries that carry a question ("did X ...", "has X ..."); a question opening with one
# asks yes or no, and the word after the subject is the verb the question is about.
AUXILIARIES = _words(
    "did does do is are was were has have had can could will would should shall may might must")

# Determiners and possessives that open a subject noun phrase ("the ministry", "its allies").
DETERMINERS = _words("the a an this that these those his her its their our my your some any each every")

# Words that start a sentence or a question with a capital letter without naming anything,
# so a capitalised word in a question is a name only when it is not one of these.
COMMON_CAPITALISED = _words(
    "What Who Whom Whose When Where Why How Which Did Does Do Is Are Was Were Can Could Will Would Should "
    "Has Have Had The A An In On Of And Or But If Tell Give List Show Name Please I According Mr Mrs Ms Dr "
    "Might May Must Shall So Then Also After Before")

# ---- speech ------------------------------------------------------------------------------------

# Verbs and nouns of saying: "what did X say/tell/claim" asks for a statement, and these
# words are not content of the question (a quote rarely repeats "said").
SPEECH_WORDS_TEXT = ("say says said tell told state stated statement claim claimed comment comments quote quoted "
                     "according describe described word words remark remarks mention mentioned add added")
QUESTION_SPEECH = re.compile(
    r"\b(?:say|said|says|tell|told|state|stated|statement|claim|comment|quote|according|word|words|remark|describe|"
    r"think|believe|added|mention)\w*\b", re.IGNORECASE)
# The verbs that end the subject in "what did <who> say about <topic>".
SPEECH_FRAME_VERBS = ("say|said|tell|told|state|stated|claim|claimed|comment|comments|think|believe|add|added|"
                      "mention|mentioned")

# ---- responses ---------------------------------------------------------------------------------

# "How did X respond/react/reply?" asks for a reaction, which is its own answer type: the
# answer is the denial or reply, not the accusation it answers.
RESPONSE_VERBS = _words("respond responded responds response react reacted reacts reaction reply replied replies "
                        "answer answered retort retorted deny denied denies denial rebut rebutted counter countered")
# Words by which a sentence reports a reaction (a denial is the most common one in news).
RESPONSE_MARKERS = _words(
    "deny denied denies denial denying reject rejected rejects rejecting dismiss dismissed dismisses refute "
    "refuted refutes respond responded responding response react reacted reaction reply replied retorted "
    "rebuffed rebutted condemn condemned slammed baseless groundless unfounded false untrue lie lies rumor rumors "
    "rumour rumours fabricated fabrication nonsense never vowed warned protest protested")

# ---- reasons -----------------------------------------------------------------------------------

# Connectives that introduce a cause or purpose; a "why" answer carries one of them.
REASON_MARKERS = re.compile(
    r"\b(?:because|since|due to|owing to|as a result|result of|in order to|so that|so as to|aimed at|"
    r"in response to|in retaliation|reason|reasons|caused|causes|cause|led to|amid|citing|cited|"
    r"to (?:avoid|prevent|ensure|protect|support|help|counter|deter|punish|pressure)|for (?:fear|the sake))\b",
    re.IGNORECASE)

# ---- quantities and dates ---------------------------------------------------------------------

NUMBER_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands "
    "million millions billion billions trillion dozen dozens half quarter twice double triple several few "
    "first second third fourth fifth")
# Nouns and adjectives that state an amount without a number ("a significant number").
QUANTITY_WORDS = _words("number quantity amount amounts estimate percent percentage total sum volume count "
                        "substantial significant insignificant large small huge vast majority minority")
MONTHS = _words("january february march april may june july august september october november december "
                "jan feb mar apr jun jul aug sep sept oct nov dec")
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
RELATIVE_DATES = _words("today yesterday tomorrow tonight earlier later ago week weeks month months year years "
                        "morning evening afternoon night weekend decade century recently")

# ---- what a "which/what <noun>" question asks for ---------------------------------------------

# "Which spokesman ..." asks for a person; "which agency ..." for an organisation; these
# are kinds of people, bodies and places in ordinary English.
PERSON_NOUNS = _words(
    "person people man woman men women spokesman spokeswoman spokesperson official officials minister ministers "
    "leader leaders president ambassador diplomat diplomats envoy secretary director coordinator general "
    "commander chief head member members senator lawmaker lawmakers politician author reporter journalist "
    "analyst analysts expert experts executive ceo founder chairman chairwoman chair manager employee "
    "worker workers player players coach scientist scientists researcher researchers doctor judge king queen "
    "prince governor mayor candidate")
ORGANISATION_NOUNS = _words(
    "agency agencies outlet outlets network networks newspaper newspapers paper media broadcaster broadcasters "
    "channel channels station court courts company companies firm firms organisation organization group groups "
    "ministry department office council committee body government administration party union bank team club "
    "publication service services website site news wire")
PLACE_NOUNS = _words("country countries nation nations city cities town towns place places region regions area "
                     "areas state province island islands sea seas port ports capital continent location "
                     "destination border territory")
TIME_NOUNS = _words("day days date dates year years month months week time times hour season decade")

# ---- pronouns and references back --------------------------------------------------------------

PERSON_PRONOUNS = _words("he she him her his hers")
THING_PRONOUNS = _words("they them their it its that this those these there")

# ---- finding a question's verb -----------------------------------------------------------------

# Endings of English nouns and adjectives: after "did", the question's verb is the last word
# that does not end like this ("did the transport ministry recommend" -> "recommend").
NOUN_ENDINGS = ("tion", "sion", "ment", "ness", "ity", "ist", "ism", "ship", "ance", "ence", "ery", "ary", "ian",
                "ese", "ure", "ism", "man", "men", "ics", "ical", "ty", "or", "er", "age")

# Verbs that hand the meaning on to the verb after them: in "vow to react" or "said to be
# willing to send" the question is about reacting and sending.
CATENATIVES = _words("vow vowed promise promised threaten threatened plan planned try tried want wanted seek "
                     "sought intend intended decide decided agree agreed refuse fail failed hope hoped expect "
                     "expected willing able going likely set due")
