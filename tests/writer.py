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


def status_article(i: int, status: str, day: str) -> str:
    """A later article about article i's meeting: "has been postponed", "... cancelled"."""
    a, b = name(i, 1), name(i, 2)
    return (f" date {day} The meeting between President Amar {a} and Prime Minister Lena {b} "
            f"in Geneva has been {status}, officials said.\n")
