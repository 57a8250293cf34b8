"""Versioning: draft -> published once lint passes; a published catalog is frozen by its digest."""
import datetime as dt
import shutil

import pytest

from shared.catalog import CatalogError, load_catalog
from shared.catalog.lint import lint
from shared.catalog.loader import DATA_DIR
from shared.catalog.publish import main, publish, start_draft


@pytest.fixture
def draft(tmp_path):
    root = shutil.copytree(DATA_DIR, tmp_path / "data")
    meta = root / "catalog.yaml"
    text = "\n".join(line for line in meta.read_text(encoding="utf-8").splitlines()
                     if not line.startswith(("status:", "published_on:", "digest:")))
    meta.write_text(text + "\nstatus: draft\n", encoding="utf-8")
    return root


def test_publishing_a_clean_draft_records_date_and_digest(draft):
    catalog = publish(draft, today=dt.date(2026, 11, 26))
    assert (catalog.status, catalog.published_on) == ("published", "2026-11-26")
    assert catalog.digest == catalog.content_digest
    assert load_catalog(draft, require_published=True).version == catalog.version


def test_publishing_keeps_the_comments_of_the_version_header(draft):
    publish(draft)
    assert (draft / "catalog.yaml").read_text(encoding="utf-8").startswith("# The catalog's version and status.")


def test_a_draft_with_lint_problems_is_not_published(draft):
    path = draft / "matters" / "bankruptcy-check.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("promised_days: 3", "promised_days: 9"),
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="limit-exceeds-longest-item"):
        publish(draft)
    assert load_catalog(draft).status == "draft"


def test_editing_a_published_catalog_is_caught(draft):
    publish(draft)
    path = draft / "items" / "tax.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("promised_days: 3", "promised_days: 2"),
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="changed after .* was published"):
        load_catalog(draft, require_published=True)
    assert "published-catalog-changed" in [p.rule for p in lint(load_catalog(draft))]


def test_a_new_draft_needs_a_new_version(draft):
    published = publish(draft)
    with pytest.raises(CatalogError, match="needs a new version"):
        start_draft(published.version, draft)
    catalog = start_draft("2099.1.1", draft)
    assert (catalog.version, catalog.status, catalog.digest, catalog.published_on) == ("2099.1.1", "draft", None, None)
    assert not lint(catalog)


def test_the_command_publishes_and_starts_drafts(draft, capsys):
    assert main([str(draft)]) == 0
    assert main([str(draft), "--draft", "2027.1.1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "catalog 2026.12.2 is now published", "catalog 2027.1.1 is now draft"]


def test_the_shipped_catalog_is_published_and_unchanged_since():
    catalog = load_catalog(require_published=True)
    assert catalog.published and not catalog.changed_since_published
