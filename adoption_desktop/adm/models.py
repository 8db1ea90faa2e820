"""Tables of the adm feature (none yet)."""
