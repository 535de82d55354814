"""Read the period out of a RETENTION phrase as an ISO 8601 duration.

``parse_duration("retained for thirty (30) days")`` gives ``"P30D"``. The parser walks the
words of the phrase once (a flat tokenising regex, no backtracking) and returns the first
period that has both a number and a time unit. Its conventions:

- Numbers: digits ("30", "2,555", "1.5", "1,5"), number words up to the hundreds ("twelve",
  "twenty-four", "ninety-nine", "one hundred and eighty"), "a"/"an" ("a year") and "half a"
  ("half a year"). A figure in brackets repeats the number: "thirty (30) days" is 30 days.
- Up to three words may stand between number and unit: "one calendar year", "90-day",
  "30 business days". Business and working days are returned as days (ISO 8601 has none).
- Units: seconds to decades; "fortnight" is two weeks and "decade" ten years.
- A range gives its upper bound, the longest the data may be kept: "24-48 hours" gives
  "PT48H", "6 to 12 months" gives "P12M".
- Halves: "one and a half years", "a year and a half" and "1.5 years" are written in the next
  smaller unit when that is exact ("P18M", "PT36H" for 1.5 days); otherwise as an ISO decimal
  ("P1.5M": months have no exact number of days).
- Two periods ("6 months ... 7 years"): the first one is returned.
- Not periods: "once a day" (a frequency) and "a second copy" (an ordinal); "1 second" is.
- No number with a unit ("as long as necessary", "a few years"): None.
"""
import math
import re
from typing import List, Optional, Tuple

from .labels import RETENTION_KINDS

# Words, figures (digits with "," or "." inside) and the brackets and dashes that matter.
# Each alternative is a flat character class: linear time whatever the input.
_TOKEN_RE = re.compile(r"[a-z]+|[0-9][0-9.,]*|[()\-\u2013]")

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
# unit word -> (ISO designator, whether it belongs after the "T" time separator)
_UNITS = {
    "second": ("S", True), "seconds": ("S", True), "sec": ("S", True), "secs": ("S", True),
    "minute": ("M", True), "minutes": ("M", True), "min": ("M", True), "mins": ("M", True),
    "hour": ("H", True), "hours": ("H", True), "hr": ("H", True), "hrs": ("H", True),
    "day": ("D", False), "days": ("D", False),
    "week": ("W", False), "weeks": ("W", False), "wk": ("W", False), "wks": ("W", False),
    "fortnight": ("W", False), "fortnights": ("W", False),
    "month": ("M", False), "months": ("M", False),
    "year": ("Y", False), "years": ("Y", False), "yr": ("Y", False), "yrs": ("Y", False),
    "decade": ("Y", False), "decades": ("Y", False),
}
# Units that stand for a multiple of the designator's unit.
_UNIT_FACTOR = {"fortnight": 2, "fortnights": 2, "decade": 10, "decades": 10}
# A fractional amount is rewritten in the next smaller unit when that is exact.
# (designator, is_time) -> (smaller designator, is_time, factor); months have no exact smaller unit.
_SMALLER = {("Y", False): ("M", False, 12), ("W", False): ("D", False, 7), ("D", False): ("H", True, 24),
            ("H", True): ("M", True, 60), ("M", True): ("S", True, 60)}
# Words that may stand between a number and its unit (at most _MAX_ADJECTIVES of them).
_UNIT_ADJECTIVES = {
    "calendar", "business", "working", "full", "consecutive", "additional", "more", "further",
    "subsequent", "rolling", "-", "\u2013", "whole", "complete", "entire",
}
_MAX_ADJECTIVES = 3
_RANGE_WORDS = {"-", "\u2013", "to", "or"}
# "once a day", "twice a year", "per hour": "a" is a frequency there, not a period of one.
_FREQUENCY = {"once", "twice", "times", "per", "every"}


def _figure(token: str) -> Optional[float]:
    """Read a token written in digits: "30", "2,555", "1.5", "1,5", "30." (end of sentence)."""
    token = token.rstrip(".,")
    if not token:
        return None
    if "," in token:
        head, *groups = token.split(",")
        if "." not in token and all(len(g) == 3 for g in groups):  # "2,555": thousands
            token = head + "".join(groups)
        elif "." not in token and len(groups) == 1:  # "1,5": a decimal comma
            token = f"{head}.{groups[0]}"
        else:
            return None
    try:
        value = float(token)
    except ValueError:
        return None
    # A run of digits too long for a float is no period anyone states.
    return value if math.isfinite(value) else None


def _number(tokens: List[str], i: int) -> Optional[Tuple[float, int]]:
    """Read a number starting at tokens[i].

    tokens (List[str]): The lower-cased tokens of the phrase.
    i (int): Where to start.
    RETURNS (Optional[Tuple[float, int]]): The value and the index after it, or None.
    """
    token = tokens[i]
    if token[0].isdigit():
        value = _figure(token)
        return None if value is None else (value, i + 1)
    if token in ("a", "an"):
        if i and tokens[i - 1] in _FREQUENCY:
            return None
        return 1.0, i + 1
    if token == "half" and i + 1 < len(tokens) and tokens[i + 1] in ("a", "an"):
        return 0.5, i + 2
    value = None
    if token in _TENS:
        value, i = _TENS[token], i + 1
        # "twenty-four", "twenty four"
        if i < len(tokens) and tokens[i] in ("-", "\u2013") and i + 1 < len(tokens) and tokens[i + 1] in _ONES:
            value, i = value + _ONES[tokens[i + 1]], i + 2
        elif i < len(tokens) and tokens[i] in _ONES and _ONES[tokens[i]] < 10:
            value, i = value + _ONES[tokens[i]], i + 1
    elif token in _ONES:
        value, i = _ONES[token], i + 1
    if value is None:
        return None
    # "one hundred (and) twenty"
    if i < len(tokens) and tokens[i] in ("hundred", "thousand"):
        value *= 100 if tokens[i] == "hundred" else 1000
        i += 1
        j = i + 1 if i < len(tokens) and tokens[i] == "and" else i
        if j < len(tokens) and (tokens[j] in _TENS or tokens[j] in _ONES):
            rest = _number(tokens, j)
            if rest is not None:
                value, i = value + rest[0], rest[1]
    return float(value), i


def _bracketed(tokens: List[str], j: int) -> int:
    """Index after a repeated figure in brackets at tokens[j] ("thirty (30)", "30 (thirty)"), or j."""
    if tokens[j:j + 1] == ["("] and j + 1 < len(tokens):
        inner = _number(tokens, j + 1)
        if inner is not None and tokens[inner[1]:inner[1] + 1] == [")"]:
            return inner[1] + 1
    return j


def _half(tokens: List[str], i: int) -> int:
    """Index after "and a half" / "and one half" at tokens[i], or i when absent."""
    if tokens[i:i + 3] in (["and", "a", "half"], ["and", "one", "half"]):
        return i + 3
    return i


def _format(amount: float, unit: str) -> str:
    """Write an amount of a unit as ISO 8601 ("P30D", "PT48H", "P18M")."""
    designator, is_time = _UNITS[unit]
    amount *= _UNIT_FACTOR.get(unit, 1)
    # Fractions move to the next smaller unit when that gives a whole number.
    while amount != int(amount):
        smaller = _SMALLER.get((designator, is_time))
        if smaller is None or (amount * smaller[2]) != int(amount * smaller[2]):
            break
        designator, is_time, amount = smaller[0], smaller[1], amount * smaller[2]
    text = str(int(amount)) if amount == int(amount) else f"{amount:g}"
    return f"PT{text}{designator}" if is_time else f"P{text}{designator}"


def parse_duration(text: str) -> Optional[str]:
    """Return the ISO 8601 duration of the period stated in a retention phrase.

    text (str): A phrase such as "retained for thirty (30) days after account closure".
    RETURNS (Optional[str]): "P30D", or None when no number with a time unit is stated
        ("as long as necessary", "for a reasonable period").
    """
    if not text:
        return None
    tokens = _TOKEN_RE.findall(text.lower())
    i = 0
    while i < len(tokens):
        found = _number(tokens, i)
        if found is None:
            i += 1
            continue
        value, j = found
        j = _half(tokens, j)
        if j != found[1]:
            value += 0.5
        # "thirty (30) days": a figure in brackets repeats the number
        j = _bracketed(tokens, j)
        # "24-48 hours", "6 to 12 months": keep the upper bound
        if j + 1 < len(tokens) and tokens[j] in _RANGE_WORDS and tokens[j + 1] not in ("a", "an"):
            upper = _number(tokens, j + 1)
            if upper is not None:
                value, j = max(value, upper[0]), _bracketed(tokens, upper[1])
        # "one calendar year", "90-day", "30 business days" (a few words at most: linear time)
        stop = min(len(tokens), j + _MAX_ADJECTIVES)
        while j < stop and tokens[j] in _UNIT_ADJECTIVES:
            j += 1
        # "a second copy" is no period: "second" needs a figure ("1 second")
        if j < len(tokens) and tokens[j] in _UNITS and not (tokens[j] == "second" and not tokens[i][0].isdigit()):
            unit = tokens[j]
            # "a year and a half"
            if _half(tokens, j + 1) != j + 1:
                value += 0.5
            return _format(value, unit)
        i += 1
    return None


def retention_kind(pattern_id: Optional[str]) -> Optional[str]:
    """Return the retention kind a pattern id names in its prefix.

    pattern_id (Optional[str]): A RETENTION pattern id, "until_event/until-you".
    RETURNS (Optional[str]): "until_event", or None when the prefix is not one of
        labels.RETENTION_KINDS.
    """
    if not pattern_id or "/" not in pattern_id:
        return None
    kind = pattern_id.split("/", 1)[0]
    return kind if kind in RETENTION_KINDS else None
