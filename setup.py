"""Build hook: put the trained models of ``models/`` into the wheel as ``stratcompare/data/models``.

Everything else is declared in pyproject.toml.  A source checkout reads ``models/`` directly
(``config.repo_models_dir``); an installed wheel has no checkout, so without this copy a plain
``pip install .`` would lose the theme model and the repair lexicon.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODELS = Path(__file__).resolve().parent / "models"


class BuildPyWithModels(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads models/ in place
            return
        dest = Path(self.build_lib) / "stratcompare" / "data" / "models"
        for sub in ("themes", "lexicon"):
            if (MODELS / sub).is_dir():
                shutil.copytree(MODELS / sub, dest / sub, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithModels})
