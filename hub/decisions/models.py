"""The policy epoch: bumped with every agreement or consent change, read on every request."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base

#: The only row of the table.
EPOCH_ROW = 1


class PolicyEpoch(Base):
    """One row whose value changes whenever what decisions rest on changes."""

    __tablename__ = "policy_epoch"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
