"""Tables of the letterbox feature (none yet)."""
