"""District demonstration-lesson certificates and their limits (OH-11, OH-12)."""
