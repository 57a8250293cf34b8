"""Nameko dependency providers and entrypoints: with services/*/service.py and the composition root (yici/),
the only code that imports nameko, eventlet or kombu."""
