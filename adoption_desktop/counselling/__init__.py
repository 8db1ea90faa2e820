"""Birth-records counselling for adopted adults."""
