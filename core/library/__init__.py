"""Files in and out: asset CSVs, the project backup and its schema, archives, preview caching (S2,
S3)."""
