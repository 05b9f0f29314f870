"""Mentoring pairs (OH-09, HD-03) and teacher dispatch (HD-03)."""
