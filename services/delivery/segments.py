"""How a text travels through the SMS gateway: in segments (ADR 0030).

A text of GSM 03.38 characters only goes as 7-bit: 160 characters in one segment, 153 per segment once
concatenated (the user data header takes the rest). Any other character (Chinese, traditional Mongolian
U+1800–U+18AF) makes the whole text UCS-2: 70 characters in one segment, 67 per segment concatenated; a character
outside the Basic Multilingual Plane takes two UCS-2 units and is never split between segments. The gateway takes at
most `MAX_SEGMENTS` concatenated segments (8: 536 UCS-2 characters, about the 500-character long-message cap
of the usual Chinese SMS gateways): the texts are kept within that by shortening their free parts, then the
names they quote (templates.render), never by cutting a link. A Mongolian text runs about twice as long as its
Chinese original, so a Chinese text takes at most 6 segments and a Mongolian one up to 8.
"""
from __future__ import annotations

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
           "abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # two septets each
SINGLE = {"gsm7": 160, "ucs2": 70}
CONCATENATED = {"gsm7": 153, "ucs2": 67}
MAX_SEGMENTS = 8


def encoding(text: str) -> str:
    return "gsm7" if all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text) else "ucs2"


def _units(ch: str, coding: str) -> int:
    if coding == "gsm7":
        return 2 if ch in GSM7_EXTENDED else 1
    return 2 if ord(ch) > 0xFFFF else 1


def length(text: str) -> int:
    """The text's length in the gateway's units (septets or UTF-16 code units)."""
    coding = encoding(text)
    return sum(_units(ch, coding) for ch in text)


def split(text: str) -> list[str]:
    """The segments the gateway sends, in order (one when the text fits a single segment)."""
    coding = encoding(text)
    if length(text) <= SINGLE[coding]:
        return [text] if text else []
    size, used = CONCATENATED[coding], 0
    parts: list[str] = []
    current: list[str] = []
    for ch in text:
        units = _units(ch, coding)
        if used + units > size:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += units
    if current:
        parts.append("".join(current))
    return parts


def count(text: str) -> int:
    return len(split(text))


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return count(text) <= max_segments
