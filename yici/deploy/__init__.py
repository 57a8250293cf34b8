"""Deployment tooling behind `yici topology`, `yici migrate` and `yici deploy` (broker, database, manifests)."""
