"""Following the chain: the contracts' events into the index, batch manifests into documents."""
