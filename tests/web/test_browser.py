"""The viewer in a real browser (Chromium, headless): overlays on an image, the AI badge and its Provenance,
keyboard-only use, escaping of data, and signing in with a token that limits what is shown."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import PATIENT, PATIENT_TOKEN

expect = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=20_000)  # a loaded CI machine: waits are for readiness, not speed

IMAGE = "demo-p01-l1-v1-img"  # first visit: an expert annotation (box, outline, mask) and an AI prediction
FHIR = {"Content-Type": "application/fhir+json"}


def ready(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", timeout=15_000)


def test_image_view_draws_every_overlay_and_badges_ai(server, page) -> None:
    ready(page, f"{server.url}/ui/image/{IMAGE}")
    overlay = page.locator("svg.overlay")
    assert overlay.locator("g.annotation.human rect.box").count() >= 1
    prediction_id = IMAGE.replace("-img", "-ai")
    assert overlay.locator(f"g.annotation.ai[data-observation='{prediction_id}'] rect.box").count() == 1
    assert overlay.locator("polygon.outline").count() >= 1
    assert overlay.locator("g.mask rect").count() >= 1
    assert overlay.locator("g.heatmap image").count() == 1
    # the image behind the overlays is the real image, decoded
    assert page.evaluate("document.querySelector('img.base').naturalWidth") == 480
    # toggles hide and show each kind of region
    page.get_by_label("Bounding boxes").uncheck()
    assert overlay.locator("rect.box").first.is_hidden()
    page.get_by_label("Heatmaps").uncheck()
    assert overlay.locator("g.heatmap").first.is_hidden()
    page.get_by_label("Bounding boxes").check()
    assert overlay.locator("rect.box").first.is_visible()
    # findings with SNOMED CT and ISIC codes; the AI prediction badged, linking to its Provenance
    findings = page.locator("#findings")
    assert findings.locator(".code .system", has_text="ISIC class").count() >= 2
    badge = findings.locator(f"li#observation-{IMAGE.replace('-img', '-ai')} a.badge.ai")
    assert badge.inner_text() == "AI-generated"
    assert badge.get_attribute("href") == f"#provenance-{IMAGE.replace('-img', '-ai')}"
    badge.click()
    trail = page.locator(f"#provenance-{IMAGE.replace('-img', '-ai')}")
    expect(trail).to_have_attribute("open", "")  # opened by the page's hashchange handler, after the click returns
    assert "Provenance/" in trail.inner_text() and "DermAI Classifier 2.1" in trail.inner_text()
    # human annotations carry no AI badge
    assert findings.locator(f"li#observation-{IMAGE.replace('-img', '-expert')} a.badge").count() == 0
    # the prediction panel: one bar per class, summing to about 100 %, model and model card
    bars = page.locator("#prediction .bars li")
    assert bars.count() == 5
    total = sum(float(bars.nth(i).locator(".bar-value").inner_text().split()[0]) for i in range(5))
    assert abs(total - 100) < 0.5
    assert page.locator("#prediction a", has_text="model card").get_attribute("href").endswith("#card-demo-dermai-2-1")
    assert page.problems == []


def test_list_filters_on_the_server(server, page) -> None:
    page.goto(f"{server.url}/")  # a browser at the root is sent to the viewer
    page.wait_for_selector("#results tbody tr td a")
    assert page.url == f"{server.url}/ui/"
    page.select_option("#f-source", "ai")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelector('#status').textContent.includes('shown')")
    rows = page.locator("#results tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        assert rows.nth(index).locator("a.badge.ai").inner_text() == "AI-generated"
    assert "source=ai" in page.url
    page.select_option("#f-source", "human")
    page.click("#filters button[type=submit]")
    page.wait_for_function("!document.querySelector('#results a.badge')")
    assert page.locator("#results tbody tr").count() > 0
    assert page.problems == []


def test_keyboard_alone_reaches_an_image_and_toggles_overlays(server, page) -> None:
    page.goto(f"{server.url}/ui/")
    page.wait_for_selector("#results tbody tr td a")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):  # through the filters to the first image link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#results') !== null"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')").startswith("/ui/image/")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-ready='true']", timeout=15_000)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "t-boxes":
            break
    assert page.evaluate("document.activeElement.id") == "t-boxes"
    page.keyboard.press("Space")
    assert page.locator("svg.overlay rect.box").first.is_hidden()
    # focus is visible: the focused element gets an outline
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_data_is_shown_as_text_never_run(server, page) -> None:
    hostile = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
    annotation = {
        "resourceType": "Observation",
        "id": "hostile-finding",
        "status": "final",
        "code": {"text": "annotation"},
        "subject": {"reference": f"Patient/{PATIENT}"},
        "performer": [{"reference": "Practitioner/demo-dermatologist"}],
        "derivedFrom": [{"reference": f"DocumentReference/{IMAGE}"}],
        "method": {"text": hostile},
        "component": [
            {
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "106076001"}]},
                "valueCodeableConcept": {"text": hostile},
            }
        ],
    }
    response = httpx.put(f"{server.url}/Observation/hostile-finding", json=annotation, headers=FHIR, timeout=30)
    assert response.status_code in (200, 201), response.text
    ready(page, f"{server.url}/ui/image/{IMAGE}")
    item = page.locator("#observation-hostile-finding")
    assert item.locator(".concept .label").inner_text() == hostile
    assert hostile in item.inner_text()
    assert page.evaluate("window.pwned") is None
    assert page.locator("#findings script, #findings img").count() == 0
    assert page.problems == []


def test_token_sign_in_shows_only_what_the_scopes_allow(token_server, page) -> None:
    page.goto(f"{token_server.url}/ui/")
    page.wait_for_url("**/ui/signin?next=*")
    page.fill("#token", "not-a-token-0000000000")
    page.click("#signin button[type=submit]")
    expect(page.locator("#signin-error")).to_have_text("The server did not accept this token.")
    page.fill("#token", PATIENT_TOKEN)
    page.click("#signin button[type=submit]")
    page.wait_for_url(f"{token_server.url}/ui/")
    page.wait_for_selector("#results tbody tr td a")
    patients = page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert patients and set(patients) == {PATIENT}
    # the patient's own image shows, with its thumbnail fetched with the token
    page.wait_for_function("[...document.querySelectorAll('.thumb img')].some((i) => i.naturalWidth > 0)")
    # another patient's image is refused, and the page says so
    page.goto(f"{token_server.url}/ui/image/demo-p02-l1-v1-img")
    page.wait_for_selector("body[data-ready='error']")
    assert (
        "No granted scope allows read on DocumentReference/demo-p02-l1-v1-img" in page.locator("#status").inner_text()
    )
    assert page.locator("img.base").count() == 0


def review_first_task(page, url: str, reviewer: str) -> str:
    """Open the review console as `reviewer`, pick the first queued prediction and claim it; its id."""
    page.goto(f"{url}/ui/review")
    page.wait_for_selector("body[data-ready='true']")
    page.wait_for_selector(f"#reviewer option[value='{reviewer}']", state="attached")
    page.select_option("#reviewer", reviewer)
    page.locator("#tasks button").first.click()
    page.wait_for_selector("#claim")
    prediction = page.locator("#work svg.overlay g.annotation").first.get_attribute("data-observation")
    page.click("#claim")
    expect(page.locator("#claim")).to_have_text("Release")
    return str(prediction)


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server.url, headers={"Accept": "application/fhir+json"}, timeout=30) as client:
        yield client


def test_review_console_confirms_and_corrects_with_provenance(server, api, page) -> None:
    prediction = review_first_task(page, server.url, "Practitioner/demo-clinician")
    page.click("#confirm")
    result = page.locator("#result-annotation")
    expect(result).to_be_visible()
    annotation_id = result.get_attribute("data-observation")
    assert result.locator("a.badge.ai").inner_text() == "AI-assisted"
    assert "verifier" in result.inner_text().lower()
    # through the REST API: the annotation, its Provenance and the completed Task exist
    annotation = api.get(f"/Observation/{annotation_id}").json()
    assert annotation["method"]["coding"][0]["code"] == "ai-assisted-confirmed"
    assert annotation["status"] == "final"
    assert any(label["code"] == "AIAST" for label in annotation["meta"]["security"])
    assert {"reference": f"Observation/{prediction}"} in annotation["derivedFrom"]
    assert annotation["performer"] == [{"reference": "Practitioner/demo-clinician"}]
    trail = api.get("/Provenance", params={"target": f"Observation/{annotation_id}"}).json()
    agents = {a["who"]["reference"] for e in trail["entry"] for a in e["resource"]["agent"]}
    assert {"Practitioner/demo-clinician", "Device/demo-dermai-2-1"} <= agents
    entities = {e2["what"]["reference"] for e in trail["entry"] for e2 in e["resource"].get("entity", [])}
    assert f"Observation/{prediction}" in entities
    tasks = api.get("/Task", params={"focus": f"Observation/{prediction}"}).json()
    assert [e["resource"]["status"] for e in tasks["entry"]] == ["completed"]
    # the prediction left the queue
    expect(page.locator(f"#tasks button[data-item='{tasks['entry'][0]['resource']['id']}']")).to_have_count(0)

    # correct the next one: a finding from the guide's value set and a box typed with the keyboard
    second = review_first_task(page, server.url, "Practitioner/demo-clinician")
    assert second != prediction
    page.click("#correct")
    page.wait_for_selector("#finding option[value*='|372244006|']", state="attached")
    value = page.locator("#finding option[value*='|372244006|']").first.get_attribute("value")
    page.select_option("#finding", value)
    for field, number in (("#box-x", "10"), ("#box-y", "20"), ("#box-w", "100"), ("#box-h", "80")):
        page.fill(field, number)
    page.fill("#outline", "10 20 110 20 110 100 10 100")
    page.click("#save-correction")
    result = page.locator("#result-annotation")
    expect(result).to_be_visible()
    corrected = api.get(f"/Observation/{result.get_attribute('data-observation')}").json()
    assert corrected["method"]["coding"][0]["code"] == "ai-assisted-corrected"
    codes = [
        c["valueCodeableConcept"]["coding"][0]["code"] for c in corrected["component"] if "valueCodeableConcept" in c
    ]
    assert "372244006" in codes
    data = [c["valueSampledData"]["data"] for c in corrected["component"] if "valueSampledData" in c]
    assert "10 20 100 80" in data and "10 20 110 20 110 100 10 100" in data
    original = api.get(f"/Observation/{second}").json()
    assert original["status"] == "preliminary"  # the AI's own prediction is kept unchanged
    assert page.problems == []


def test_review_console_rejects_and_qa_approves(server, api, page) -> None:
    prediction = review_first_task(page, server.url, "Practitioner/demo-clinician")
    page.click("#reject")
    page.fill("#reject-reason", "not a lesion: <b>hair</b>")
    page.click("#confirm-reject")
    expect(page.locator("#result h3")).to_contain_text("Rejected")
    rejected = api.get(f"/Observation/{prediction}").json()
    assert rejected["status"] == "cancelled"
    task = api.get("/Task", params={"focus": f"Observation/{prediction}"}).json()["entry"][0]["resource"]
    assert (task["status"], task["businessStatus"]["coding"][0]["code"]) == ("completed", "rejected")

    # QA: another, more senior reviewer approves an AI-assisted annotation made by the clinician
    page.select_option("#reviewer", "Practitioner/demo-qa")
    page.click("#tab-qa")
    page.locator("#tasks button").first.click()
    page.wait_for_selector("#qa-approve")
    annotation = page.locator("#tasks button[aria-pressed='true']").get_attribute("data-item")
    page.fill("#qa-comment", "region and finding agree")
    page.click("#qa-approve")
    expect(page.locator("#result-annotation")).to_be_visible()
    stored = api.get(f"/Observation/{annotation}").json()
    qa = [c for c in stored["component"] if c["code"]["coding"][0]["code"] == "qa-review-status"]
    assert qa and qa[0]["valueCodeableConcept"]["coding"][0]["code"] == "approved"
    trail = api.get("/Provenance", params={"target": f"Observation/{annotation}"}).json()
    verifiers = {
        a["who"]["reference"]
        for e in trail["entry"]
        for a in e["resource"]["agent"]
        if a["type"]["coding"][0]["code"] == "verifier"
    }
    assert "Practitioner/demo-qa" in verifiers
    # the approved annotation left the QA list
    expect(page.locator(f"#tasks button[data-item='{annotation}']")).to_have_count(0)
    assert page.problems == []


def test_model_dashboard_shows_the_server_figures(server, api, page) -> None:
    figures = api.get("/Device/demo-dermai-2-1/$performance").json()["parameter"]
    value = {p["name"]: p.get("valueDecimal", p.get("valueInteger")) for p in figures}
    ready(page, f"{server.url}/ui/models")
    section = page.locator("#device-demo-dermai-2-1")
    assert "figures from the server's $performance" in section.inner_text()
    assert page.locator("#override-demo-dermai-2-1").inner_text() == f"{value['overrideRate'] * 100:.1f} %"
    cells = section.locator("table.matrix[aria-label='Confusion matrix'] tbody td").all_inner_texts()
    assert sum(int(cell) for cell in cells) == value["labelled"] > 0
    assert section.locator("svg[aria-label^='Calibration'] circle").count() >= 1
    assert "DermAI Classifier 2.1 (demo)" in page.locator("#card-demo-dermai-2-1").inner_text()
    assert page.problems == []


def test_lesion_timeline_orders_visits_and_highlights_changes(server, api, page) -> None:
    from dermfhir.builders import DermatologyImageAnnotation
    from dermfhir.demo.dataset import concept

    # the first visit's reading: the latest final annotation made by a person (AI-assisted ones included)
    bundle = api.get("/Observation", params={"derived-from": "DocumentReference/demo-p03-l1-v1-img"}).json()
    readings = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["method"]["coding"][0]["code"] != "ai-inference" and e["resource"]["status"] == "final"
    ]
    first = max(readings, key=lambda r: r["effectiveDateTime"])
    box = next(c for c in first["component"] if c["code"]["coding"][0]["code"] == "bounding-boxes")
    x, y, w, h = (float(n) for n in box["valueSampledData"]["data"].split())
    # a dermatologist's reading of the middle visit: melanoma, on a region half as large again
    middle = DermatologyImageAnnotation(
        "timeline-middle",
        subject="Patient/demo-p03",
        image="DocumentReference/demo-p03-l1-v2-img",
        findings=[concept("MEL")],
        method="expert-annotation",
        performer=["Practitioner/demo-dermatologist"],
        lesion="BodyStructure/demo-p03-l1",
        effective="2025-09-15T12:00:00Z",
        bounding_boxes=[(x, y, w * 1.5, h)],
        image_size=(480, 360),
    ).to_resource()
    assert api.put("/Observation/timeline-middle", json=middle, headers=FHIR).status_code in (200, 201)
    ready(page, f"{server.url}/ui/lesion/demo-p03-l1")
    visits = page.locator("#timeline > li")
    assert [visits.nth(i).get_attribute("data-image") for i in range(visits.count())] == [
        "demo-p03-l1-v1-img",
        "demo-p03-l1-v2-img",
        "demo-p03-l1-v3-img",
    ]
    assert "changed" not in (visits.nth(0).get_attribute("class") or "")
    second = visits.nth(1)
    assert "changed" in second.get_attribute("class")
    assert "finding changed: Melanocytic nevus → Melanoma" in second.inner_text()
    assert "region grew by 50 %" in second.inner_text()
    third = visits.nth(2)  # back to a nevus of the first size: the finding changed again, the region did not grow
    assert "finding changed: Melanoma → Melanocytic nevus" in third.inner_text()
    assert "region grew" not in third.inner_text()
    assert page.problems == []
