#!/usr/bin/env bash
# Set up everything islo_jupyter needs on a fresh Debian machine: system packages
# (bubblewrap for sandbox isolation, Chromium for browser tests), a virtualenv in .venv
# with the package installed editable plus test/dev extras, and the labextension build.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (not root, skipping apt)" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
# Keep caches out of HOME (TOOLCHAIN.md): the builder, npm and Jupyter write there otherwise.
source scripts/env.sh

stamp=.venv/.islo-setup-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ labextension/package.json -nt "$stamp" ]; then
  echo "setup: installing Python packages"
  mkdir -p .cache
  log=.cache/pip-install.log
  # pip copies the built labextension into .venv/share: a develop link left there by an
  # earlier run would make it copy the build onto itself.
  labext_link=.venv/share/jupyter/labextensions/islo-jupyter
  if [ -L "$labext_link" ]; then rm "$labext_link"; fi
  # pip's output goes to a log (it is long, and warns harmlessly about local index folders);
  # on failure the log's tail is shown and setup stops.
  if ! { .venv/bin/python -m pip install -U pip && .venv/bin/python -m pip install -e ".[dev]"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: pip install failed (full log: $log)" >&2
    exit 1
  fi
  .venv/bin/python -c "import islo_jupyter, IPython, requests, pydantic, fastapi"
  # Serve the labextension from its build output, so a later `npm run build` is live.
  if ! .venv/bin/jupyter labextension develop --overwrite . >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "setup: linking the labextension failed (full log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
echo "setup: ready ($root/.venv)"
