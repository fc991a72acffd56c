"""Every `jixiao …` command the READMEs show names a real subcommand and only options it has.

Users copy these lines (the Chinese README is most users' first page); an option renamed in
the code and not in a README would fail on their machine, not in CI.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from extractor.cli import main

ROOT = Path(__file__).resolve().parent.parent
READMES = ("README.md", "README.zh-CN.md")


def _commands(name: str) -> list[str]:
    """The `jixiao …` lines inside the fenced shell blocks of a README (comments dropped,
    `\\` continuations joined; `&&` chains split)."""
    text = (ROOT / name).read_text("utf-8")
    lines: list[str] = []
    for block in re.findall(r"```(?:bash|bat|sh)\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith(("jixiao ", "python -m jixiao ")):
                    lines.append(part)
    return lines


def _options(command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(getattr(param, "opts", ()))
        names.update(getattr(param, "secondary_opts", ()))
    return names


CASES = [(name, line) for name in READMES for line in _commands(name)]


def test_the_readmes_show_commands() -> None:
    """The extraction finds the commands (a change of fence style would empty the test)."""
    for name in READMES:
        assert len(_commands(name)) >= 8, name


@pytest.mark.parametrize("readme,line", CASES, ids=[f"{n}:{i}" for i, (n, _) in enumerate(CASES)])
def test_readme_command_is_valid(readme: str, line: str) -> None:
    words = shlex.split(line.replace("python -m jixiao", "jixiao", 1))[1:]
    if words[0].startswith("-"):
        assert words[0] in {"--version", "--help"}, line
        return
    command = main.get_command(None, words[0])
    assert command is not None, f"{readme}: unknown subcommand in {line!r}"
    known = _options(command)
    for word in words[1:]:
        if word.startswith("-") and not re.fullmatch(r"-?\d[\d.]*", word):
            assert word.split("=", 1)[0] in known, f"{readme}: {word} is no option of `jixiao {words[0]}`"
