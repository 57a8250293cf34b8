"""The translation files kept in step with the sources (ADR 0030): extraction finds every kind of marked string,
`check` fails on an untranslated one or on a broken placeholder and counts the drafts, `update` never guesses,
and the shipped catalogues translate every string and every catalog name into traditional Mongolian."""
from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

import shared.i18n as i18n
from shared.catalog import default_catalog
from shared.catalog.lint import mongolian_names
from shared.i18n import catalogs, has_mongolian, language_of, noting_drafts, translate_in, using
from shared.i18n.cli import main as i18n_main

SOURCE = '''
from shared.i18n import _, N_
from services.intake.guides.markup import t
LABEL = N_("一个标签")
def page(name):
    return f"<h1>{t('你好，{name}', name=name)}</h1>" + _("尚未翻译的字符串")
'''


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A source tree of one Python file and one template, extracted instead of the project's."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "page.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "src" / "templates").mkdir()
    (tmp_path / "src" / "templates" / "p.html").write_text(
        '{% trans %}模板里的字符串{% endtrans %} {{ bi("双语字符串") }}', encoding="utf-8")
    monkeypatch.setitem(catalogs.METHODS, "messages", [(str(tmp_path / "src"), [
        ("templates/**.html", "jinja2"), ("**.py", catalogs.PYTHON)])])
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path / "locales")
    i18n.translations.cache_clear()
    yield tmp_path
    i18n.translations.cache_clear()


def ids(catalog: Catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


def test_extraction_finds_gettext_markers_t_inside_f_strings_and_template_strings(sources):
    assert ids(catalogs.extract("messages")) == {"一个标签", "你好，{name}", "尚未翻译的字符串", "模板里的字符串",
                                                 "双语字符串"}


def test_a_new_string_comes_in_untranslated_and_check_fails_naming_its_file(sources, capsys):
    assert i18n_main(["update", "--domain", "messages"]) == 0
    assert i18n_main(["check", "--domain", "messages"]) == 1
    out = capsys.readouterr().out
    assert "untranslated:" in out and "page.py" in out and "尚未翻译的字符串" in out and "FAILED" in out


def test_drafts_pass_the_check_but_are_counted_and_a_broken_placeholder_fails(sources, capsys):
    template = catalogs.extract("messages")
    catalog = catalogs.update("mn", "messages", template)
    for message in catalog:
        if message.id:
            message.string = "ᠮᠣᠩᠭᠣᠯ {name}" if "{name}" in message.id else "ᠮᠣᠩᠭᠣᠯ"
            message.flags.add("fuzzy")
    catalog.get("一个标签").flags.discard("fuzzy")  # reviewed by the language office
    catalogs.write_catalog("mn", "messages", catalog)
    report = catalogs.check("mn", "messages")
    assert report.ok and (report.total.reviewed, report.total.drafts, report.total.untranslated) == (1, 4, 0)
    assert "1 reviewed (20%), 4 drafts awaiting review, 0 untranslated" in "\n".join(report.lines())

    catalog.get("你好，{name}").string = "ᠮᠣᠩᠭᠣᠯ"  # the name dropped
    catalogs.write_catalog("mn", "messages", catalog)
    broken = catalogs.check("mn", "messages")
    assert not broken.ok and [text for _, text in broken.placeholders] == ["你好，{name}"]
    assert i18n_main(["check", "--domain", "messages"]) == 1


def test_update_keeps_translations_moves_gone_strings_to_obsolete_and_never_guesses(sources):
    catalog = catalogs.update("mn", "messages", catalogs.extract("messages"))
    catalog.get("尚未翻译的字符串").string = "ᠣᠷᠴᠢᠭᠤᠯᠤᠭᠰᠠᠨ"
    catalogs.write_catalog("mn", "messages", catalog)
    page = sources / "src" / "page.py"
    page.write_text(page.read_text(encoding="utf-8").replace("尚未翻译的字符串", "尚未翻译的字符串！"), encoding="utf-8")
    updated = catalogs.update("mn", "messages", catalogs.extract("messages"))
    new = updated.get("尚未翻译的字符串！")
    assert new is not None and not new.string and not new.fuzzy  # a near match is not guessed
    assert "尚未翻译的字符串" in updated.obsolete


def test_every_shipped_string_and_catalog_name_has_its_mongolian():
    reports = catalogs.check_all()
    assert [(r.domain, r.untranslated, r.placeholders) for r in reports if not r.ok] == []
    for report in reports:
        assert report.total.strings > 0 and report.total.reviewed + report.total.drafts == report.total.strings
    problems, counts = mongolian_names(default_catalog())
    assert problems == [] and counts["names"] == counts["reviewed"] + counts["drafts"] > 200


def test_every_mongolian_translation_is_in_the_traditional_script_and_marked_a_draft_or_reviewed():
    for domain in i18n.DOMAINS:
        for message in catalogs.read_catalog("mn", domain):
            if not message.id:
                continue
            assert has_mongolian(message.string), (domain, message.id)
            if message.fuzzy:  # a draft says so to its reviewer
                assert any("draft" in c for c in message.user_comments), (domain, message.id)


def test_the_running_suite_translates_and_notes_the_drafts_it_showed():
    with noting_drafts() as drafts:
        text = translate_in("mn", "办事指南")
    assert has_mongolian(text) and drafts == {"办事指南"}
    assert translate_in("zh", "办事指南") == translate_in(None, "办事指南") == "办事指南"
    with using("mn"):
        assert has_mongolian(i18n.catalog_name("新生儿出生一件事"))
    assert i18n.catalog_name("新生儿出生一件事") == "新生儿出生一件事"


@pytest.mark.parametrize("value, code", [("mn", "mn"), ("mn_Mong_CN", "mn"), ("mn-Mong-CN", "mn"), ("zh-CN", "zh"),
                                         ("zh_Hans_CN", "zh"), ("fr", None), ("", None), (None, None)])
def test_language_codes_and_locale_names_map_to_the_two_languages(value, code):
    assert language_of(value) == code


def test_yici_i18n_compile_writes_mo_files_the_gettext_module_reads(tmp_path, monkeypatch):
    import gettext
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path / "locales")
    for domain in i18n.DOMAINS:  # a copy of the shipped catalogues
        target = i18n.po_path("mn", domain)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((catalogs.LOCALES_DIR / "mn_Mong_CN" / "LC_MESSAGES" / f"{domain}.po").read_bytes())
    assert i18n_main(["compile"]) == 0
    found = gettext.translation("messages", str(tmp_path / "locales"), languages=["mn_Mong_CN"])
    assert has_mongolian(found.gettext("办事指南"))
