"""Getting accepted documents onto the chain exactly once: leaves, batch manifests, the batcher."""
