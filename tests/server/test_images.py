"""Image bytes behind DocumentReference / Media: resolved from inline data or a Binary on this server, served with
the content type of what they are, thumbnails made once per version, and the same scopes as the resources."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from dermfhir.server.images import THUMBNAIL_SIZE
from tests.server.conftest import FHIR

ADMIN, PATIENT_A, NO_BINARY, OBS_ONLY = ("a" * 32, "p" * 32, "d" * 32, "o" * 32)


def encoded(kind: str = "JPEG", size: tuple[int, int] = (640, 480), mode: str = "RGB") -> str:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(out, kind)
    return base64.b64encode(out.getvalue()).decode()


def binary(id: str, data: str, content_type: str = "image/jpeg", patient: str | None = None) -> dict:
    found = {"resourceType": "Binary", "id": id, "contentType": content_type, "data": data}
    if patient:
        found["securityContext"] = {"reference": f"Patient/{patient}"}
    return found


def image(id: str, patient: str, **attachment: object) -> dict:
    return {
        "resourceType": "DocumentReference",
        "id": id,
        "status": "current",
        "subject": {"reference": f"Patient/{patient}"},
        "content": [{"attachment": {"contentType": "image/jpeg", **attachment}}],
    }


def media(id: str, patient: str, data: str) -> dict:
    return {
        "resourceType": "Media",
        "id": id,
        "status": "completed",
        "subject": {"reference": f"Patient/{patient}"},
        "content": {"contentType": "image/png", "data": data},
    }


def put(client, resource: dict, headers: dict | None = None) -> None:
    response = client.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=headers or FHIR)
    assert response.status_code in (200, 201), response.text


@pytest.fixture
def stored(client):
    for identifier in ("pa", "pb"):
        put(client, {"resourceType": "Patient", "id": identifier})
    put(client, binary("bin-a", encoded()))
    put(client, image("img-a", "pa", url="Binary/bin-a"))
    put(client, image("img-inline", "pa", data=encoded("PNG", (300, 100))))
    put(client, binary("bin-b", encoded()))
    put(client, image("img-b", "pb", url="Binary/bin-b"))
    put(client, media("media-a", "pa", encoded("PNG", (50, 40), "1")))
    return client


def test_image_from_binary_with_its_real_content_type(stored) -> None:
    response = stored.get("/images/DocumentReference/img-a")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert Image.open(io.BytesIO(response.content)).size == (640, 480)
    # the attachment claims image/jpeg, but inline bytes are PNG: the server says what they are
    inline = stored.get("/images/DocumentReference/img-inline")
    assert inline.headers["content-type"] == "image/png"
    assert stored.get("/images/Media/media-a").headers["content-type"] == "image/png"


def test_thumbnail_is_small_made_once_and_follows_new_versions(stored) -> None:
    first = stored.get("/images/DocumentReference/img-a/thumbnail")
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(first.content)).size) == THUMBNAIL_SIZE
    cache = stored.app.state.thumbnails
    made = cache.made
    again = stored.get("/images/DocumentReference/img-a/thumbnail")
    assert again.content == first.content and cache.made == made  # from the cache
    unchanged = {"If-None-Match": first.headers["etag"]}
    assert stored.get("/images/DocumentReference/img-a/thumbnail", headers=unchanged).status_code == 304
    # a new version of the Binary gives a new thumbnail
    put(stored, binary("bin-a", encoded(size=(100, 400))))
    changed = stored.get("/images/DocumentReference/img-a/thumbnail")
    assert changed.headers["etag"] != first.headers["etag"] and cache.made == made + 1
    assert Image.open(io.BytesIO(changed.content)).size == (64, 256)
    # a 1-bit mask stays a lossless PNG
    assert stored.get("/images/Media/media-a/thumbnail").headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        (image("x", "pa", url="https://example.org/evil.jpg"), 404),  # never fetched
        (image("x", "pa", url="ISIC_0000001.jpg"), 404),  # a file name this server does not hold
        (image("x", "pa", url="Binary/missing"), 404),
        (image("x", "pa", url="Binary/../Patient/pa"), 404),
        (image("x", "pa", data="bm90IGFuIGltYWdl"), 422),  # "not an image"
        (image("x", "pa", data=base64.b64encode(b"<html><script>alert(1)</script></html>").decode()), 422),
        (image("x", "pa", data=base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"/>').decode()), 422),
        ({"resourceType": "DocumentReference", "id": "x", "status": "current", "content": []}, 404),
    ],
)
def test_what_cannot_be_shown_is_refused_with_an_outcome(client, resource: dict, status: int) -> None:
    put(client, {"resourceType": "Patient", "id": "pa"})
    if resource.get("content"):
        put(client, resource)
    else:  # an empty content list does not validate: store it unchecked, as an older version might be
        client.app.state.services.store.update(resource)
    for size in ("", "/thumbnail"):
        response = client.get(f"/images/DocumentReference/x{size}")
        assert response.status_code == status, response.text
        assert response.json()["resourceType"] == "OperationOutcome"


def test_only_image_holders_and_known_sizes(stored) -> None:
    assert stored.get("/images/Patient/pa").status_code == 404
    assert stored.get("/images/DocumentReference/img-a/huge").status_code == 404
    assert stored.get("/images/DocumentReference/nothing-here").status_code == 404


@pytest.fixture
def secured(make_client, tmp_path: Path):
    path = tmp_path / "tokens.json"
    tokens = [
        {"token": ADMIN, "subject": "admin", "scope": "system/*.cruds"},
        {"token": PATIENT_A, "subject": "app", "scope": "patient/*.rs", "patient": "pa"},
        {"token": NO_BINARY, "subject": "docs", "scope": "user/DocumentReference.rs"},
        {"token": OBS_ONLY, "subject": "obs", "scope": "user/Observation.rs user/Binary.rs"},
    ]
    path.write_text(json.dumps({"tokens": tokens}))
    client = make_client(auth="token", tokens_file=path)
    admin = {"Authorization": f"Bearer {ADMIN}", **FHIR}
    for identifier in ("pa", "pb"):
        put(client, {"resourceType": "Patient", "id": identifier}, admin)
    put(client, binary("bin-a", encoded(), patient="pa"), admin)
    put(client, image("img-a", "pa", url="Binary/bin-a"), admin)
    put(client, binary("bin-b", encoded(), patient="pb"), admin)
    put(client, image("img-b", "pb", url="Binary/bin-b"), admin)
    put(client, image("img-inline", "pa", data=encoded("PNG")), admin)
    return client


def get(client, path: str, token: str | None):
    return client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_images_need_the_scopes_of_their_resources(secured) -> None:
    assert get(secured, "/images/DocumentReference/img-a", None).status_code == 401
    assert get(secured, "/images/DocumentReference/img-a", "wrong" * 5).status_code == 401
    assert get(secured, "/images/DocumentReference/img-a", ADMIN).status_code == 200
    # a patient-scoped app sees its own patient's images, not another patient's
    assert get(secured, "/images/DocumentReference/img-a/thumbnail", PATIENT_A).status_code == 200
    assert get(secured, "/images/DocumentReference/img-b", PATIENT_A).status_code == 403
    assert get(secured, "/images/DocumentReference/img-b/thumbnail", PATIENT_A).status_code == 403
    # a Binary without securityContext is outside every patient's data: a patient scope never reads it
    put(secured, binary("bin-loose", encoded()), {"Authorization": f"Bearer {ADMIN}", **FHIR})
    put(secured, image("img-loose", "pa", url="Binary/bin-loose"), {"Authorization": f"Bearer {ADMIN}", **FHIR})
    assert get(secured, "/images/DocumentReference/img-loose", PATIENT_A).status_code == 403
    # reading the DocumentReference is not enough when the bytes are a Binary the token may not read
    assert get(secured, "/images/DocumentReference/img-a", NO_BINARY).status_code == 403
    assert get(secured, "/images/DocumentReference/img-inline", NO_BINARY).status_code == 200
    # and reading the Binary is not enough without the DocumentReference
    assert get(secured, "/images/DocumentReference/img-a", OBS_ONLY).status_code == 403
    refused = get(secured, "/images/DocumentReference/img-b", PATIENT_A).json()
    assert refused["issue"][0]["code"] == "forbidden"
