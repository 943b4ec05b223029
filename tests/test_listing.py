"""`monitor stories` on a real state dir: every story, its current status, since when and
its evidence, most recently updated first (the spec), whether the listing the Store
keeps ready is current, comes from a migration, or was left behind by a writer that
did not keep it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import cli_json, run_cli

from tests.writer import name, planned_article, status_article


def scan(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write these articles to a fresh folder and `monitor scan` it; returns the state dir."""
    folder = tmp_path / f"news-{len(list(tmp_path.glob('news-*')))}"
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    state = tmp_path / "state"
    run_cli("scan", str(folder), state_dir=state)
    return state


def spec_table(stories: list[dict]) -> list[str]:
    """The table the --json stories must give: ID (8), STORY (the longest title, at most
    48), STATUS, SINCE and the evidence's first 70 characters, unprintable ones as spaces."""
    width = min(48, max(len(s["title"]) for s in stories))
    lines = [f"{'ID':<8}  {'STORY':<{width}}  {'STATUS':<9}  {'SINCE':<10}  EVIDENCE"]
    for s in stories:
        evidence = (s["evidence"]["text"] or "")[:70]
        line = (f"{s['id'][:8]:<8}  {s['title'][:width]:<{width}}  {s['status']:<9}  "
                f"{s['since']:<10}  {evidence}")
        lines.append("".join(ch if ch.isprintable() else " " for ch in line))
    return lines


def listing(state: Path) -> tuple[str, str]:
    """`monitor stories` and `monitor stories --json`, as printed."""
    return (run_cli("stories", state_dir=state).stdout,
            run_cli("stories", "--json", state_dir=state).stdout)


def stored(state: Path) -> tuple[str, str]:
    """What the listing kept in monitor.db holds, printed as `monitor stories` and
    `monitor stories --json` print it (so the tests see that it is kept up to date,
    not only that the output is right)."""
    with db(state) as conn:
        rows = conn.execute("select title_width, line, object from story_listing "
                            "order by seq desc").fetchall()
    width = min(48, max(w for w, _, _ in rows))
    head = f"{'ID':<8}  {'STORY':<{width}}  {'STATUS':<9}  {'SINCE':<10}  EVIDENCE\n"
    return (head + "".join(line[:10 + width] + line[58:] + "\n" for _, line, _ in rows),
            "[" + ",\n".join(obj for _, _, obj in rows) + "]\n")


def db(state: Path) -> sqlite3.Connection:
    """A connection to the state database, as another program would open it."""
    return sqlite3.connect(state / "monitor.db", isolation_level=None)


def test_the_listing_follows_status_changes_most_recently_updated_first(
        tmp_path: Path) -> None:
    state = scan(tmp_path, {f"{i}.txt": planned_article(i) for i in range(3)})
    stories = cli_json("stories", state_dir=state)
    assert [s["status"] for s in stories] == ["planned"] * 3
    assert run_cli("stories", state_dir=state).stdout.splitlines() == spec_table(stories)
    oldest = stories[-1]

    scan(tmp_path, {"later.txt": status_article(0, "postponed", "2025-03-14",
                                                "a spokesman said")})
    after = cli_json("stories", state_dir=state)
    assert [s["id"] for s in after] == [oldest["id"]] + [s["id"] for s in stories[:-1]]
    moved = after[0]
    assert (moved["status"], moved["since"]) == ("postponed", "2025-03-14")
    assert moved["evidence"]["text"].startswith(f"The meeting between President Amar "
                                                f"{name(0, 1)}")
    assert (moved["evidence"]["article"], moved["evidence"]["source"]) == ("later.txt",
                                                                           "a spokesman")
    assert run_cli("stories", state_dir=state).stdout.splitlines() == spec_table(after)
    assert stored(state) == listing(state)
    limited = run_cli("stories", "--limit", "1", state_dir=state).stdout.splitlines()
    assert limited[:2] == spec_table(after[:1])
    assert limited[2] == "... and 2 more, less recently updated (without --limit: all)"


def test_the_story_column_is_as_wide_as_the_longest_title_up_to_48(tmp_path: Path) -> None:
    long_names = ("President Amar Kalovorindastramenko and Prime Minister Lena "
                  "Delmirenopoulouskaya will meet in Geneva next week, officials said.")
    state = scan(tmp_path, {"a.txt": planned_article(1),
                            "b.txt": f" date 2025-03-11 {long_names}\n"})
    stories = cli_json("stories", state_dir=state)
    assert len(stories[0]["title"]) > 48 > len(stories[1]["title"])
    table = run_cli("stories", state_dir=state).stdout.splitlines()
    assert table == spec_table(stories)
    assert table[1][10:58] == stories[0]["title"][:48]
    # --limit 0 is every story
    assert run_cli("stories", "--limit", "0", state_dir=state).stdout.splitlines() == table
    scan(tmp_path, {"c.txt": status_article(1, "cancelled", "2025-03-12")})
    narrow = run_cli("stories", "--limit", "1", state_dir=state).stdout.splitlines()
    stories = cli_json("stories", state_dir=state)
    assert narrow[:2] == spec_table(stories[:1])
    assert len(narrow[0].split("STATUS")[0]) == 10 + len(stories[0]["title"]) + 2


def test_a_state_from_before_the_listing_is_listed_alike_then_migrated(tmp_path: Path) -> None:
    state = scan(tmp_path, {f"{i}.txt": planned_article(i) for i in range(4)})
    table, array = listing(state)
    with db(state) as conn:  # the state as the previous version left it
        conn.execute("drop table story_listing")
        conn.execute("delete from _sqlite_migrations where name = 'm070_story_listing'")

    assert listing(state) == (table, array)  # read as it is: no migration by a reader
    with db(state) as conn:
        assert not conn.execute("select 1 from sqlite_master where name = 'story_listing'"
                                ).fetchone()

    scan(tmp_path, {"later.txt": status_article(2, "cancelled", "2025-03-15")})  # migrates
    with db(state) as conn:
        assert conn.execute("select count(*) from story_listing").fetchone()[0] == 4
    table, array = listing(state)
    stories = cli_json("stories", state_dir=state)
    assert (stories[0]["status"], stories[0]["since"]) == ("cancelled", "2025-03-15")
    assert table.splitlines() == spec_table(stories)
    assert stored(state) == (table, array)


def test_stories_saved_by_a_writer_that_did_not_keep_the_listing_are_listed_as_stored(
        tmp_path: Path) -> None:
    state = scan(tmp_path, {f"{i}.txt": planned_article(i) for i in range(3)})
    last = cli_json("stories", state_dir=state)[-1]
    with db(state) as conn:  # an older monitor, still running during an upgrade
        conn.execute("update stories set status = 'paused', since = '2025-03-20', "
                     "updated_seq = (select max(updated_seq) + 1 from stories) where id = ?",
                     [last["id"]])
    table, array = listing(state)
    stories = cli_json("stories", state_dir=state)
    assert (stories[0]["id"], stories[0]["status"], stories[0]["since"]) == (
        last["id"], "paused", "2025-03-20")
    assert table.splitlines() == spec_table(stories)

    assert stored(state) != (table, array)

    run_cli("history", last["id"], state_dir=state)  # the Store opens: the listing catches up
    assert stored(state) == (table, array) == listing(state)


def test_unprintable_characters_are_spaces_in_the_table_and_escaped_in_json(
        tmp_path: Path) -> None:
    text = planned_article(5).replace("President Amar", "President\u2028Amar\x1b")
    state = scan(tmp_path, {"a.txt": text})
    table, array = listing(state)
    assert "\\u2028" not in table and "\u2028" not in table and "\x1b" not in table
    assert f"President Amar  {name(5, 1)}" in table
    assert table.splitlines() == spec_table(cli_json("stories", state_dir=state))
    assert "\x1b" not in array and "Amar\\u001b" in array
