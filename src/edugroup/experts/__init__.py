"""Guiding experts and classroom observers assigned to schools and programmes (QP-05, QP-07.a)."""
