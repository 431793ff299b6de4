"""beautifulsoup4, loaded lean, for the few invites and emails written in HTML.

The daemon idles for months and its resident memory is a budget (issue 7: 35 MB with Maildir
or IMAP and an ICS file). A plain `import bs4` also loads soupsieve (CSS selectors: it
compiles hundreds of regexes), an encoding detector (charset_normalizer or chardet) and the
lxml/html5lib builders when they happen to be installed: about 7 MB that stay resident
after the first HTML description. afterword uses none of them: it hands bs4 text already
decoded and parses with the standard library's "html.parser". Loading bs4 with those
imports held back costs under 3 MB. bs4 treats each as optional, so this only narrows what
it finds; other libraries can still import them later.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

# Optional imports of bs4 that afterword never needs.
_HELD_BACK = ("soupsieve", "charset_normalizer", "chardet", "cchardet", "lxml", "html5lib")


def parse_html(markup: str) -> BeautifulSoup:
    """`markup` parsed by bs4's tolerant html.parser builder: broken HTML never raises."""
    soup_class = _soup_class()
    return soup_class(markup, "html.parser")


def _soup_class() -> type[BeautifulSoup]:
    held = [] if "bs4" in sys.modules else [n for n in _HELD_BACK if n not in sys.modules]
    for name in held:
        sys.modules[name] = None  # type: ignore[assignment]  # "not installed", to bs4
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bs4 warns that CSS selectors are missing
            from bs4 import BeautifulSoup
    finally:
        for name in held:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return BeautifulSoup
