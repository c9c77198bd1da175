"""The wheel ships the prebuilt labextension under share/jupyter/labextensions/islo-jupyter,
and a JupyterLab without Node on PATH lists and serves it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.browser.lab import running_lab

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXTENSION = "islo-jupyter"
SHARE = f"share/jupyter/labextensions/{EXTENSION}"
# Generous: the wheel build runs npm and the bundler on a busy 2-core machine.
BUILD_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel the way `pip install .` does (isolated build env, npm build hook)."""
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return next(out.glob("islo_jupyter-*.whl"))


def _data_path(wheel: Path, name: str) -> str:
    """Where `name` under share/jupyter/labextensions/islo-jupyter sits inside the wheel."""
    version = wheel.name.split("-")[1]
    return f"islo_jupyter-{version}.data/data/{SHARE}/{name}"


def test_wheel_carries_the_built_extension_and_install_json(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read(_data_path(wheel, "package.json")))
        install = json.loads(archive.read(_data_path(wheel, "install.json")))

    assert package["name"] == EXTENSION
    assert _data_path(wheel, package["jupyterlab"]["_build"]["load"]) in names
    assert install["packageName"] == "islo_jupyter"
    assert install["packageManager"] == "python"


def test_wheel_shares_codemirror_instead_of_bundling_it(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        package = json.loads(archive.read(_data_path(wheel, "package.json")))
    shared = package["jupyterlab"]["sharedPackages"]
    for name in ("@codemirror/language", "@codemirror/state", "@codemirror/view", "@lezer/common"):
        assert shared[name] == {"bundled": False, "singleton": True}, name


def test_wheel_leaves_out_sources_node_modules_and_a_second_copy(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    unwanted = re.compile(
        r"node_modules/|\.tsx?$|tsbuildinfo|^labextension/|^islo_jupyter/labextension/"
    )
    assert [name for name in names if unwanted.search(name)] == []


@pytest.fixture(scope="module")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A new venv holding only the wheel, borrowing JupyterLab from ours; returns its env.

    Its PATH is the venv's bin alone, so Node is out of reach. pip runs with the new venv's
    interpreter and --ignore-installed, so our own editable install is never touched.
    """
    root = tmp_path_factory.mktemp("wheel-venv")
    prefix = root / "venv"
    venv.create(prefix, with_pip=False)
    site_packages = Path(
        sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    )
    # Appended after the venv's own site-packages: its islo_jupyter comes first.
    (site_packages / "borrowed_jupyterlab.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = str(prefix / "bin" / "python")
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=BUILD_TIMEOUT_S)
    env = {
        "PATH": str(prefix / "bin"),
        "HOME": str(root / "home"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_DATA_DIR": str(root / "data"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHON": python,
        "ROOT": str(root),
    }
    yield env


def test_wheel_venv_has_no_node(wheel_venv: dict[str, str]) -> None:
    assert shutil.which("node", path=wheel_venv["PATH"]) is None


def test_labextension_list_shows_it_enabled_and_ok(wheel_venv: dict[str, str]) -> None:
    command = [wheel_venv["PYTHON"], "-m", "jupyterlab.labextensions", "list"]
    result = subprocess.run(command, capture_output=True, text=True, env=wheel_venv, timeout=120)
    listing = result.stdout + result.stderr
    assert result.returncode == 0, listing
    line = re.search(rf"^\s*{EXTENSION} v\S+ (\S+) (\S+)(.*)$", listing, re.MULTILINE)
    assert line is not None, listing
    enabled, status, origin = (re.sub(r"\x1b\[[0-9;]*m", "", part) for part in line.groups())
    assert (enabled, status) == ("enabled", "OK"), listing
    assert "islo_jupyter" in origin  # installed by the Python package, not a dev link
    assert str(Path(wheel_venv["ROOT"]) / "venv") in listing


def test_lab_without_node_serves_the_extension(wheel_venv: dict[str, str]) -> None:
    lab_root = Path(wheel_venv["ROOT"]) / "lab-root"
    lab_root.mkdir()
    log = Path(wheel_venv["ROOT"]) / "lab.log"
    with running_lab(wheel_venv["PYTHON"], lab_root, log, wheel_venv) as lab:
        base, token = lab.url, lab.token
        page = requests.get(f"{base}/lab", params={"token": token}, timeout=30).text
        # The page config lists the federated extensions Lab will load in the browser.
        config_json = re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
        assert config_json is not None, page[:2000]
        config = json.loads(config_json[1])
        ours = [ext for ext in config["federated_extensions"] if ext["name"] == EXTENSION]
        assert len(ours) == 1, config["federated_extensions"]
        entry = requests.get(
            f"{base}/lab/extensions/{EXTENSION}/{ours[0]['load']}",
            params={"token": token},
            timeout=30,
        )
        assert entry.status_code == 200
        assert "islo-jupyter" in entry.text
