"""The child's journey: the children on a plan-for-adoption decision or a match item, and the dates of
their journey, from which the adoption scorecard measures are computed (``reports.measures``)."""
