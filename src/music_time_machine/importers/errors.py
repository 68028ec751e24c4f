"""The one exception an importer raises for a file it cannot take."""

from __future__ import annotations


class ImportFileError(Exception):
    """A whole file (or archive) is rejected; ``filename`` names it for the summary.

    The message says what is wrong in words a user can act on ("is not valid JSON near
    byte 1234", "is UTF-16 encoded; expected UTF-8"), so the web page and the CLI can show it
    as is.
    """

    def __init__(self, filename: str, problem: str) -> None:
        super().__init__(f"{filename}: {problem}")
        self.filename = filename
        self.problem = problem
