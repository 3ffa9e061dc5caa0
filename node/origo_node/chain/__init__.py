"""The chain port's pieces: contract artifacts, Merkle batches, typed EIP-712 data, revert decoding."""
