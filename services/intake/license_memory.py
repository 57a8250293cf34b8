"""Intake's memory of the licenses holders earned follows the registry: a revoked license is forgotten (reuse
never takes it: the material is asked again, or fetched from a library), a replacement takes its old one's place,
a correction of the validity is followed."""
from __future__ import annotations

from shared.events import LicenseChanged
from shared.messaging import UnitOfWork


def follow_license_changes(uow: UnitOfWork, events: list[LicenseChanged]) -> None:
    """Only licenses intake remembers (earned by its cases, for the applicant) are concerned."""
    for event in events:
        p = event.payload
        known = uow.cases.remembered_license(p.number)
        if known is None:
            continue
        if p.action == "corrected":
            uow.cases.forget_license(p.number)
            uow.cases.remember_license(p.number, known.holder_id, known.license_type, p.valid_until)
            continue
        uow.cases.forget_license(p.number)
        if p.action == "replaced" and p.replaced_by:
            uow.cases.remember_license(p.replaced_by, known.holder_id, known.license_type, p.valid_until)
