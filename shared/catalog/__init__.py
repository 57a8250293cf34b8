"""The matter catalog: versioned data (YAML) for matters, items, departments, materials and form fields."""
from .catalog import Catalog, Redefinition
from .errors import CatalogError, UnknownMatter, UnknownSituation
from .loader import default_catalog, load_catalog
from .model import (
    Department,
    ExcludedStep,
    FieldOverride,
    FormField,
    Item,
    Material,
    MaterialSpec,
    Matter,
    Situation,
)

__all__ = [
    "Catalog", "CatalogError", "Department", "ExcludedStep", "FieldOverride", "FormField", "Item",
    "Material", "MaterialSpec", "Matter", "Redefinition", "Situation", "UnknownMatter", "UnknownSituation",
    "default_catalog", "load_catalog",
]
