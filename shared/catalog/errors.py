"""Errors raised while loading or querying the matter catalog."""


class CatalogError(Exception):
    """The catalog data cannot be loaded: the message names the file and the problem."""


class UnknownMatter(KeyError):
    """No matter with this code is in the catalog."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown matter: {self.code!r}"


class UnknownSituation(ValueError):
    """A chosen situation is not one the matter defines."""

    def __init__(self, matter_code: str, situations: list[str]):
        super().__init__(matter_code, situations)
        self.matter_code = matter_code
        self.situations = situations

    def __str__(self) -> str:
        return f"matter {self.matter_code!r} has no situation(s) {', '.join(self.situations)}"
