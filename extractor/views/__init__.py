"""Pages for people: the review page of flags and the report page of a dataset.

This layer sits above `dataset/` (it reads datasets and documents) and below `cli/`. Every
page is one self-contained HTML file: scripts, styles, images and data inlined, no network.
"""
