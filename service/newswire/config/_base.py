"""The base of every settings section: frozen, no unknown keys, no NaN."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    ConfigDict,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
