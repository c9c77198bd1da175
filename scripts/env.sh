# Sourced by the scripts: put tool caches and Jupyter state under .cache/ of the checkout,
# not in HOME, so runs are reproducible and CI leaves nothing behind.
_islo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export XDG_CONFIG_HOME="$_islo_root/.cache/config"
export XDG_CACHE_HOME="$_islo_root/.cache/cache"
export YARN_GLOBAL_FOLDER="$_islo_root/.cache/yarn"
export npm_config_cache="$_islo_root/.cache/npm"
export JUPYTER_CONFIG_DIR="$_islo_root/.cache/jupyter/config"
export JUPYTER_DATA_DIR="$_islo_root/.cache/jupyter/data"
export JUPYTER_RUNTIME_DIR="$_islo_root/.cache/jupyter/runtime"
export IPYTHONDIR="$_islo_root/.cache/ipython"
export JUPYTER_PLATFORM_DIRS=1
export PATH="$_islo_root/.venv/bin:$PATH"
