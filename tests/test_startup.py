"""Start-up cost: the lexical half of search (spaCy's Danish pipeline) must not import torch,
and torch must stay importable afterwards for whoever needs it."""

from __future__ import annotations

import subprocess
import sys


def test_danish_pipeline_does_not_import_torch():
    code = ("import sys\n"
            "from stratcompare.search.lemmas import lemma\n"
            "from stratcompare.classify.text import lemmas\n"
            "assert lemma('boliger') == 'bolig', lemma('boliger')\n"
            "assert lemmas(['Borgerne får bedre boliger']) == [['borger', 'bolig']]\n"
            "assert 'torch' not in sys.modules, 'spaCy pulled in torch'\n"
            "import importlib.util\n"
            "assert importlib.util.find_spec('torch') is not None\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
