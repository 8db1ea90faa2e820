"""Qt views of the child's journey: the Children dialog opened from the ADM plan decision and the panel
match item."""
