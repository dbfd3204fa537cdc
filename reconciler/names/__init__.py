"""Names beside ids, references checked, names in configuration (SPEC §13).

tables (one lookup list: ids and names; pure), reading (each list read once per run,
unreadable -> one warning), resolve (`{name: ...}` -> id before the diff; pure),
annotate (names into the plan, references checked; pure).
"""
