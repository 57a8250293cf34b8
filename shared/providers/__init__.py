"""The only place (with services/*/service.py) that imports nameko, eventlet or kombu."""
