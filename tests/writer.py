"""Articles the tests write: distinct fictional people, one clear status each."""

from __future__ import annotations

SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "del", "ni", "bra", "zen", "qui",
             "fa", "mor", "te", "lin", "go", "pa", "ruv", "el"]


def name(i: int, salt: int = 0) -> str:
    """A deterministic, capitalised, made-up surname for index i."""
    n = i * 7 + salt * 13 + 1000
    parts = []
    for _ in range(3):
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    return "".join(parts).capitalize()


def planned_article(i: int, day: str = "2025-03-10") -> str:
    """An article that announces a meeting of two new people: one `planned` alert."""
    a, b = name(i, 1), name(i, 2)
    return (f" date {day} President Amar {a} and Prime Minister Lena {b} will meet in Geneva "
            f"next week, officials said.\n\nThe talks are expected to focus on trade.\n")


STATUS_SENTENCES = {
    "proposed": "President Amar {a} would like to meet Prime Minister Lena {b} in Geneva",
    "planned": "President Amar {a} and Prime Minister Lena {b} will meet in Geneva next week",
    "at_risk": "The meeting between President Amar {a} and Prime Minister Lena {b} in Geneva "
               "is in jeopardy",
    "paused": "The meeting between President Amar {a} and Prime Minister Lena {b} in Geneva "
              "is on hold",
    "postponed": "The meeting between President Amar {a} and Prime Minister Lena {b} in Geneva "
                 "has been postponed",
    "cancelled": "The meeting between President Amar {a} and Prime Minister Lena {b} in Geneva "
                 "has been called off",
    "held": "President Amar {a} and Prime Minister Lena {b} met in Geneva",
}


def status_article(i: int, status: str, day: str, source: str = "officials said") -> str:
    """An article giving the meeting of pair i (the people of planned_article(i)) a status."""
    sentence = STATUS_SENTENCES[status].format(a=name(i, 1), b=name(i, 2))
    return f" date {day} {sentence}, {source}.\n"
