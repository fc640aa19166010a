"""What a request's page and API show of its commune's rules: the activities declared, the
notice they add or the fast track, each required document and whether one covers the shoot
days, each service to copy and whether the directory has a mailbox for it. It reads the owners
(permits.requirements, permits.documents, permits.services); the submission check reads them
too, so the page says exactly what submitting would refuse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from permits import documents, requirements, services
from permits.models import CommuneService, ComplianceDocument, PermitRequest


@dataclass(frozen=True)
class DocumentNeed:
    kind: str
    covered: bool


@dataclass(frozen=True)
class ServiceNeed:
    kind: str
    service: CommuneService | None  # None: the commune's directory has none of this kind

    @property
    def reachable(self) -> bool:
        return self.service is not None and bool(self.service.email)


@dataclass(frozen=True)
class Checklist:
    needs: requirements.Requirements
    documents: tuple[DocumentNeed, ...]
    services: tuple[ServiceNeed, ...]
    uploaded: tuple[ComplianceDocument, ...]  # every document that may serve the request
    covering: frozenset[int]  # the ids of those that cover its shoot days

    @property
    def complete(self) -> bool:
        return all(need.covered for need in self.documents)


def checklist(session: Session, permit: PermitRequest) -> Checklist:
    needs = requirements.requirements_for(session, permit)
    directory = services.services_of(session, permit.commune_nis)
    uploaded = documents.documents_of(session, permit)
    days = documents.shoot_days(session, permit)
    missing = set(documents.uncovered(needs.documents, uploaded, days))
    return Checklist(
        needs=needs,
        documents=tuple(DocumentNeed(kind, kind not in missing) for kind in needs.documents),
        services=tuple(ServiceNeed(kind, directory.get(kind)) for kind in needs.services),
        uploaded=tuple(uploaded),
        covering=frozenset(doc.id for doc in uploaded if documents.covers(doc, days)),
    )
