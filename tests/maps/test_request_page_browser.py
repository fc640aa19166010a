"""The officer's request page in Chromium: the findings annex and the neighbourhood map draw
with nothing from outside, and a hostile override reason is shown as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.auth.operations import create_user
from core.db import db
from maps.browser import sign_in, wait_until_drawn
from permits.operations import create_requests
from permits.workflow import apply_transition
from shoots.models import Production, ProductionType
from shoots.operations.shoots import override_warning
from tests.conftest import PASSWORD
from tests.maps.conftest import HOSTILE
from tests.maps.test_maps_browser import PATHS, assert_clean
from tests.permits.conftest import pdf_bytes
from tests.permits.test_request_findings import SIDE_M, add_shoot, square


def test_request_page_shows_findings_and_neighbours(page, server, world):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    coordinator = create_user(db.session, "claire@browser.test", "coordinator", password=PASSWORD)
    rival = create_user(db.session, "rival@browser.test", "coordinator", password=PASSWORD)
    ours = Production(title="Le Fleuve", type=ProductionType.FEATURE, company="A",
                      coordinators=[coordinator])  # fmt: skip
    theirs = Production(title="Brume-Secrete", type=ProductionType.SERIES, company="B",
                        coordinators=[rival])  # fmt: skip
    shoot = add_shoot(ours, square(0), start)
    near = add_shoot(theirs, square(SIDE_M + 99.8), start)
    override_warning(db.session, coordinator, shoot, "nearby_set", f"shoot:{near.id}", HOSTILE)
    (permit,) = create_requests(db.session, ours, [shoot.id], coordinator)
    permit.insurance_filename, permit.insurance_pdf = "insurance.pdf", pdf_bytes()
    apply_transition(db.session, permit.id, "submit", coordinator)
    db.session.commit()

    sign_in(page, server, world.officer, PASSWORD)
    page.goto(f"{server}/permits/{permit.id}")
    wait_until_drawn(page)
    page.wait_for_load_state("networkidle")
    annex = page.locator(f"#findings-{shoot.id}")
    assert re.search(r"99[.,]8 m", annex.inner_text())  # in the page's language's style
    assert annex.locator("q").inner_text() == HOSTILE  # the reason, literally
    assert "Brume-Secrete" not in page.inner_text("body")
    assert page.locator(f"#neighbourhood ~ * {PATHS}").count() == 2  # ours and the neighbour
    assert_clean(page)
