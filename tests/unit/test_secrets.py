"""Distributed mode refuses development, placeholder and guessable secrets; tokens compare in constant time."""
from __future__ import annotations

import secrets

import pytest

from shared.config import REPO_ROOT, ConfigError, load_settings, refuse_weak_secrets, weak_secret, weak_secrets
from yici_testkit import CLERK_TOKEN, SUPERVISOR_TOKEN, TOKEN

DISTRIBUTED = REPO_ROOT / "deploy" / "config" / "distributed.yaml"
STRONG = {"YICI_API_TOKEN": TOKEN, "YICI_CLERK_TOKEN": CLERK_TOKEN, "YICI_SUPERVISOR_TOKEN": SUPERVISOR_TOKEN}


@pytest.mark.parametrize("value,why", [
    ("dev-token-change-me", "development"),
    ("dev-supervisor-token-change-me", "development"),
    ("REPLACE-ME-see-deploy-README", "placeholder"),
    ("my-production-token-please-change-me-soon-ok", "placeholder"),
    ("test-token-0123456789", "development"),
    ("k3Y9-xQ2", "shorter than 32"),
    ("a" * 48, "too few characters"),
    ("0123456789" * 4, "too few characters"),
    ("83920174650192837465019283746501", "entropy"),  # 32 digits: about 106 bits
])
def test_weak_secrets_are_named_with_the_reason(value, why):
    assert why in (weak_secret(value) or "")


def test_generated_tokens_and_the_tests_tokens_are_strong():
    assert all(weak_secret(secrets.token_urlsafe(32)) is None for _ in range(200))
    assert all(weak_secret(secrets.token_hex(20)) is None for _ in range(200))
    assert [weak_secret(t) for t in STRONG.values()] == [None] * 3


@pytest.mark.parametrize("variable", sorted(STRONG))
@pytest.mark.parametrize("value", ["dev-token-change-me", "REPLACE-ME-see-deploy-README", "abcd1234",
                                   "x" * 40])
def test_the_distributed_mode_refuses_each_weak_token_naming_the_setting(variable, value):
    settings = load_settings(DISTRIBUTED, env={**STRONG, variable: value})
    with pytest.raises(ConfigError) as refused:
        refuse_weak_secrets(settings)
    message = str(refused.value)
    assert variable in message and "token_urlsafe" in message and "yici secrets generate" in message
    assert len(message.splitlines()) == 3  # the heading, the one weak setting, how to generate one


def test_the_link_secret_and_department_tokens_are_checked_too(tmp_path):
    config = tmp_path / "yici.yaml"
    text = DISTRIBUTED.read_text(encoding="utf-8").replace(
        "clients:\n", "clients:\n  - {name: 税务局窗口, token: tax-token-123, role: department, department: tax}\n", 1)
    config.write_text(text + "delivery:\n  link_secret: dev-link-secret-change-me\n", encoding="utf-8")
    problems = weak_secrets(load_settings(config, env=STRONG))
    assert any(p.startswith("delivery.link_secret") for p in problems)
    assert any("税务局窗口" in p for p in problems) and len(problems) == 2, problems


def test_strong_tokens_start_and_the_embedded_default_keeps_its_development_tokens():
    refuse_weak_secrets(load_settings(DISTRIBUTED, env=STRONG))
    embedded = load_settings(REPO_ROOT / "deploy" / "config" / "embedded.yaml", env={})
    assert len(weak_secrets(embedded)) == 3
    refuse_weak_secrets(embedded)  # the embedded mode only warns


def test_a_token_finds_its_client_and_nothing_else():
    settings = load_settings(DISTRIBUTED, env=STRONG)
    assert settings.client_for_token(CLERK_TOKEN).role == "clerk"
    assert settings.client_for_token(CLERK_TOKEN[:-1]) is None and settings.client_for_token("") is None
    assert settings.client_for_token("naïve-非ASCII") is None


def test_a_weak_material_link_secret_is_refused():
    """Issue 18: the links to materials that departments fetch without a token are only as strong as their key."""
    settings = load_settings(DISTRIBUTED, env={**STRONG, "YICI_FILE_LINK_SECRET": "dev-link-secret-change-me"})
    assert [p for p in weak_secrets(settings) if p.startswith("file_link_secret")], weak_secrets(settings)
    assert not [p for p in weak_secrets(load_settings(DISTRIBUTED, env=STRONG)) if p.startswith("file_link_secret")]
