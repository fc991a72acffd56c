"""`jixiao review INPUT... -o review.html`: the flags as one offline page to accept, reject or edit.

Exit status: 0 when the page was written (unreadable files are listed on it and on stderr),
2 on bad usage.
"""
from __future__ import annotations

import click


@click.command("review")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", default="review.html", show_default=True, type=click.Path(dir_okay=False),
              help="HTML page to write.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes reading documents (default: the cores).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars and no summary.")
def review_command(inputs: tuple[str, ...], out: str, jobs: int | None, quiet: bool) -> None:
    """Write a review page of the flags of files, folders or a dataset (.sqlite)."""
    from ..views.review import build_review

    summary = build_review(list(inputs), out, quiet=quiet, jobs=jobs)
    for line in summary["failures"]:
        click.echo(f"jixiao: {line}", err=True)
    if not quiet:
        click.echo(f"{summary['flags']} flags of {summary['documents']} documents "
                   f"({summary['images']} page crops, {summary['bytes'] / 1e6:.1f} MB) -> {out}", err=True)
