"""`monitor evaluate`: a labelled folder is scanned into scratch state and scored."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

PLANNED = ("President Amar Kalovor and Prime Minister Lena Delmiren will meet in Geneva "
           "next week, officials said.")
POSTPONED = ("The meeting between Kalovor and Delmiren in Geneva has been postponed, "
             "a spokesman said.")


def write_case(folder: Path, second_status: str = "postponed",
               evidence: str = POSTPONED, year: str = "2025") -> Path:
    """A two-article case: planned, then postponed (or what the gold claims)."""
    case = folder / "kalovor-delmiren-geneva"
    case.mkdir(parents=True)
    (case / "001_meeting-set.txt").write_text(f" date {year}-03-10 {PLANNED}\n")
    (case / "002_meeting-off.txt").write_text(f" date {year}-03-14 {POSTPONED}\n")
    gold = {
        "case": case.name, "description": "a meeting announced, then postponed",
        "articles": [{"file": "001_meeting-set.txt", "url": "", "date": f"{year}-03-10"},
                     {"file": "002_meeting-off.txt", "url": "", "date": f"{year}-03-14"}],
        "stories": [{"key": "kalovor-delmiren", "kind": "meeting",
                     "participants": ["Amar Kalovor", "Lena Delmiren"], "location": "Geneva",
                     "timeline": [
                         {"file": "001_meeting-set.txt", "status": "planned",
                          "evidence": PLANNED},
                         {"file": "002_meeting-off.txt", "status": second_status,
                          "evidence": evidence}]}],
        "notes": "",
    }
    (case / "gold.json").write_text(json.dumps(gold))
    return case


def test_a_case_read_right_scores_full_marks(tmp_path: Path) -> None:
    write_case(tmp_path / "cases")
    done = run_cli("evaluate", str(tmp_path / "cases"))
    assert ("precision 100% (2/2), recall 100% (2/2), final status 100% (1/1), "
            "0 split, 0 stray (0.00 per article)") in done.stdout
    assert "kalovor-delmiren-geneva" in done.stdout


def test_a_gold_change_the_monitor_did_not_make_is_listed_as_a_miss(tmp_path: Path) -> None:
    write_case(tmp_path / "cases", second_status="cancelled")
    done = run_cli("evaluate", str(tmp_path / "cases"))
    assert "precision 50% (1/2), recall 50% (1/2), final status 0% (0/1)" in done.stdout
    assert "kalovor-delmiren-geneva: missed change: kalovor-delmiren" in done.stdout
    assert "cancelled in 002_meeting-off.txt" in done.stdout
    assert "wrong alert: Kalovor–Delmiren meeting in Geneva" in done.stdout
    assert "planned -> postponed from 002_meeting-off.txt" in done.stdout


def test_json_gives_per_case_figures_and_the_total(tmp_path: Path) -> None:
    write_case(tmp_path / "cases")
    done = run_cli("evaluate", str(tmp_path / "cases"), "--json", "--no-misses")
    figures = json.loads(done.stdout)
    assert [f["case"] for f in figures] == ["kalovor-delmiren-geneva", "total"]
    assert figures[-1]["precision"] == 1.0 and figures[-1]["recall"] == 1.0


def test_evidence_missing_from_its_article_is_a_clear_error(tmp_path: Path) -> None:
    case = write_case(tmp_path / "cases", evidence="A sentence nobody wrote.")
    done = run_cli("evaluate", str(case), check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"monitor: {case / 'gold.json'}: story kalovor-delmiren: evidence not found in "
        "002_meeting-off.txt: 'A sentence nobody wrote.'")


def test_a_folder_without_gold_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("evaluate", str(tmp_path), check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == f"monitor: {tmp_path}: no gold.json in it or in its sub-folders"


def test_labelled_articles_dated_after_today_are_still_scored(tmp_path: Path) -> None:
    # the daemon refuses articles from the future; a labelled corpus may be dated ahead
    write_case(tmp_path / "cases", year="2099")
    done = run_cli("evaluate", str(tmp_path / "cases"))
    assert "precision 100% (2/2), recall 100% (2/2)" in done.stdout
    assert "rejected article" not in done.stdout


def score_one_article(folder: Path, text: str, story: dict) -> str:
    """Evaluate a one-article case whose gold is one story planned in that article."""
    case = folder / "cases" / "one-article"
    case.mkdir(parents=True)
    (case / "001_article.txt").write_text(f" date 2025-03-10 {text}\n")
    gold = {"case": case.name, "description": "one story, planned",
            "articles": [{"file": "001_article.txt", "url": "", "date": "2025-03-10"}],
            "stories": [{**story, "timeline": [{"file": "001_article.txt",
                                                "status": "planned", "evidence": text}]}],
            "notes": ""}
    (case / "gold.json").write_text(json.dumps(gold))
    return run_cli("evaluate", str(folder / "cases")).stdout


FULL_MARKS = ("precision 100% (1/1), recall 100% (1/1), final status 100% (1/1), "
              "0 split, 0 stray (0.00 per article)")


def test_a_story_placed_in_the_country_matches_gold_placed_in_its_city(
        tmp_path: Path) -> None:
    text = "President Amar Kalovor will visit Peru next month, officials said."
    assert FULL_MARKS in score_one_article(tmp_path, text, {
        "key": "kalovor-visit", "kind": "visit", "participants": ["Amar Kalovor"],
        "location": "Lima"})


def test_a_body_named_without_its_qualifier_matches_the_gold_body(tmp_path: Path) -> None:
    text = "The Chamber of Deputies is scheduled to vote on the budget on Tuesday."
    assert FULL_MARKS in score_one_article(tmp_path, text, {
        "key": "budget-vote", "kind": "vote", "participants": ["Chilean Chamber of Deputies"],
        "location": None})
