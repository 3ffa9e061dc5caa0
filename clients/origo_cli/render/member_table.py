"""The consortium's members as a table."""

from __future__ import annotations

from collections.abc import Sequence

from origo_sdk import Member
from rich.table import Table


def members_table(members: Sequence[Member]) -> Table:
    table = Table(title="Consortium members", title_justify="left")
    for column in ("code", "name", "status", "endpoint", "issuers", "encryption", "joined at block"):
        table.add_column(column, overflow="fold")
    for m in members:
        table.add_row(
            m.code,
            m.name,
            m.status,
            m.endpoint or "-",
            str(len(m.issuers)),
            m.encryption_suite or "-",
            str(m.joined_at_block if m.joined_at_block is not None else "-"),
        )
    return table
