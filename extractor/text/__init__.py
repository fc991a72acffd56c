"""The text stage: numbers, units (inline and from context), kinds, labels and years.

Everything here reads the document's flat text (and table cells as text); nothing knows the
file format. `normalize` maps back to original offsets, `numerals` parses numbers,
`quantities` finds them with their units, `labels`/`context` name them, `titles` reads the
report type, year and department from a title line.
"""
