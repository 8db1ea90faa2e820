"""Tables of the panel feature (none yet)."""
