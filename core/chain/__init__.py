"""An asset's chain of appearances: the continuity rules (E1, E2, I1-I6, P1-P3) and the one writer
that applies them."""
