"""Walking the inputs of `jixiao convert`: every path met is either a document to convert or a
named, counted skip — nothing vanishes silently.

Paths are stored resolved: absolute, symlinks and `..` resolved (`os.path.realpath`), so
the same folder converted once by a relative and once by an absolute path (or through a
symlinked folder) gives one `documents` row per document. A name that is not valid UTF-8
(a GBK-named file unpacked from a Windows zip on Linux reaches Python as surrogate escapes)
is stored with its undecodable bytes written as `\\xNN` (`stored_path`): lossless, and it
still converts because the file is read by its real name.
"""
from __future__ import annotations

import errno
import importlib
import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field

from .errors import RunError

# skip reasons, as the summary names them
HIDDEN = "hidden file or folder"
NOT_A_DOCUMENT = "not a document (by suffix)"
DANGLING_LINK = "dangling link"
LINK_OUTSIDE = "link leading outside the folder"
LINKED_FOLDER = "link to a folder (not followed)"
ALIAS = "link to a file also listed under its real path"
NOT_REGULAR = "not a regular file (device, pipe or socket)"
TOO_LONG = "path too long"
UNREADABLE_FOLDER = "unreadable folder"
EXCLUDED = "the dataset or the export folder itself"


def escape_text(text: str) -> str:
    """`text` with surrogate escapes (bytes of a name that is not UTF-8) written as `\\xNN`;
    text without them is returned unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte (Windows names)
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def stored_path(path: str) -> str:
    """How a path is stored in the dataset: resolved, with undecodable bytes escaped."""
    return escape_text(os.path.realpath(path))


def document_suffixes() -> frozenset[str]:
    """Suffixes a folder walk takes: every reader's, plus formats the readers name as not yet
    supported (so a `.doc` shows up as an error row instead of vanishing)."""
    from .. import readers

    found = set(readers.UNSUPPORTED_SUFFIXES)
    for name in readers.READER_MODULES:
        found.update(importlib.import_module(f"{readers.__name__}.{name}").SUFFIXES)
    return frozenset(found)


@dataclass
class Walk:
    """What a walk met: `files` to read (real OS paths, resolved), `skipped` paths by reason
    (stored form), and the resolved `roots` walked (what `--prune` may mark as gone)."""

    files: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    roots: list[tuple[str, bool]] = field(default_factory=list)  # (stored path, is a folder)

    @property
    def ignored(self) -> int:
        return len(self.skipped.get(NOT_A_DOCUMENT, []))

    def skip(self, reason: str, path: str) -> None:
        self.skipped[reason].append(escape_text(path))

    def skipped_folders(self) -> list[str]:
        """Stored folders whose content could not be listed (their rows are left as they are)."""
        return [p for reason in (UNREADABLE_FOLDER, TOO_LONG) for p in self.skipped.get(reason, [])]


def _folder_problem(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return TOO_LONG
    return UNREADABLE_FOLDER


def walk_inputs(inputs: list[str], exclude: set[str] = frozenset(),
                suffixes: frozenset[str] | None = None) -> Walk:
    """Files named, and document files under the folders named, in a stable order.

    A file named explicitly is always taken; in folders only `suffixes` (default:
    `document_suffixes()`) are, so gold answers, thumbnails or notes beside the reports
    stay out (counted as not documents). Hidden entries are skipped (a hidden folder once,
    not its content); links are followed only to files inside the folder being walked;
    real paths in `exclude` (the dataset itself, the export folder) are left out. Folders
    are walked iteratively, so no depth of nesting can exhaust the stack.
    """
    suffixes = document_suffixes() if suffixes is None else suffixes
    walk = Walk()
    found: dict[str, None] = {}
    for inp in inputs:
        real = os.path.realpath(inp)
        if os.path.isfile(real):
            walk.roots.append((escape_text(real), False))
            if real in exclude:
                walk.skip(EXCLUDED, real)
            else:
                found.setdefault(real)
            continue
        if not os.path.isdir(real):
            raise RunError(f"{escape_text(inp)}: no such file or directory")
        walk.roots.append((escape_text(real), True))
        _walk_folder(real, walk, found, exclude, suffixes)
    walk.files = list(found)
    return walk


def _walk_folder(root: str, walk: Walk, found: dict[str, None], exclude: set[str],
                 suffixes: frozenset[str]) -> None:
    links: list[tuple[str, str]] = []  # (link, its real target) inside the root
    stack = [root]
    while stack:
        folder = stack.pop()
        if any(folder == e or folder.startswith(e + os.sep) for e in exclude):
            walk.skip(EXCLUDED, folder)
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            walk.skip(_folder_problem(exc), folder)
            continue
        subfolders = []
        for entry in entries:
            path = entry.path
            if entry.name.startswith("."):
                walk.skip(HIDDEN, path)
                continue
            try:
                if entry.is_symlink():
                    _link(path, root, walk, links)
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                else:
                    mode = os.stat(path, follow_symlinks=False).st_mode  # also: is the path too long?
                    if not stat.S_ISREG(mode):
                        walk.skip(NOT_REGULAR, path)
                    elif path in exclude:
                        walk.skip(EXCLUDED, path)
                    elif os.path.splitext(entry.name)[1].lower() in suffixes:
                        found.setdefault(path)
                    else:
                        walk.skip(NOT_A_DOCUMENT, path)
            except OSError as exc:
                walk.skip(TOO_LONG if exc.errno == errno.ENAMETOOLONG else f"cannot stat ({exc.strerror})", path)
        stack.extend(reversed(subfolders))
    for link, target in links:
        if target in found:
            walk.skip(ALIAS, link)
        elif target in exclude:
            walk.skip(EXCLUDED, link)
        elif os.path.splitext(link)[1].lower() in suffixes or os.path.splitext(target)[1].lower() in suffixes:
            found.setdefault(target)  # a document reached only through the link: stored under its real path
        else:
            walk.skip(NOT_A_DOCUMENT, link)


def _link(path: str, root: str, walk: Walk, links: list[tuple[str, str]]) -> None:
    """Sort a symlink met in a folder walk: dangling, outside, a folder, or a file inside."""
    target = os.path.realpath(path)
    if not os.path.exists(target):
        walk.skip(DANGLING_LINK, path)
    elif not target.startswith(root + os.sep):
        walk.skip(LINK_OUTSIDE, path)
    elif os.path.isdir(target):
        walk.skip(LINKED_FOLDER, path)
    elif not os.path.isfile(target):
        walk.skip(NOT_REGULAR, path)
    else:
        links.append((path, target))
