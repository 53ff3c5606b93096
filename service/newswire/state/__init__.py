"""What ingest remembers across restarts, rebuilt from compacted topics by the partition's owner."""

from newswire.state.fetch_state import TRACKED_FIELDS, PartitionState, UrlState

__all__ = ["TRACKED_FIELDS", "PartitionState", "UrlState"]
