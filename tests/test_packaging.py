"""The wheel ships rules/ and catalog/ inside the package: installed, ftrec runs from any directory."""

import json
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("ftrec-*.whl"))


def test_wheel_contains_rules_and_catalog(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"recommender/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml")} <= set(names)
    assert {f"recommender/catalog/{p.name}" for p in (ROOT / "catalog").glob("*.yaml")} <= set(names)
    assert any(n.endswith("entry_points.txt") for n in names)
    web = ROOT / "recommender" / "interfaces" / "web"
    assert {f"recommender/interfaces/web/{p.relative_to(web)}" for p in web.glob("[st]*/*.*")} <= set(names)
    assert "recommender/interfaces/web/templates/report.html" in names  # the page's templates and static files


def test_installed_wheel_runs_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "req.yaml").write_text("training: {tokens: 5M, epochs: 3}\ninference: {monthly_tokens: 100M}\n")
    # The installed copy comes first on the path; dependencies come from this environment.
    env = {"PYTHONPATH": str(target), "FTREC_NO_CACHE": "1", "PATH": "/usr/bin:/bin"}
    probe = subprocess.run([sys.executable, "-c", "import recommender.domain.resources as r; print(r.data_dir('rules'))"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == str(target / "recommender" / "rules")
    done = subprocess.run([sys.executable, "-m", "recommender", "cost", "req.yaml", "--offering", "fireworks/llama-4-8b",
                           "--format", "json"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cost"]["year_one"] == "247.50"
