"""Teacher development: training credits, demonstration-lesson certificates, mentoring, dispatch, experts
and observers, studios (HK-10, SH-10, OH-09..12, QP-05, QP-07.a, SH-09, HD-03)."""
