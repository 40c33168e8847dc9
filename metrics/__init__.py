"""Pure metric kernels over numpy arrays, strings and tensors. No Spark import anywhere in this package."""
