"""Cross-scene review: readiness and sign-off (R1), continuity checks (C1), the matrix, the
rearview and timelines (C2, R2)."""
