"""Training and showcase records with credits by the region's rule (HK-10, SH-10)."""
