"""Fixtures of the deploy tier; the helpers live in deploy_kit.py (a unique module name, importable by tests)."""
from deploy_kit import deploy_database, deploy_vhost, module_vhost  # noqa: F401
