"""The chain port's pieces: contract artifacts, deployment, Merkle batches, a local anvil."""
