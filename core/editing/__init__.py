"""A producer's edits of one instance and what the editor shows of them (A3, A6, T3, T5)."""
