"""The offline sample: data in the shape of the Hugging Face splits, generated deterministically."""
