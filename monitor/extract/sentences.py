"""Sentences: split an article into sentences, marking captions and link teasers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "maj", "capt",
    "sgt", "prof", "jr", "sr", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "inc", "corp", "ltd", "co", "mt", "ft", "u.s", "u.k",
    "u.n", "e.u", "d.c", "a.m", "p.m", "est", "approx", "fig", "al", "rev", "hon", "adm",
}
_BOUNDARY = re.compile(r"(?<=[.!?])([\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
_CAPTION_END = re.compile(r"\([^()]{2,80}/[^()]{1,60}\)\s*$|\bPhotograph:|\bPhoto:|\bPicture:"
                          r"|\bImage:|\(Photo\b|\bFile photo\b", re.IGNORECASE)
# A headline run into the body: "... deal stalls The 2027 Games are ...", "mediationGovernment"
_RUN_ON = re.compile(r"\b([a-z]{2,}) (?=(?:The|A|An|This|Follow|After|When|While|But|It|He|She|"
                     r"They) [a-z0-9])|(?<=[a-z]{4})(?=[A-Z][a-z]{2,} [a-z])")
_BEFORE_TITLES = {"of", "in", "at", "by", "to", "on", "the", "and", "for", "from", "with", "as",
                  "into", "about", "like", "than", "or"}


def _split_run_on(match: re.Match[str]) -> str:
    word = match.group(1)
    if word is None:
        return ". "
    return match.group(0) if word in _BEFORE_TITLES else word + ". "


_TEASER = re.compile(r"^\s*\[.*\]\s*$|Opens in new window", re.IGNORECASE)
# Reading a sentence costs more than linear time in its length; a run-on "sentence"
# longer than this (junk, a table flattened to one line) is read in pieces.
MAX_SENTENCE_CHARS = 600


@dataclass(frozen=True)
class Sentence:
    """One sentence, its position, and whether it belongs to a photo caption."""

    index: int
    paragraph: int
    text: str
    caption: bool = False


def _split_paragraph(paragraph: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        candidate = paragraph[start:match.start()]
        word = re.search(r"([\w.]+)\.$", candidate.rstrip("\"”’)]"))
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        parts.append((candidate + match.group(1)).strip())
        start = match.end()
    parts.append(paragraph[start:].strip())
    return [piece for p in parts if p for piece in _pieces(p)]


def _pieces(sentence: str) -> list[str]:
    """The sentence, or pieces of at most MAX_SENTENCE_CHARS cut at spaces."""
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
        cut = cut if cut > MAX_SENTENCE_CHARS // 2 else MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    pieces.append(sentence)
    return [p for p in pieces if p]


def split_sentences(text: str) -> list[Sentence]:
    """Split article text into sentences, paragraph by paragraph.

    Link teasers ("[ ... Opens in new window ]") are dropped; sentences of a
    paragraph that ends in a photo credit are marked as a caption.
    """
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(p for p in re.split(r"\n\s*\n|\r?\n", text) if p.strip()):
        if _TEASER.search(paragraph):
            continue
        caption = bool(_CAPTION_END.search(paragraph))
        for part in _split_paragraph(_RUN_ON.sub(_split_run_on, paragraph.strip())):
            sentences.append(Sentence(len(sentences), number, part, caption))
    return sentences
