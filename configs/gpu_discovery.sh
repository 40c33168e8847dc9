#!/usr/bin/env bash
# Spark GPU discovery script: prints this node's GPUs as {"name": "gpu", "addresses": ["0", ...]}.
# Use with spark.executor.resource.gpu.discoveryScript (see docs/CLUSTER.md, "GPUs").
set -euo pipefail
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g' | sed 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
