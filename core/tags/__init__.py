"""Tags: normalization (T1) and the vocabulary (T2)."""
