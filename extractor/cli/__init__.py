"""The `jixiao` command. Subcommands live in their own modules and load on first use."""
from __future__ import annotations

import importlib

import click

_COMMANDS = {
    "extract": "extractor.cli.extract:extract_command",
    "check": "extractor.cli.check:check_command",
    "convert": "extractor.cli.convert:convert_command",
    "review": "extractor.cli.review:review_command",
    "report": "extractor.cli.report:report_command",
    "synth": "extractor.evaluation.disclosure:synth_command",
    "eval": "extractor.evaluation.evaluate:eval_command",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=_LazyGroup)
@click.version_option(package_name="jixiao")
def main() -> None:
    """jixiao: budget-performance self-evaluation reports (绩效自评) into clean, checked data."""


if __name__ == "__main__":
    main()
