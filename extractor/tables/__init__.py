"""The table stage: every table as one grid, then form readers on the grid.

`flattened` rebuilds grids from tables that web pages, PDF dumps or OCR flattened into text;
`selfeval` reads the 项目支出/部门整体支出绩效自评表 forms on any grid. A form reader never
depends on how its grid was obtained.
"""
