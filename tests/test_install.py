"""mockecs installs as users install it: the sdist and wheel build and pass ``twine check``, and the built wheel,
installed into a fresh venv, runs the README's quick start and serves its dashboard.

The fresh venv gets the wheel alone (``--no-deps --no-index``: only PyPI is reachable and time matters); its
dependencies come from this interpreter's site-packages (less mockecs and its plugins) through a ``.pth``
file, after the venv's own, so ``mockecs`` itself is the wheel's and not this checkout.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytest.importorskip("build", reason="the test extra's 'build' is not installed")

EXAMPLE = textwrap.dedent('''
    import mockecs
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.utils_models import Config
    from mockecs import mock_ecs


    @mock_ecs
    def test_publish_pipeline():
        ecs = Client(Config(access_key_id="any", access_key_secret="any", region_id="cn-hangzhou"))
        run = ecs.run_instances(models.RunInstancesRequest(
            region_id="cn-hangzhou", image_id="aliyun_3_x64_20G_alibase_20240819.vhd", instance_type="ecs.g7.large"))
        instance_id = run.body.instance_id_sets.instance_id_set[0]
        image_id = ecs.create_image(models.CreateImageRequest(
            region_id="cn-hangzhou", instance_id=instance_id, image_name="web-2024-06")).body.image_id
        images = ecs.describe_images(models.DescribeImagesRequest(region_id="cn-hangzhou", image_owner_alias="self"))
        assert [i.image_id for i in images.body.images.image] == [image_id]


    with mock_ecs() as m:  # the dashboard's templates and script are in the wheel
        import urllib.request
        page = urllib.request.urlopen(m.dashboard_url()).read().decode()
        script = urllib.request.urlopen(m.dashboard_url() + "dashboard/static/dashboard.js").read().decode()
        assert "<h1>mockecs</h1>" in page and "refreshCalls" in script
    test_publish_pipeline()
    print("example passed with", mockecs.__file__)
''')


def run(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_wheel_and_sdist_build_check_and_install(tmp_path):
    source = tmp_path / "src"  # a copy: building writes build/ and *.egg-info next to the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if os.path.exists(os.path.join(ROOT, name)):
            shutil.copy(os.path.join(ROOT, name), source / name)
    shutil.copytree(os.path.join(ROOT, "mockecs"), source / "mockecs",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source), env=env)
    wheel, = glob.glob(str(dist / "mockecs-*.whl"))
    sdist, = glob.glob(str(dist / "mockecs-*.tar.gz"))
    checked = run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist, env=env)
    assert checked.stdout.count("PASSED") == 2

    venv = tmp_path / "fresh"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    deps = tmp_path / "deps"  # this interpreter's packages less mockecs and its plugins (their entry points)
    deps.mkdir()
    here = sysconfig.get_paths()["purelib"]
    for name in os.listdir(here):
        if not name.lower().startswith(("mockecs", "__editable__", "zz_")):
            os.symlink(os.path.join(here, name), deps / name)
    with open(os.path.join(purelib, "zz_mockecs_test_deps.pth"), "w") as fh:  # after the venv's own packages
        fh.write(str(deps) + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
        "--disable-pip-version-check", wheel, env=env)
    example = tmp_path / "example.py"
    example.write_text(EXAMPLE)
    out = run(python, str(example), cwd=str(tmp_path), env=env).stdout
    assert "example passed with " + purelib in out  # the wheel's mockecs, not this checkout's
    console = str(venv / "bin" / "mockecs")
    assert run(console, "--version", env=env).stdout.strip().endswith("0.1.0")
    assert run(console, "ca", env=env).stdout.strip().endswith("mockecs-ca.pem")
    # no store plugin in this venv: the error says where the SQLite store comes from
    refused = subprocess.run([console, "server", "--port", "0", "--store", f"sqlite:///{tmp_path}/s.db"],
                             capture_output=True, text=True, timeout=60, env=env)
    assert refused.returncode == 2 and "pip install ./plugins/mockecs-sqlite" in refused.stderr, refused.stderr
