"""`python -m jixiao`: the `jixiao` command (same as the console script)."""
from extractor.cli import main

main(prog_name="jixiao")
