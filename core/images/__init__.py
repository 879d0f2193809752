"""Scene-specific reference images: state hashes and prompts, providers, the
image store, attempts, jobs and the runner (rules G1–G9)."""
