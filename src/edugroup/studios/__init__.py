"""Studios with members across schools and their activities (OH-10, SH-09)."""
