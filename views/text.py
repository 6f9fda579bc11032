"""Text from files and from users, made inert before it is drawn.

Streamlit's markdown-drawing elements (st.markdown, captions, labels) read Markdown; text
that comes from a YAML file or that a user typed must show as it is written, never as a
link, an image or formatting. `plain` is the one place that does it.
"""

from __future__ import annotations

import re

MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"
WORD_JOINER = "\u2060"  # invisible, and keeps a line from breaking where it stands
# What GitHub-flavoured Markdown turns into a link after escapes are resolved: a scheme's
# "://", "www." and an e-mail address's "@". A word joiner inside each keeps them text.
_AUTOLINKS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def plain(text: str) -> str:
    """`text` with every character Markdown (and Streamlit's extensions) treats specially
    escaped, and no web or e-mail address left for it to make a link of, so it reads exactly
    as written."""
    text = _AUTOLINKS.sub(WORD_JOINER, text)
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)


def small(text: str) -> str:
    """`text` as inert Markdown, small and grey as a caption reads: for a note inside a larger
    Markdown block (one element draws quicker than a caption each)."""
    return f":gray[:small[{plain(text)}]]"
