"""Every UI string is in the catalog in bokmål and English, and every key the views use exists."""

from __future__ import annotations

import re
import string

import pytest

from views.catalog import STRINGS

from .conftest import ROOT

VIEW_FILES = sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"]
USED = sorted(
    {
        key
        for path in VIEW_FILES
        for key in re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", path.read_text(encoding="utf-8"))
    }
)
COUNTED = sorted(
    {
        key
        for path in VIEW_FILES
        for key in re.findall(r"""\btn\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", path.read_text("utf-8"))
    }
)


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == {"nb", "en"}
    assert entry["nb"].strip() and entry["en"].strip()
    fields = [{f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("nb", "en")]
    assert fields[0] == fields[1], key


@pytest.mark.parametrize("key", USED)
def test_every_key_used_by_a_view_exists(key: str) -> None:
    assert key in STRINGS


@pytest.mark.parametrize("key", COUNTED)
def test_every_counted_text_has_a_singular_and_a_plural(key: str) -> None:
    assert f"{key}.one" in STRINGS and f"{key}.other" in STRINGS
    assert "{n}" in STRINGS[f"{key}.other"]["nb"]


def test_the_scan_finds_the_keys() -> None:
    assert len(USED) > 100


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("se http://evil.invalid/x", "se http\\:\u2060//evil\\.invalid/x"),
        ("HTTPS://A.B", "HTTPS\\:\u2060//A\\.B"),
        ("www.vg.no og WWW.VG.NO", "www\u2060\\.vg\\.no og WWW\u2060\\.VG\\.NO"),
        ("ola@sykehus.no", "ola@\u2060sykehus\\.no"),
        ("kl. 10:30 i rom 2", "kl\\. 10\\:30 i rom 2"),  # a colon alone is left as it was
    ],
)
def test_plain_leaves_no_address_for_markdown_to_link(typed: str, shown: str) -> None:
    """GitHub-flavoured Markdown links bare addresses after escapes are resolved, so escaping
    alone left a typed web or e-mail address a live link: a word joiner keeps it text."""
    from views.text import plain

    assert plain(typed) == shown
