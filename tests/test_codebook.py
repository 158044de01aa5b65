"""Codebook loading and validation: every error is one line naming the file and the key."""

from __future__ import annotations

import pytest

from stratcompare.classify.codebook import Codebook
from stratcompare.errors import CodebookError

GOOD = '''
id = "mini"
version = "0.1"
language = "da"

[[themes]]
id = "bolig"
label_da = "Bolig"
definition = "Boliger og hjemløshed."
terms = ["hjemløs*", "*bolig*", "housing first"]
examples = ["Vi skaffer boliger til hjemløse."]

[[themes]]
id = "job"
label_da = "Job"
definition = "Uddannelse og beskæftigelse."
terms = ["job*"]
'''


def write(tmp_path, text, name="cb.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_default_codebook_has_sixteen_documented_themes():
    cb = Codebook.load()
    assert cb.key == "stratcompare-social@1.0"
    assert len(cb.themes) == 16
    assert cb.theme_ids[0] == "housing_first" and "rights_accessibility" in cb.theme_ids
    for t in cb.themes:
        assert t.label_en and t.include and t.exclude and t.terms
        assert 2 <= len(t.examples) <= 4


def test_good_minimal_codebook(tmp_path):
    cb = Codebook.load(write(tmp_path, GOOD))
    assert cb.theme_ids == ["bolig", "job"]
    assert cb.theme("bolig").examples == ("Vi skaffer boliger til hjemløse.",)


@pytest.mark.parametrize("edit, needle", [
    (lambda s: s.replace('language = "da"', 'language = "da"\nauthor = "x"'), "unknown key 'author' at top level"),
    (lambda s: s.replace('label_da = "Job"', 'label_da = "Job"\ncolour = "red"'), "unknown key 'colour' in themes[1] (job)"),
    (lambda s: s.replace('id = "job"', 'id = "bolig"'), "duplicate theme id 'bolig'"),
    (lambda s: s.replace('definition = "Uddannelse og beskæftigelse."', 'definition = "  "'), "empty 'definition' in themes[1] (job)"),
    (lambda s: s.replace('label_da = "Job"\n', ''), "missing required key 'label_da' in themes[1] (job)"),
    (lambda s: s.replace('version = "0.1"\n', ''), "missing required key 'version' at top level"),
    (lambda s: s.replace('"job*"', '"jo*b"'), "bad term 'jo*b' in themes[1] (job).terms"),
    (lambda s: s.replace('"job*"', '"(job|arbejde)"'), "bad term '(job|arbejde)'"),
    (lambda s: s.replace('"job*"', '"*"'), "bad term '*'"),
    (lambda s: s.replace('id = "job"', 'id = "Job Theme"'), "themes[1] (Job Theme).id"),
    (lambda s: s.replace('terms = ["job*"]', 'terms = "job*"'), "themes[1] (job).terms must be an array of strings"),
    (lambda s: s + "\n[[themes\n", "invalid TOML"),
])
def test_validation_errors_name_file_and_key(tmp_path, edit, needle):
    p = write(tmp_path, edit(GOOD))
    with pytest.raises(CodebookError) as exc:
        Codebook.load(p)
    msg = str(exc.value)
    assert needle in msg
    assert str(p) in msg
    assert "\n" not in msg
    assert exc.value.exit_code == 15


def test_missing_file_is_a_codebook_error(tmp_path):
    with pytest.raises(CodebookError, match="cannot read codebook"):
        Codebook.load(tmp_path / "nope.toml")


def test_term_matching_morphology(tmp_path):
    cb = Codebook.load(write(tmp_path, GOOD))
    bolig = cb.theme("bolig")
    assert bolig.match_terms("Hjemløsheden stiger") == ["hjemløs*"]
    assert bolig.match_terms("nye ungdomsboliger") == ["*bolig*"]
    assert bolig.match_terms("Vi arbejder efter Housing\nFirst") == ["housing first"]
    job = cb.theme("job")
    assert job.match_terms("flere i jobcentret") == ["job*"]
    assert job.match_terms("et fleksjob") == []  # no leading '*': word start only


def test_default_codebook_terms_find_their_own_examples():
    """Sanity check on the shipped data: most examples contain at least one of their terms."""
    cb = Codebook.load()
    hit = sum(bool(t.match_terms(e)) for t in cb.themes for e in t.examples)
    total = sum(len(t.examples) for t in cb.themes)
    assert hit / total >= 0.8
