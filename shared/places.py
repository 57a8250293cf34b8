"""Where a case is taken (受理地点): the halls, windows, village service points and bank branches (政银合作) the
deployment names, and whether a matter may be taken there (全市通办: a city-wide matter in any banner of the
city, any other only in its own banner). Pure rules and their configuration, shared by intake (which refuses),
routing (which routes home and flags) and oversight (which counts by taking point)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import problem

PointChannel = Literal["window", "service_point", "bank_branch"]
POINT_KINDS_ZH = {"window": "政务服务大厅窗口", "service_point": "便民服务站点", "bank_branch": "政银合作网点"}


class TakingPoint(BaseModel):
    """One place that takes applications: its code (what front ends send), name (shown), channel and division."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="what a front end sends as taking_point")
    name: str = Field(min_length=1, max_length=100)
    channel: PointChannel = Field(description="the channel a case taken there comes by")
    region: str = Field(pattern=r"^\d{6}(\d{3}(\d{3})?)?$", description="division code of where it stands")

    @property
    def banner(self) -> str:
        return banner_of(self.region)

    def as_record(self) -> dict[str, str]:
        """What the case keeps of it (and events carry): code, name, channel, region and banner."""
        return {"code": self.code, "name": self.name, "channel": self.channel, "region": self.region,
                "banner": self.banner}


def default_points() -> list[TakingPoint]:
    """The shipped points: the banner's hall, a township service point, a bank branch (政银合作), and the hall of
    another Ordos district (a city-wide matter may be taken there, 全市通办)."""
    return [TakingPoint(code="WSQ-HALL", name="乌审旗政务服务大厅", channel="window", region="150626"),
            TakingPoint(code="WSQ-GLT-POINT", name="嘎鲁图镇便民服务站", channel="service_point",
                        region="150626100"),
            TakingPoint(code="WSQ-ABC-BRANCH", name="中国农业银行乌审旗支行", channel="bank_branch",
                        region="150626"),
            TakingPoint(code="DS-HALL", name="东胜区政务服务中心", channel="window", region="150602")]


def banner_of(region: str) -> str:
    """The banner (county) of a division code: its first six digits."""
    return region[:6]


def same_city(region: str, home: str) -> bool:
    return region[:4] == home[:4]


def point_problems(code: str | None, channel: str, points: dict[str, TakingPoint], home: str,
                   citywide: bool) -> list[dict[str, Any]]:
    """Why a case cannot be taken at this point: an unknown one, one of another channel, a matter not city-wide
    taken outside the banner, or any matter taken outside the city. None given: nothing to check."""
    if code is None:
        return []
    point = points.get(code)
    if point is None:
        return [problem("taking_point", "unknown_taking_point", "受理点未登记，请选择本市公布的受理网点",
                        f"taking point {code!r} is not one the deployment names")]
    if point.channel != channel:
        return [problem("taking_point", "channel_mismatch", f"该受理点属于{POINT_KINDS_ZH[point.channel]}渠道",
                        f"taking point {code} takes the {point.channel} channel, not {channel}")]
    if point.banner == home:
        return []
    if not same_city(point.region, home):
        return [problem("taking_point", "outside_city", "该受理点不在本市，无法受理",
                        f"taking point {code} is outside the city of {home}")]
    if not citywide:
        return [problem("taking_point", "not_citywide", f"该事项未纳入全市通办，请到本旗（{home}）办理",
                        f"the matter is not city-wide: it is taken only in banner {home}, not at {point.name} "
                        f"({point.banner})")]
    return []
