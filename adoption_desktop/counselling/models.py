"""Tables of the counselling feature (none yet)."""
