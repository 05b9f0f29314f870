"""The rotation planner: a mixed-integer programme (HiGHS) assigning eligible teachers to receiving schools."""
