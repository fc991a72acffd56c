"""`python -m extractor.cli`: the `jixiao` command."""
from . import main

main()
