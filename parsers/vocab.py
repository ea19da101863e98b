"""Word lists for the anchor readers, per language: months, range words, scales, non-names.

Words are lower case; Latin-script ones are folded to ASCII, as the readers see them.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {}
for _names in (
    # en, de, fr, es, pt, it, nl, sv (folded to ASCII, lower case)
    "january february march april may june july august september october november december",
    "januar februar marz april mai juni juli august september oktober november dezember",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "januari februari mars april maj juni juli augusti september oktober november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
):
    for _i, _m in enumerate(_names.split()):
        MONTHS.setdefault(_m, _i + 1)
MONTHS.update({"sept": 9, "setiembre": 9, "jänner": 1})
MONTH_KEYS = frozenset({*MONTHS, "thang"})
# Russian and Ukrainian month stems, matched by prefix on the untransliterated word.
MONTH_STEMS = (
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("січ", 1),
    ("лют", 2),
    ("берез", 3),
    ("квіт", 4),
    ("трав", 5),
    ("черв", 6),
    ("лип", 7),
    ("серп", 8),
    ("верес", 9),
    ("жовт", 10),
    ("листопад", 11),
    ("груд", 12),
)
# Words that may stand between the two days of a range ("26. bis 30. September").
RANGE_WORDS = frozenset(
    [
        "bis",
        "to",
        "and",
        "und",
        "au",
        "et",
        "y",
        "al",
        "a",
        "till",
        "och",
        "den",
        "tu",
        "through",
        "until",
        "do",
        "по",
        "до",
        "і",
        "и",
    ]
)
# Words that scale the number before them: amounts survive translation as number x scale.
SCALES: dict[str, int] = {}
for _scale, _words in (
    (3, "thousand tausend mille mil nghin ngan тыс тысяч тисяч"),
    (
        6,
        "million millionen millions mio millones millon milhoes milioni trieu млн миллиона "
        "миллионов миллион мільйонів",
    ),
    (
        9,
        "billion billions milliarde milliarden milliard milliards mrd ty mil_millones "
        "млрд миллиарда миллиардов",
    ),
):
    for _w in _words.split():
        SCALES[_w] = _scale
PERCENT_WORDS = frozenset(
    [
        "prozent",
        "percent",
        "pour",
        "cent",
        "por",
        "ciento",
        "phan",
        "tram",
        "процента",
        "процентов",
        "процент",
        "відсотків",
    ]
)
# Capitalised words that start most sentences or name months and weekdays: not names.
NOT_NAMES = frozenset(
    set(MONTHS)
    | set(
        [
            "the",
            "a",
            "an",
            "in",
            "on",
            "at",
            "of",
            "for",
            "and",
            "but",
            "this",
            "that",
            "these",
            "it",
            "he",
            "she",
            "they",
            "we",
            "mr",
            "mrs",
            "ms",
            "dr",
            "der",
            "die",
            "das",
            "ein",
            "eine",
            "im",
            "am",
            "zum",
            "zur",
            "bei",
            "mit",
            "und",
            "herr",
            "frau",
            "le",
            "la",
            "les",
            "un",
            "une",
            "au",
            "aux",
            "du",
            "des",
            "en",
            "et",
            "monsieur",
            "madame",
            "el",
            "los",
            "las",
            "y",
            "del",
            "al",
            "senor",
            "ong",
            "ba",
            "anh",
            "chi",
            "ngay",
            "thang",
            "nam",
            "tai",
            "theo",
            "trong",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "montag",
            "dienstag",
            "mittwoch",
            "donnerstag",
            "freitag",
            "samstag",
            "sonntag",
        ]
    )
)
