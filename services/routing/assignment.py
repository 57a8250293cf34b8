"""Who decides an item, and why: the catalog's level, 交互授权 rules, the case's region, 全市通办."""
from __future__ import annotations

from dataclasses import dataclass, fields

from shared.config import DelegationRule, RoutingSettings

DIGITS = {"village": 12, "township": 9}
LEVEL_ZH = {"village": "嘎查村", "township": "苏木镇", "banner": "旗", "city": "市"}
RULE_ZH = {"authorise": "上级授权下级", "entrust_upper": "下级委托上级", "entrust_peer": "平级相互委托"}


@dataclass(frozen=True)
class Assignment:
    """The deciding department, its level and unit (a division code; None is the banner department itself)."""
    department: str
    level: str
    unit: str | None
    rule: str
    reason: str
    catalog_department: str
    catalog_level: str

    def as_dict(self) -> dict:
        # its fields are all strings: a shallow copy, not dataclasses.asdict's recursive deep copy
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(Assignment))


@dataclass(frozen=True)
class Taken:
    """Where the case was taken (its taking point), when the case says."""
    region: str
    name: str


def assign(department: str, item_code: str, level: str, region: str, citywide: bool,
           settings: RoutingSettings, taken: Taken | None = None) -> Assignment:
    """Route one item of a case of `region` (taken there, or at `taken`); every branch says why."""
    home = settings.home_region
    if taken is not None and not taken.region.startswith(home):
        return _outside(department, level, taken.region, citywide, home, taken.name)
    if not region.startswith(home):
        return _outside(department, level, region, citywide, home)
    rule = _delegation(settings.delegations, department, item_code, region)
    target_department = (rule.to_department or department) if rule and rule.kind == "entrust_peer" else department
    target_level = rule.to_level if rule and rule.to_level else level
    why = _rule_reason(rule, department, level) if rule else f"目录规定由{LEVEL_ZH[level]}级办理 / catalog level {level}"
    unit = _unit(settings, target_department, target_level, region)
    if target_level != "banner" and unit is None:
        return Assignment(target_department, "banner", None, "no_unit",
                          f"{why}；本案区划 {region} 无对应{LEVEL_ZH[target_level]}级办理单位，由旗级部门办理 / "
                          f"no {target_level} unit for region {region}: decided at banner level",
                          department, level)
    return Assignment(target_department, target_level, unit, rule.kind if rule else "catalog", why,
                      department, level)


def _outside(department: str, level: str, region: str, citywide: bool, home: str, name: str = "") -> Assignment:
    at = f"{name}（{region[:6]}）" if name else region[:6]
    if citywide and region[:4] == home[:4]:
        reason = (f"全市通办：在 {at} 受理，由本旗主管部门办理 / "
                  f"city-wide handling: taken in {at}, decided by the competent department of {home}")
        return Assignment(department, "banner", None, "citywide", reason, department, level)
    reason = (f"受理地 {region[:6]} 不在本旗，由本旗主管部门办理 / "
              f"taken outside {home} ({region[:6]}): decided by the banner department")
    return Assignment(department, "banner", None, "out_of_area", reason, department, level)


def _delegation(rules: list[DelegationRule], department: str, item_code: str,
                region: str) -> DelegationRule | None:
    """The first rule naming the item (or, with no items, its department) for this region."""
    for rule in rules:
        names = item_code in rule.items if rule.items else rule.department == department
        if names and (not rule.regions or any(region.startswith(r) for r in rule.regions)):
            return rule
    return None


def _rule_reason(rule: DelegationRule, department: str, level: str) -> str:
    target = rule.to_department or department
    basis = f"（{rule.basis}）" if rule.basis else ""
    return (f"交互授权·{RULE_ZH[rule.kind]}{basis}：{department}@{level} → {target}@{rule.to_level or level} / "
            f"delegation {rule.kind}: {department}@{level} -> {target}@{rule.to_level or level}")


def _unit(settings: RoutingSettings, department: str, level: str, region: str) -> str | None:
    """The configured unit of `department` at `level` that the case's region falls in."""
    if level == "banner":
        return None
    code = settings.home_region[:4] + "00" if level == "city" else region[:DIGITS[level]]
    if len(code) < DIGITS.get(level, 6):
        return None
    known = {(u.department, u.level, u.region) for u in settings.units}
    return code if (department, level, code) in known else None
