"""The five reductions (减时限/减环节/减材料/减成本/减跑动) of a matter, before vs after bundling."""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, computed_field

from shared.i18n import N_

from .catalog import Catalog
from .forms import merged_form
from .limits import limits
from .materials import material_list


class Reduction(BaseModel):
    """One measure: item by item (`before`) versus as one matter (`after`)."""

    model_config = ConfigDict(frozen=True)
    label: str
    unit: str
    before: float
    after: float

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented idiom
    @property
    def saved(self) -> float:
        return self.before - self.after


class Reductions(BaseModel):
    model_config = ConfigDict(frozen=True)
    matter: str
    time: Reduction
    steps: Reduction
    form_fields: Reduction
    materials: Reduction
    cost: Reduction
    visits: Reduction

    def rows(self) -> list[Reduction]:
        return [self.time, self.steps, self.form_fields, self.materials, self.cost, self.visits]


def reductions(catalog: Catalog, matter_code: str, situations: Iterable[str] = ()) -> Reductions:
    """Before: each item applied for separately, every material brought to each department.

    After: one application and form; only materials no registry or department shares are submitted.
    """
    situations = list(situations)
    matter = catalog.matter(matter_code)
    items = catalog.items_for(matter_code, situations)
    entries = material_list(catalog, matter_code, situations)
    fees = round(sum(item.fee for item in items), 2)
    return Reductions(
        matter=matter_code,
        time=Reduction(label=N_("减时限"), unit=N_("工作日"),
                       before=limits(catalog, matter_code, situations).summed_days, after=matter.promised_days),
        steps=Reduction(label=N_("减环节"), unit=N_("次申请"), before=len(items), after=1),
        form_fields=Reduction(label=N_("一表申请"), unit=N_("项填报内容"), before=sum(len(i.fields) for i in items),
                              after=len(merged_form(catalog, matter_code, situations)["properties"])),
        materials=Reduction(label=N_("减材料"), unit=N_("份需提交材料"), before=sum(len(i.materials) for i in items),
                            after=sum(1 for entry in entries if entry.applicant_supplies)),
        cost=Reduction(label=N_("减成本"), unit=N_("元"), before=fees, after=0 if matter.fees_waived else fees),
        visits=Reduction(label=N_("减跑动"), unit=N_("次"), before=matter.visits_before, after=matter.visits_after),
    )
