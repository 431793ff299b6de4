"""Notes: rendering, uniqueness and the MIME message."""

from afterword.plugin.compose.message import WarningLine, draft_message, warning_message
from afterword.plugin.compose.render import Composer, NoteContext
from afterword.plugin.compose.uniqueness import UNIQUE_LIMIT, max_overlap, overlap, trigrams

__all__ = [
    "UNIQUE_LIMIT",
    "Composer",
    "NoteContext",
    "WarningLine",
    "draft_message",
    "max_overlap",
    "overlap",
    "trigrams",
    "warning_message",
]
