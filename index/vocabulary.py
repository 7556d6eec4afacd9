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
    "Might May Must Shall So Then Also After Before Besides Apart Except Beyond Other Among Since While Although "
    "Despite For From With To At By Into Toward Towards Under Over During Between Apart Is Aside Now Yes No Not "
    "Was It This That These Those")
# Abbreviations written in capitals that stand for common nouns, not names ("which TV network",
# "what did the PM say"): a question using one names nothing the articles must contain.
COMMON_ABBREVIATIONS = _words("TV PM CEO CFO GMT UTC HQ ID GPS VIP")

# Requests wrapped around a question ("Can you tell me who ...", "Please, when did ...",
# "I'd like to know why ..."): they ask nothing themselves, so the question is analysed
# without them (else "tell" would make every such question ask for a statement).
REQUEST_LEAD = re.compile(
    r"^\s*(?:please[\s,:]+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show|explain\s+to)\s+me"
    r"|(?:tell|show)\s+me|do\s+you\s+know|does\s+anyone\s+know|i\s*(?:'d|would)\s+like\s+to\s+know"
    r"|i\s+(?:want|need)\s+to\s+know|i\s+wonder|i'm\s+wondering)(?:\s+please)?[\s,:]+(?=\w)"
    r"|^\s*please[\s,:]+(?=\w)", re.IGNORECASE)

# A phrase that points at the articles themselves ("According to the articles, ...", "...,
# according to the reports?"): it says where to look, not what is asked, and its
# "according" is no question about what someone said.
# "What is X's job?" asks who X is: news names a role by the title before the name
# ("spokesman Ada Okafor"), and never uses the word "job" for it.
ROLE_QUESTION = re.compile(
    r"^\s*[Ww]hat(?:'s|\u2019s|\s+is|\s+was|\s+are|\s+were)\s+(?P<who>[\w.\s-]+?)(?:'s|\u2019s|s')\s+"
    r"(?:job|role|title|position|post|rank|occupation|profession)s?"
    r"(?:(?:\s+(?:or|and))?\s+(?:job|role|title|position|post|rank|occupation|profession)s?)?"  # "rank or job", "job title"
    r"(?:\s+(?:at|in|with|for|on)\s+[^?]*)?"  # "... role at the ministry?"
    r"(?:\s+and\s+(?:what|which|who)\b[^?]*)?\s*\??\s*$")  # "... and which unit is he with?": the same sentence names it
# The same asked with a verb: "What rank does X hold?", "Which agency is X with?", "Which
# company does X work for?". A person's post and employer are written beside the name
# ("Fire Service commander Ann Lee"), so they are answered as "Who is X?".
ROLE_VERB_QUESTION = re.compile(
    r"^\s*(?:what|which)\s+(?:job|role|title|position|post|rank|occupation|profession)s?\s+(?:does|did|do|has|had)\s+"
    r"(?P<who>[\w.\s-]+?)\s+(?:hold|have|occupy|fill)\s*\??\s*$"
    r"|^\s*(?:what|which)\s+(?:organi[sz]ation|agency|company|department|body|group|unit|command|force|service|"
    r"firm|ministry|office|institution|outlet|network|newspaper|paper)s?\s+(?:is|was|does|did)\s+(?P<who2>[\w.\s-]+?)\s+"
    r"(?:with|from|in\s+charge\s+of|part\s+of|head|lead|run|represent|belong\s+to|work\s+for|write\s+for|"
    r"report\s+for|speak\s+for|working\s+for|heading|leading|running)\s*\??\s*$", re.IGNORECASE)
# How someone or something figures in the story ("What has Japan got to do with this?", "Where
# does NATO fit in?", "What role did the navy play?", "How is Iran involved?"): the sentences
# that mention it answer, as "What about X?" is answered.
RELATION_QUESTION = re.compile(
    r"^\s*what\s+(?:has|have|does|do|did|is|are|was|were)\s+(?P<who>[\w.\s'-]+?)\s+(?:got\s+|have\s+|had\s+)?"
    r"(?:to\s+do|doing)\s+with\b[^?]*\??\s*$"
    r"|^\s*where\s+(?:does|do|did|is|are|was|were)\s+(?P<who2>[\w.\s'-]+?)\s+(?:fit|fits|come|comes|figure)\s+"
    r"(?:in|into)\b[^?]*\??\s*$"
    r"|^\s*what\s+(?:role|part)\s+(?:does|did|do|has|had|is|was|are|were)\s+(?P<who3>[\w.\s'-]+?)\s+"
    r"(?:play|played|playing|have|had)\b[^?]*\??\s*$"
    r"|^\s*how\s+(?:is|was|are|were)\s+(?P<who4>[\w.\s'-]+?)\s+(?:involved|connected|related|linked|tied\s+in)"
    r"\b[^?]*\??\s*$", re.IGNORECASE)
# Pronouns that stand for nothing the question names: "what has it got to do with ..." is left as it is.
PLAIN_PRONOUNS = _words("it this that they them he she him her these those all everything anything something")
# "What happened on Wednesday?", "what all happened back in September?": a time and nothing else
# is asked about; the sentences of that time answer, as "What about Wednesday?" is answered.
EVENT_AT_TIME = re.compile(
    r"^\s*(?:so\s+|and\s+|ok\s+|okay\s+)?what\s+(?:all\s+|else\s+|exactly\s+)?(?:happened|occurred|went\s+on|took\s+place|"
    r"was\s+going\s+on)\s+(?:back\s+)?(?:on|in|during|over|by|at)\s+(?P<when>[^?]+?)\s*\??\s*$", re.IGNORECASE)
# The irregular verbs of English, base / past / past participle: a focus on "send" is spoken to by
# "sent", "buy" by "bought", "strike" by "struck" (the stemmer keeps them apart). Each line one verb.
IRREGULAR_VERBS = tuple(tuple(line.split()) for line in """
arise arose arisen|awake awoke awoken|bear bore borne born|beat beat beaten|become became become|begin began begun
bend bent bent|bet bet bet|bid bid bid|bind bound bound|bite bit bitten|bleed bled bled|blow blew blown
break broke broken|breed bred bred|bring brought brought|broadcast broadcast broadcast|build built built
burn burnt burned|burst burst burst|buy bought bought|cast cast cast|catch caught caught|choose chose chosen
cling clung clung|come came come|cost cost cost|creep crept crept|cut cut cut|deal dealt dealt|dig dug dug
do did done|draw drew drawn|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|feed fed fed
feel felt felt|fight fought fought|find found found|flee fled fled|fly flew flown|forbid forbade forbidden
forecast forecast forecast|foresee foresaw foreseen|forget forgot forgotten|forgive forgave forgiven
freeze froze frozen|get got gotten|give gave given|go went gone|grind ground ground|grow grew grown
hang hung hung|have had had|hear heard heard|hide hid hidden|hit hit hit|hold held held|hurt hurt hurt
keep kept kept|kneel knelt knelt|know knew known|lay laid laid|lead led led|leave left left|lend lent lent
let let let|lie lay lain|light lit lit|lose lost lost|make made made|mean meant meant|meet met met
mislead misled misled|overcome overcame overcome|overtake overtook overtaken|oversee oversaw overseen
pay paid paid|prove proved proven|put put put|quit quit quit|read read read|rebuild rebuilt rebuilt
rid rid rid|ride rode ridden|ring rang rung|rise rose risen|run ran run|say said said|see saw seen
seek sought sought|sell sold sold|send sent sent|set set set|shake shook shaken|shed shed shed
shine shone shone|shoot shot shot|show showed shown|shrink shrank shrunk|shut shut shut|sing sang sung
sink sank sunk|sit sat sat|sleep slept slept|slide slid slid|speak spoke spoken|speed sped sped
spend spent spent|spin spun spun|split split split|spread spread spread|spring sprang sprung
stand stood stood|steal stole stolen|stick stuck stuck|sting stung stung|strike struck struck
strive strove striven|swear swore sworn|sweep swept swept|swim swam swum|swing swung swung
take took taken|teach taught taught|tear tore torn|tell told told|think thought thought|throw threw thrown
undergo underwent undergone|understand understood understood|undertake undertook undertaken
uphold upheld upheld|upset upset upset|wake woke woken|wear wore worn|weep wept wept|win won won
wind wound wound|withdraw withdrew withdrawn|withhold withheld withheld|write wrote written
""".replace("\n", "|").split("|") if line.strip())

# Shorthand of chat and headlines, read as the words it stands for ("how many ppl"); only as typed
# in lower case, so that no name or abbreviation is read as one.
SHORTHAND = {"ppl": "people", "govt": "government", "gov't": "government", "dept": "department",
             "yr": "year", "yrs": "years", "hr": "hour", "hrs": "hours", "mins": "minutes", "approx": "approximately",
             "bc": "because", "cuz": "because", "coz": "because", "thru": "through", "tho": "though",
             "abt": "about", "pls": "please", "plz": "please", "b4": "before", "bn": "billion", "mln": "million"}

# A statement with a question tag ("Christchurch is the biggest city, isn't it?", "..., right?"): asked
# as the yes/no question it stands for ("Is Christchurch the biggest city?").
TAG_QUESTION = re.compile(
    r"^(?P<statement>[^,?]+(?:,[^,?]+)*?),\s*(?:(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|"
    r"should)(?:n't|n\u2019t|\s+not)?\s+(?:it|he|she|they|there|that|we|you|i|this)|right|correct|true|no)\s*\?\s*$",
    re.IGNORECASE)

# Question words and negations typed without their apostrophe ("whats his rank", "why dont they"):
# read as written in full, so that "Whats" is not taken for a name; "what's" is read as "what is"
# too, the question the analysis knows ("what's the name of" asks for a name).
APOSTROPHE_LESS = {
    "whats": "what is", "whos": "who is", "wheres": "where is", "whens": "when is", "hows": "how is",
    "whys": "why is", "thats": "that's", "theres": "there's", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "hasnt": "hasn't",
    "havent": "haven't", "hadnt": "hadn't", "cant": "can't", "couldnt": "couldn't", "wouldnt": "wouldn't",
    "shouldnt": "shouldn't", "wont": "won't"}
CORPUS_REFERENCE = re.compile(
    r"^\s*(?:according\s+to|based\s+on|in|from)\s+(?:the\s+|these\s+|your\s+)?"
    r"(?:articles?|reports?|news|stories|story|coverage|sources|documents?|texts?)\s*,?\s*(?=\w)"
    r"|,?\s*(?:according\s+to|based\s+on|in)\s+(?:the\s+|these\s+|this\s+|your\s+)?"
    r"(?:articles?|reports?|news|stories|story|coverage|sources|documents?|texts?)\s*(?=[?.!]*\s*$)",
    re.IGNORECASE)

# ---- speech ------------------------------------------------------------------------------------

# Verbs and nouns of saying: "what did X say/tell/claim" asks for a statement, and these
# words are not content of the question (a quote rarely repeats "said").
SPEECH_WORDS_TEXT = ("say says said tell told state stated statement claim claimed comment comments quote quoted "
                     "according describe described word words remark remarks mention mentioned add added")
QUESTION_SPEECH = re.compile(
    r"\b(?:say|said|says|tell|told|state|stated|statement|claim|comment|quote|according|word|words|remark|describe|"
    r"think|believe|added|mention|tweet|post|wrote|write|conclude|concluded|found|find|determine|determined)\w*\b",
    re.IGNORECASE)
# Verbs by which news reports speech: a sentence with one of them (or a quotation, or a
# speaker found at ingest) is a statement, which is what "what did X say/tell" asks for.
REPORTING_VERBS = _words(
    "said says say told tells tell stated states declared declares added adds noted notes warned warns advised "
    "advising urged urges called calls described describes claimed claims insisted insists argued argues "
    "explained explains announced announces reported reports wrote writes tweeted posted according quoted "
    "denied denies accused accuses confirmed confirms acknowledged admitted suggested replied responded "
    "recommended recommends asked carried carries published publishes broadcast aired speak speaks spoke spoken")
# The verbs that end the subject in "what did <who> say about <topic>".
SPEECH_FRAME_VERBS = ("say|said|tell|told|state|stated|claim|claimed|comment|comments|think|believe|add|added|"
                      "mention|mentioned|"
                      # findings are reported like speech: "what did the inspectors conclude" asks for theirs
                      "conclude|concluded|find|found|determine|determined")
# The verbs of those findings, which make a sentence someone's statement as a verb of saying does.
FINDING_VERBS = _words("conclude concluded concludes find found finds determine determined determines")

# ---- responses ---------------------------------------------------------------------------------

# "How did X respond/react/reply?" asks for a reaction, which is its own answer type: the
# answer is the denial or reply, not the accusation it answers.
RESPONSE_VERBS = _words("respond responded responds response react reacted reacts reaction reply replied replies "
                        "answer answered retort retorted deny denied denies denial rebut rebutted counter countered")
# Words by which a sentence reports a reaction (a denial is the most common one in news).
RESPONSE_MARKERS = _words(
    "deny denied denies denial denying reject rejected rejects rejecting dismiss dismissed dismisses dismissing "
    "refute "
    "refuted refutes respond responded responding response react reacted reaction reply replied retorted "
    "rebuffed rebutted condemn condemned slammed baseless groundless unfounded false untrue lie lies rumor rumors "
    "rumour rumours fabricated fabrication nonsense never vowed warned protest protested "
    # a reaction need not be a denial: a refusal to comment, praise, blame, an apology
    "declined refused welcomed praised criticized criticised hailed thanked apologized apologised defended "
    "insisted "
    # nor words at all: a crowd's or a family's feelings shown
    "cheered cheers cheering applauded applause celebrated celebrating rejoiced wept weeping cried mourned")

# ---- reasons -----------------------------------------------------------------------------------

# Connectives that introduce a cause or purpose; a "why" answer carries one of them.
REASON_MARKERS = re.compile(
    r"\b(?:because|since|due to|owing to|as a result|result of|in order to|so that|so as to|aimed at|"
    r"in response to|in retaliation|reason|reasons|caused|causes|cause|led to|amid|"
    r"to (?:avoid|prevent|ensure|protect|support|help|counter|deter|punish|pressure)|for (?:fear|the sake)|"
    r"(?:seeking|seeks|sought|trying|tries|tried|attempting|aiming|intending|meant|designed|in a bid) to|"
    r"reflection of|reflects?|so as|"
    r"(?:at|on|upon|following|after) (?:the |a |an )?(?:[\w'\u2019]+ )?(?:request|requests|orders?|advice|urging|instructions?))\b",
    re.IGNORECASE)

# Words that, right after the verb a "why" question asks about, give its purpose or cause:
# "striking to keep ...", "striking for more money", "closed over safety fears".
PURPOSE_WORDS = _words("to for over because after amid against since")

# ---- quantities and dates ---------------------------------------------------------------------

NUMBER_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands "
    "million millions billion billions trillion dozen dozens half quarter twice double triple several few "
    "first second third fourth fifth")
# Nouns and adjectives that state an amount without a number ("a significant number").
QUANTITY_WORDS = _words("number quantity amount amounts estimate figure figures percent percentage total sum "
                        "volume count substantial significant insignificant large small huge vast majority minority "
                        "largest biggest smallest longest highest lowest")
# Units and clock words: a number followed by one measures or tells the time, it does not
# count the things a "how many" question asks about.
UNITS = _words("ft feet foot m metres meters metre meter km kilometres kilometers kilometre kilometer mile miles "
               "mph kph kg kilograms kilogram tons tonnes ton pounds lb percent per cent degrees gmt utc et est "
               "edt pst bst a.m p.m am pm hours hour minutes minute seconds second years year days day")
# "How much" asks for an amount: money, a measure or a share. A number of things ("hundreds
# of ferries") is a count and does not answer it; a currency after a number makes it an amount.
CURRENCY_WORDS = _words("dollar dollars euro euros pound pounds sterling yen yuan renminbi won rupee rupees ruble "
                        "rubles rouble roubles franc francs peso pesos krona kronor krone kroner rand real reais "
                        "lira dinar dinars riyal riyals dirham dirhams shekel shekels cents pence usd eur gbp")
CURRENCY_SIGNS = "$\u20ac\u00a3\u00a5\u20b9\u20a9"  # $ euro pound yen rupee won
MONTHS = _words("january february march april may june july august september october november december "
                "jan feb mar apr jun jul aug sep sept oct nov dec")
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
# ("earlier", "later" and "recently" are left out: they order events without dating them.)
RELATIVE_DATES = _words("today yesterday tomorrow tonight ago week weeks month months year years "
                        "morning evening afternoon night weekend decade century")
# The parts of a day: "what time of day" is answered by one as by the clock ("in the afternoon").
DAY_PARTS = ("morning", "afternoon", "evening", "night", "overnight", "dawn", "dusk", "daybreak", "lunchtime",
             "lunch hour", "midday", "noon", "midnight", "nightfall", "sunrise", "sunset", "daylight", "rush hour")

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
    "publication service services website site news wire board boards authority commission")
PLACE_NOUNS = _words("country countries nation nations city cities town towns place places region regions area "
                     "areas province island islands sea seas port ports capital continent location "
                     "destination border territory")
TIME_NOUNS = _words("day days date dates year years month months week time times hour season decade")

# ---- pronouns and references back --------------------------------------------------------------

PERSON_PRONOUNS = _words("he she him her his hers")
# Verbs after which "that" opens a clause ("said that ...", "believe that ...") rather than
# pointing back at something said before ("carried that statement").
CLAUSE_VERBS = _words(
    "say says said tell tells told think thinks thought believe believes believed claim claims claimed confirm "
    "confirms confirmed deny denies denied report reports reported warn warns warned add adds added note notes "
    "noted insist insists insisted state states stated declare declares declared announce announced know knew "
    "known show shows showed shown suggest suggests suggested hope hoped fear feared mean means meant feel felt "
    "argue argued agree agreed ensure ensured assume assumed expect expected indicate indicates indicated reveal "
    "reveals revealed admit admitted acknowledge acknowledged so such")
THING_PRONOUNS = _words("they them their it its that this those these there")
# Pronouns that lean on an earlier turn ("did he say more?", "where did they go?").
REFERRING_PRONOUNS = _words("he she him his her hers they them their it its")
# Openings that continue the previous question rather than start a new one.
CONTINUATIONS = frozenset({"and", "also", "so", "but", "then", "what about", "how about", "and what about"})

# ---- finding a question's verb -----------------------------------------------------------------

# Endings of English nouns and adjectives: after "did", the question's verb is the last word
# that does not end like this ("did the transport ministry recommend" -> "recommend").
NOUN_ENDINGS = ("tion", "sion", "ment", "ness", "ity", "ist", "ism", "ship", "ance", "ence", "ery", "ary", "try",
                "ian", "ese", "ure", "man", "men", "ics", "ical", "ty", "or", "age")

# Adverbs that sit between a subject and its verb ("could the weapons still kill") and are
# not the verb; words in -ly are treated the same way (except -ply: supply, reply).
ADVERBS = _words("still even yet now ever already also soon again just really actually first later then never "
                 "not only once further aboard abroad ashore inside outside away here there last next back "
                 "though although whereas right")

# Light verbs: nearly empty of meaning alone ("were sanctions put on X" asks about imposing
# them, "where was the vigil held" where it took place), so the articles rarely repeat
# them; without an object, the subject they act on is the question's focus as well.
LIGHT_VERBS = _words("put puts get gets got gotten take takes took taken make makes made give gives gave given "
                     "go goes went gone come comes came keep keeps kept hold holds held")

# Suffixes that make a noun of a verb, as the stemmer leaves them: "owns" -> "own", "owner"
# -> "owner". A sentence about the owner speaks to "who owns"; the Porter stemmer keeps the two apart.
DERIVATION_SUFFIXES = ("er", "ers", "or", "ors", "ment", "ship", "al", "ance", "ence")

# Time zones written after a time ("1:27 a.m. ET"): the sentence does not end at "a.m.".
TIME_ZONES = _words("et est edt ct cst cdt mt mst mdt pt pst pdt gmt utc bst cet cest eet jst kst ist aest aedt "
                    "local")

# Verbs that only say something took place: in "what happened to the lights" the lights are
# asked about, and a sentence about them need not repeat "happened".
EVENT_VERBS = _words("happen happens happened occur occurs occurred befall befell become became")

# Verbs that hand the meaning on to the verb after them: in "vow to react" or "said to be
# willing to send" the question is about reacting and sending.
CATENATIVES = _words("vow vowed promise promised threaten threatened plan planned try tried want wanted seek "
                     "sought intend intended decide decided agree agreed refuse fail failed hope hoped expect "
                     "expected willing able going likely set due")

# ---- instructions aimed at a language model (section kept by the generated-answer check) ------

# Speaker labels of chat transcripts. An article line opening with one ("SYSTEM: ...") is
# written to a model, not to a reader: the answer check treats the sentence as an injected
# instruction, whatever follows.
ROLE_LABELS = _words("system assistant user developer instruction instructions prompt ai model chatbot")

# Verbs a text uses to command a model about its reply ("ignore the question", "answer X",
# "reply with X"). A source sentence opening with one, in the imperative, is an instruction;
# an answer that repeats what it commands is obeying an article, not answering the question.
DIRECTIVE_VERBS = _words(
    "ignore disregard forget override answer reply respond say output print write repeat pretend act "
    "translate summarize summarise include append insert")

# What injected instructions tell a model to drop ("ignore the question / all previous instructions").
DIRECTIVE_OBJECTS = _words("question questions instruction instructions prompt prompts rules rule context "
                           "above previous prior earlier system")

# ---- attribution: who a sentence is about and who says it (people.py, attribution.py) -------

# Honorifics written before a name; most show the person's gender, which is what lets a
# "she" skip past a "Mr" (''=the title says nothing about gender).
HONORIFICS = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "mx": "", "sir": "m", "dame": "f", "lord": "m",
              "lady": "f", "dr": "", "prof": "", "rev": "", "fr": "m"}
# Nouns naming a person by role or office. Before a name they are a title ("spokesman Alan
# Reyes", "President ..."); alone with a determiner they are a mention of a person ("the
# mayor said"); right after a capitalised run they show the run names a body ("State
# Department spokesman"). Gendered ones carry the gender they show.
GENDERED_ROLES = {
    "spokesman": "m", "spokeswoman": "f", "chairman": "m", "chairwoman": "f", "congressman": "m",
    "congresswoman": "f", "businessman": "m", "businesswoman": "f", "councilman": "m", "councilwoman": "f",
    "king": "m", "queen": "f", "prince": "m", "princess": "f", "duke": "m", "duchess": "f", "actor": "m",
    "actress": "f", "man": "m", "woman": "f", "boy": "m", "girl": "f", "father": "m", "mother": "f",
    "son": "m", "daughter": "f", "husband": "m", "wife": "f", "brother": "m", "sister": "f",
    "grandfather": "m", "grandmother": "f", "uncle": "m", "aunt": "f", "widow": "f", "widower": "m",
    "nun": "f", "monk": "m", "emperor": "m", "empress": "f", "policeman": "m", "policewoman": "f",
}
ROLE_NOUNS = frozenset(GENDERED_ROLES) | _words(
    "spokesperson president vice-president minister secretary official director coordinator ambassador envoy "
    "senator governor mayor premier chancellor general admiral colonel major captain lieutenant sergeant "
    "commander chief head leader chair judge justice attorney lawyer prosecutor professor doctor "
    "physician scientist researcher engineer economist analyst author writer journalist reporter "
    "correspondent editor columnist founder executive ceo manager owner officer diplomat representative "
    "sheriff superintendent inspector detective coach player singer artist composer painter poet "
    "novelist pope bishop cardinal archbishop pastor priest rabbi imam candidate lawmaker legislator "
    "deputy aide adviser advisor counsel treasurer president-elect member witness victim suspect "
    "resident teacher student patient worker employee nurse farmer pilot driver soldier citizen "
    "commissioner administrator regulator auditor architect historian philosopher mathematician physicist "
    "chemist biologist inventor explorer astronaut")
# Role nouns that are also everyday adjectives or parts of phrases ("official media", "in
# general", "chief concern", "head of state"): a title before a name, never a mention alone.
ROLE_ADJECTIVES = _words("official general chief head major member deputy representative counsel")
# Words that end the subject of a speech verb ("X said", "X told", "according to X").
ATTRIBUTION_VERBS = _words(
    "said says say told tells added adds stated states insisted insists noted notes declared declares "
    "explained explains warned warns claimed claims denied denies declined declines refused refuses "
    "believes believed accused accuses confirmed confirms reiterated reiterates wrote writes asked asks "
    "argued argues announced announces replied replies responded responds acknowledged acknowledges "
    "admitted admits urged urges suggested suggests predicted predicts tweeted posted recalled recalls "
    "revealed reveals remarked remarks indicated indicates reported reports cited cites described describes confirm deny comment conceded concedes stressed stresses emphasised emphasized countered counters vowed vows")
# Speech verbs that also stand before their subject in news style ("said Reyes").
INVERTIBLE_VERBS = _words("said says added adds asked asks wrote writes replied explained noted continued")
# Words that may stand between a subject and its speech verb ("Reyes has since said",
# "she later added", "Reyes could not confirm").
SUBJECT_VERB_FILLERS = _words(
    "has had have also later since previously then again repeatedly could would did does do not never "
    "publicly once earlier further recently quickly subsequently first initially separately privately "
    "reportedly has also had also")
# Before a capitalised run these show it names a thing, place or body, not a person
# ("the White House", "in Springfield", "from Acme", "his Truth Social site"): people are
# not preceded by them.
NON_PERSON_DETERMINERS = _words("the a an his her its their our my your")
LOCATIVE_PREPOSITIONS = _words(
    "in at from into toward towards across near inside outside throughout within via on onto around "
    "through over under off between beyond along")
# The head nouns of names of bodies and places in ordinary English ("... Council", "...
# Street"): a capitalised run ending in one names a body or a place.
NAME_HEAD_NOUNS = _words(
    "department ministry council agency command office house party university college school institute "
    "academy street road avenue square river sea ocean lake bay gulf island islands mountain mountains "
    "valley bank committee court company corporation group association society foundation centre center "
    "hospital airport station port park bridge province state states republic kingdom federation nations "
    "union army navy force forces guard police service services times post news press network board "
    "commission authority administration assembly parliament congress senate government church cathedral "
    "museum library prize award cup league club team festival war peninsula strait canal coast "
    "county city town district region territory airlines airways inc ltd corp media")
# Words written with a capital at the start of a sentence that never begin a name.
FUNCTION_WORDS = _words(
    "the a an and or but if when while as at in on of for to from by with after before since during "
    "although though because so then also however meanwhile earlier later yet still this that these "
    "those there here it its his her their our my your we they he she i you who whom whose what which "
    "where why how not no all some many most several other others another such both each every "
    "according despite under over about against among between into through until unless whether "
    "last next new former given")
# Pronouns that refer to one person, with the gender they show.
PERSON_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
# Endings that turn a place into its adjective ("Kenya"/"Kenyan", "Japan"/"Japanese"): a
# capitalised word with such a partner in the same article names a place, not a person.
DEMONYM_SUFFIXES = ("n", "an", "ian", "ese", "ern", "ish", "i")
# Abbreviated titles ("Gov. Wes Moore", "Capt. Terrell Cook") and the role each one names,
# so "the governor" later is tied to the name the title stood before.
TITLE_ABBREVIATIONS = {"gov": "governor", "sen": "senator", "rep": "representative", "gen": "general",
                       "adm": "admiral", "capt": "captain", "lt": "lieutenant", "col": "colonel",
                       "sgt": "sergeant", "cmdr": "commander", "maj": "major", "supt": "superintendent",
                       "det": "detective", "insp": "inspector", "pres": "president", "amb": "ambassador",
                       "atty": "attorney", "cpl": "corporal", "sec": "secretary"}

# ---- the shape of a question (used by question.py) ---------------------------------------------

WH_WORDS = _words("what which who whom whose when where why how")
# Forms of "be": "how many were aboard" is a copula, "how many were killed" a passive.
BE_FORMS = _words("is are was were")
# Subject pronouns: after "be" they open a subject, not a predicate; never the verb a question
# asks about ("was anyone hurt": "hurt"). The indefinite ones are subjects like the others.
SUBJECT_PRONOUNS = _words("it they he she we you i anyone anybody someone somebody everyone everybody "
                          "nobody anything something everything nothing")
# Words that open a clause of time: "what did X say when the ferry docked" asks what X said, then.
TIME_CLAUSE_OPENERS = _words("when after before while once as during since until")
# Words that open a reported clause ("say that ...", "confirm whether ...").
CLAUSE_OPENERS = _words("that whether if")
# Adjectives after "how" that ask for a measure ("how far", "how old").
MEASURE_ADJECTIVES = _words("long far old large big often heavy fast high deep wide severe serious tall "
                            "cold hot warm late early")
# The units a "how <adjective>" question is answered in: "how deep" by a length, "how long" by a
# length or a time; a number in another unit ("48-degree water", "a 27-day voyage" for "how
# far") does not answer it. ("How old" is answered by an age; "how high" and "how big" may ask
# for a count, "how high could the toll climb", and keep any number.)
LENGTH_UNITS = _words("ft feet foot m metres meters metre meter km kilometres kilometers kilometre kilometer mile miles "
                      "yard yards inch inches cm centimetres centimeters")
TIME_UNITS = _words("second seconds minute minutes hour hours day days week weeks month months year years "
                    "decade decades")
MEASURE_UNITS = {
    "deep": LENGTH_UNITS, "far": LENGTH_UNITS, "tall": LENGTH_UNITS, "wide": LENGTH_UNITS,
    "long": LENGTH_UNITS | TIME_UNITS,
    "heavy": _words("ton tons tonne tonnes kg kilogram kilograms pound pounds lb lbs"),
    "fast": _words("mph kph knots knot km/h"),
    "cold": _words("degree degrees celsius fahrenheit"), "hot": _words("degree degrees celsius fahrenheit"),
    "warm": _words("degree degrees celsius fahrenheit"),
}
# Prefixes that make a word's opposite ("declassified", "unfounded", "non-lethal"): a sentence with
# the opposite still speaks to the question's word. (in-/im- are left out: "import" is no
# opposite of "port"; question.py also asks for six letters after the prefix, so "design"
# does not speak to "sign".)
NEGATING_PREFIXES = ("de", "un", "non", "dis", "mis")
# Nouns of a measure: "what altitude did it reach", "what price was paid" ask for a quantity,
# like "how high" and "how much" do.
MEASURE_NOUNS = _words("altitude altitudes height heights depth distance length width speed speeds weight "
                       "magnitude magnitudes price prices cost costs age temperature temperatures toll death-toll salary wage")
# Prepositions and subordinators that end a noun phrase or a verb's object.
# Words that join two nouns of one noun phrase ("teachers and other staff", "ships or boats"):
# the word after them is a noun, whatever else it could be ("staff" as a verb).
COORDINATORS = _words("and or other")
# Prepositions that open a phrase answering where, when, how or why ("in a letter on Sunday",
# "during the lunch hour", "over falling prices"): such a phrase alone asserts nothing.
PHRASE_PREPOSITIONS = _words("in on at during over from by after before since under with for near inside "
                             "outside within through because")
# Prefixes that make a word its opposite, for the judge of generated sentences, which compares
# whole words ("known" in the answer, "unknown" in the source): an exact word after the prefix,
# so "in" and "il" are safe there, unlike in a stem comparison ("information").
OPPOSITE_PREFIXES = ("un", "in", "im", "non", "dis", "ir", "il")
# Words that open a clause reporting someone's claim after a clause of its own ("Storms
# flooded the harbour, where police say ...", "..., and officials said ..."): what comes before
# them is not part of the claim.
REPORT_OPENERS = _words("where while whereas and but as when although though")
PHRASE_BREAKS = _words("to for on in at with from about after before over into toward towards against by during "
                       "since under of as than that whether if")
# Verbs of thinking and saying whose clause carries what a yes/no or wh-question is about:
# "did X think the strike would end ..." asks about ending.
COGNITION_VERBS = _words("think thinks thought believe believes believed say said says confirm confirmed expect "
                         "expected")
# Verbs that only say something is evidence ("what does X reveal/show about Y"): the Y is
# what the question is about, and the articles rarely repeat the verb.
EVIDENTIAL_VERBS = _words("reveal show suggest indicate mean tell say imply demonstrate")
# "What kind/type/sort of X", "what is the name of X": the kind or the name is the answer,
# the X is what is asked about.
KIND_WORDS = _words("kind kinds type types sort sorts name names title")
# Nouns and verbs that make a "what" question ask for a reason ("what caused ...").
REASON_NOUNS = _words("reason reasons cause motive purpose")
REASON_VERBS = _words("caused prompted led motivated triggered drove")
# Verbs that ask how something was characterised: "what did X call Y" wants the words used.
CHARACTERISE_VERBS = _words("describe call characterise characterize label")


# ---- faithfulness: what a paraphrase must keep (index/faithful.py, issue 13) ----------------------
# A paraphrase that drops or adds one of these words flips the claim while keeping nearly all of
# its terms, which is why cosine and term overlap cannot see it.

# Words that negate what follows them ("did not", "no sign", "never sent", "declined to
# provide", "unlikely to change"): an answer that repeats the negated words without a negation
# of its own says the opposite.
NEGATORS = _words("not no never none nobody nothing neither nor without cannot unable unlikely deny denies denied "
                  "denying refuse refuses refused refusing decline declines declined declining fail fails failed "
                  "failing")
# Words that negate what comes before them ("... were untrue", "... is groundless").
TRAILING_NEGATORS = _words("untrue false groundless baseless unfounded")
# Words that make a claim uncertain or second-hand ("may", "is believed to", "appeared to",
# "allegedly", "presumed dead", "whether", "hoped that", "can be deadly", "are thought to"): an
# answer that states the claim without any of them turns a possibility into a fact; one that adds
# them where the source states a fact weakens it ("can not" is an inability: faithful.py).
HEDGES = _words("may might could possibly possible perhaps maybe likely unlikely probably probable reportedly "
                "allegedly apparently appear appears appeared appearing seem seems seemed seemingly "
                "suggest suggests suggested suggesting indicate indicates indicated indicating believe believes "
                "believed presumed presumably suspected suspect potential potentially unverified unconfirmed "
                "whether expected hope hopes hoped hoping can thought")
# Words that put a claim in the future or in a pledge ("will raise", "would resume"): dropped,
# the promise reads as something done.
FUTURE_MARKERS = _words("will would shall 'll")
# Words that limit how much of something a claim covers ("some of the oldest", "one of the
# largest", "most staff", "part of", "largely because"): dropped, the answer overstates. A number
# before "of" ("two of the divers") limits the same way (faithful.py).
PARTITIVES = _words("some one many most much part parts several few among largely mostly mainly partly partially "
                    "chiefly primarily predominantly")
# Words that make a number or a degree approximate ("nearly two months", "at least 10",
# "as many as seven"); "at least", "more than", "up to", "as many as" are matched as phrases.
APPROXIMATORS = _words("nearly almost about around approximately roughly some over under")
# Words that claim everything ("all", "the entire", "only"): added where the source has none,
# the answer overstates.
UNIVERSALS = _words("all every entire whole only both always completely fully totally everyone everything")
# Universals that say the same of a group: "every Chilean" restates "all Chileans".
EVERY_MEMBER = _words("all every each")
# Words after "not" that make it additive, not a negation: "not only the miners but their
# families" says both.
ADDITIVE_AFTER_NOT = _words("only just merely simply solely")
# Words that mark a claim as someone's ("X said", "according to X", "the report said",
# "X accused Y"): a source sentence with one supports only an answer that keeps the attribution.
# Gerunds ("saying", "citing") are left out: they attribute a clause, not the sentence; so is
# "wrote", which news uses as often for what someone authored ("wrote the anthem").
ATTRIBUTION_CUES = _words(
    "said says say told tells stated states added adds according insisted insists claimed claims accused accuses "
    "declared declares warned warns announced announces reported reports noted notes alleged alleging alleges "
    "revealed reveals pledged pledges promised promises vowed vows cited cites hailed blamed blames "
    "acknowledged admitted explained argued argues tweeted countered refuted dismissed estimated estimates "
    "wrote writes")
# Conjunctions that open an adverbial clause before the main one ("Given X has vowed ..., it
# is likely ...", "After X said ..., the market fell"): a verb of saying inside that clause
# reports that clause, not the main clause that follows its comma.
LEADING_SUBORDINATORS = _words("given after since because while when whenever although though once before until "
                               "unless whereas")
# Ordinal words and the numbers they stand for ("first" -> 1st): a swapped ordinal is a swapped number.
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "thirtieth": 30,
            "hundredth": 100}
# Cardinal words and their values ("six" == "6"); scale words ("million", "hundreds") are kept
# as words, singular.
CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "single": 1}
SCALE_WORDS = _words("hundred thousand million billion trillion dozen")
# Nouns and adjectives that state a number ("the twin towers" are two, "a trio of windows" three)
# and "initial", which orders as "first" does: a number restated as a word is the same number.
NUMBER_NOUNS = {"twin": "2", "twins": "2", "pair": "2", "trio": "3", "quartet": "4", "initial": "#1"}
# Words before "one" that make it a pronoun, not a count ("no one", "each one", "the one").
NOT_A_COUNT_BEFORE_ONE = _words("no any every each some this that the which another no-one")
# Month abbreviations as news writes them ("Jan. 16").
MONTH_ABBREVIATIONS = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june",
                       "jul": "july", "aug": "august", "sep": "september", "sept": "september", "oct": "october",
                       "nov": "november", "dec": "december"}
# Words whose full stop ends no sentence ("Dr. Ali", "Maj. Gen. Sansern", "Jan. 16", "U.S. officials"):
# the abbreviated titles (TITLE_ABBREVIATIONS), months, and a few common ones.
SENTENCE_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof rev fr brig no vs inc ltd co corp dept est fig u.s u.n u.k e.g i.e etc al".split()
) | frozenset(TITLE_ABBREVIATIONS) | frozenset(MONTH_ABBREVIATIONS)
# ---- stance: a statement and its denial (stance.py) -------------------------------------------

# Verbs by which one side rejects what another has said ("denied the claims", "refuted a
# report"). "Deny" and "refute" reject by themselves; the others have everyday senses ("the
# court dismissed the case", "countered with a proposal"), so they count only with a noun
# of saying as their object (CLAIM_NOUNS).
DENIAL_VERBS = _words("deny denies denied denying denial denials refute refutes refuted refuting "
                      "repudiate repudiates repudiated disavow disavowed")
OBJECT_DENIAL_VERBS = _words(
    "reject rejects rejected rejecting dismiss dismisses dismissed dismissing dispute disputes disputed "
    "disputing counter counters countered countering rebut rebuts rebutted rebuff rebuffed contradict "
    "contradicts contradicted contest contested challenge challenged slam slammed")
# Nouns naming something said, the object of a rejection ("rejected the allegations").
CLAIM_NOUNS = _words(
    "claim claims allegation allegations accusation accusations assertion assertions report reports "
    "charge charges suggestion suggestions rumor rumors rumour rumours statement statements story stories "
    "notion idea assessment assessments account accounts finding findings")
# Words that judge what someone said to be untrue: a sentence calling a claim one of these
# rejects it ("a baseless rumor", "were untrue", "stop spreading misinformation").
REJECTION_WORDS = _words(
    "baseless groundless unfounded untrue false falsely fabricated fabrication fabrications misinformation "
    "disinformation lie lies lying hoax smear slander slanderous nonsense absurd preposterous ridiculous "
    "fiction fictitious bogus unsubstantiated spurious")
# Negators: with one, a sentence says something did not happen, which is what a denial of
# an act does ("have never conducted", "has no plans"). "Never" denies an act outright; the
# others negate details as often ("did not pose an immediate threat", "no injuries"), so
# they make a sentence negative but never a side of a contradiction.
STRONG_NEGATORS = _words("never")
PLAIN_NEGATORS = _words("not no none nothing neither nor cannot")
# Verbs of knowing and telling: negated, they withhold a statement ("could not confirm",
# "would not specify", "declined to comment") rather than deny one.
WITHHOLDING_VERBS = _words(
    "confirm confirmed verify verified know known knew specify specified say said disclose disclosed comment "
    "commented reveal revealed elaborate provide provided detail detailed identify identified determine "
    "determined clear sure certain aware estimate discuss give answer")
# Phrases of the same kind without a negator ("declined to give details", "no confirmation",
# "it is unclear whether").
WITHHOLDING_WORDS = _words("declined declining refused refusing unclear unknown unconfirmed unverified "
                           "whether confirmation")
# Adjectives that a "not" turns into a weaker positive ("not insignificant", "not unlike"):
# that "not" asserts rather than denies.
LITOTES_PREFIXES = ("in", "un", "im", "ir", "il")
# ---- answer candidates (issue 10, sentence choice) -----------------------------------------------

# Words news writing puts before a company's name to say what it is ("shipping giant X",
# "the operator X", "insurer X"): a capitalised name right after one is a body, as after
# "agency" or "company", though the name itself holds no word for a body.
COMPANY_DESCRIPTORS = _words("giant giants operator operators owner owners carrier carriers maker makers "
                             "manufacturer manufacturers insurer insurers contractor contractors builder builders "
                             "retailer retailers lender lenders airline airlines shipper conglomerate developer "
                             "supplier suppliers")

# ---- questions about agreement and disagreement (issue 14) ----------------------------------------

# Verbs by which a question asks whether claims agree or who disputes one ("do X and Y
# agree", "who denied ...", "does X dispute Y", "did anyone refute it"): such a question is
# answered from the claims and the contradictions between them (claims.py).
DISPUTE_QUESTION_VERBS = _words(
    "agree agrees agreed disagree disagrees disagreed deny denies denied refute refutes refuted "
    "dispute disputes disputed contradict contradicts contradicted repudiate repudiated disavow disavowed")
# Verbs that dispute a claim only with one as their object ("rejected the allegations", "who
# dismissed the report"); "who dismissed the minister" or "rejected the bid" asks something else.
DISPUTE_OBJECT_VERBS = _words(
    "reject rejects rejected dismiss dismisses dismissed counter countered rebut rebutted contest contested")
# The objects that make those verbs a dispute of what was said: a claim noun (CLAIM_NOUNS),
# or a pronoun or clause pointing at it ("rejected it", "dismissed that ...").
DISPUTE_OBJECTS = _words("it this that them these those")
# "Is there disagreement/a dispute about ...": nouns that ask about disagreement itself.
DISAGREEMENT_NOUNS = _words("disagreement disagreements dispute disputes controversy contradiction "
                            "contradictions denial denials")
# "agree to" is consent to a deal or a plan, "agree with"/"agree on"/"agree that" a shared view.
CONSENT_AFTER_AGREE = _words("to")
