"""Server-rendered pages of the suite: the Jinja2 page kit (pages.py), the shared templates and the static CSS."""
