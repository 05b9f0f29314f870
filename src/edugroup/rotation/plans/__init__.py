"""Rotation plans: the bureau's receiving demand and the plans the planner (`algorithms/rotation/`) makes for a
region and school year, reviewed row by row and accepted into rotation records (`rotation.service`).

Same file map as any domain, but no `models.py`: the plan tables are in `rotation/models.py`, next to the
rotations an accepted plan row turns into (see that module)."""
