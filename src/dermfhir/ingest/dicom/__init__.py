"""DICOM dermatology images in: VL Photographic (XC) and Dermoscopic Photography (DMS) files → Patient,
ImagingStudy, dermatology-image DocumentReference, skin-lesion BodyStructure and the Binary holding each instance;
and the SR / SEG files `dermfhir export dicom-sr / dicom-seg` write → annotations and masks (`derived`).

`read(paths, options, progress)` walks files and folders (every regular file; DICOM files often have no suffix)
and returns an ImportResult like the CSV importers; `run_dicom_import()` validates and writes atomically, with the
same all-or-nothing rule (`--skip-invalid` writes the valid part). A file that is not a supported DICOM image is
a rejected row naming the file and the attribute; DICOMDIR files are skipped.
Files of one study must agree on the patient; one SOP Instance UID in two files is rejected the second time.

Files are parsed (pydicom, header only: `stop_before_pixels`) in one worker process per CPU, in file order; most of
a file's cost is pydicom converting the ~40 attributes read. With `--dicom-store` the workers send back no file
bytes (the file is copied into the folder once everything validated); otherwise they send the bytes the Binary
holds.
Memory: the records of one run are held (no pixels once read), plus the Binaries when instances go into the
Bundle; for very large archives use `--dicom-store` (no Binaries) and import folder by folder.
Not handled: reading over DICOM networking (C-STORE / STOW-RS), multi-frame images.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from dermfhir.ingest._common import Options
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import SourceError
from dermfhir.ingest.dicom import derived, filestore, resources
from dermfhir.ingest.dicom.reader import DicomError, DicomImage, read_image
from dermfhir.ingest.output import write_result
from dermfhir.ingest.pipeline import ImportFailed, Outcome, referring
from dermfhir.ingest.validate import describe, validate_all

__all__ = ["DicomError", "DicomImage", "files", "read", "read_image", "resources", "run_dicom_import"]


def files(paths: Sequence[Path]) -> Iterator[Path]:
    """Every regular file under `paths`, in sorted order (DICOMDIR index files left out)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name.upper() != "DICOMDIR")
        elif path.is_file():
            yield path
        else:
            raise SourceError(path, "no such file or folder")


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    *,
    stored: list[DicomImage] | None = None,
) -> ImportResult:
    """Read every DICOM file of `paths` into the resources of the guide (see the module docstring). With a list
    as `stored`, instances are not made Binaries: their records are appended, for copying into a DICOM folder."""
    result = ImportResult()
    images: list[DicomImage] = []
    owners: dict[str, str] = {}
    seen: dict[str, str] = {}
    annotations: dict[str, dict] = {}
    masks: list[tuple[str | None, dict]] = []
    for kind, found in _read_files(list(files(paths)), keep_data=stored is None):
        result.report.rows_read += 1
        if progress:
            progress(1)
        if kind == "rejected":
            result.report.reject(found)
            continue
        if kind == "derived":
            annotation, mask = found
            if annotation is not None:
                annotations[annotation["id"]] = annotation
            if mask is not None:
                masks.append(mask)
            continue
        image, path = found, found.path
        owner = owners.setdefault(image.study_uid, image.patient_id)
        if owner != image.patient_id:
            result.report.reject(
                DicomError(path, f"{image.patient_id!r} differs from {owner!r} of the same study", "PatientID")
            )
            continue
        if image.sop_instance in seen:
            result.report.reject(
                DicomError(path, f"instance already read from {seen[image.sop_instance]}", "SOPInstanceUID")
            )
            continue
        if stored is None and len(image.data) > filestore.BINARY_LIMIT:
            result.report.reject(
                DicomError(
                    path,
                    f"the instance is {len(image.data):,} bytes: a FHIR Binary holds at most "
                    f"{filestore.BINARY_LIMIT:,} (1 MB of base64); import with --dicom-store DIR",
                )
            )
            continue
        seen[image.sop_instance] = str(path)
        images.append(image)
        result.report.findings[image.modality] += 1
        result.add(resources.patient(image))
        found = resources.lesion(image)
        if found:
            result.add(found)
        result.add(resources.document(image, options.image_base))
        if stored is not None:
            stored.append(image)  # the file is copied from image.path once everything validated
        else:
            result.add(resources.binary(image))
        image.data = b""  # the bytes live in the Binary, or stay in the file: memory holds no pixels
    for study in resources.studies(images).values():
        result.add(study.to_resource())
    for target, document in masks:
        result.add(document)
        owner = (target or "").removeprefix("Observation/")
        if owner in annotations:
            annotations[owner] = derived.attach_mask(annotations[owner], f"DocumentReference/{document['id']}")
    result.add(*annotations.values())
    return result


def _read_file(path: Path, keep_data: bool = True) -> tuple[str, Any]:
    """One file: ("image", DicomImage), ("derived", (annotation, mask)) for an SR or SEG written by dermfhir, or
    ("rejected", DicomError). Without `keep_data` the image record holds only the file's size, not its bytes."""
    try:
        data = path.read_bytes()
        try:
            image = read_image(path, data)
        except DicomError as error:  # not an image this importer takes: maybe an SR or SEG written by dermfhir
            if error.attribute != "SOPClassUID" or derived.sop_class(data) not in derived.SOP_CLASSES:
                raise
            return "derived", derived.read(path, data)
    except DicomError as error:
        return "rejected", error
    except OSError as error:
        return "rejected", DicomError(path, f"cannot be read ({error.strerror or error})")
    if not keep_data:
        image.data = b""
    return "image", image


def _read_files(paths: list[Path], keep_data: bool) -> Iterator[tuple[str, Any]]:
    """`_read_file` of each path, in order: in worker processes (one per CPU) when there are enough files."""
    jobs = os.cpu_count() or 1
    if jobs < 2 or len(paths) < 32 or "fork" not in multiprocessing.get_all_start_methods():
        for path in paths:
            yield _read_file(path, keep_data)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(partial(_read_file, keep_data=keep_data), paths, chunksize=8)


def run_dicom_import(
    paths: Sequence[Path],
    out: Path,
    options: Options,
    *,
    ndjson: bool = False,
    skip_invalid: bool = False,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    dicom_store: Path | None = None,
) -> Outcome:
    """Read, validate and write (atomically) like `run_import`; ImportFailed (nothing written) on invalid output.
    With `dicom_store`, the instances are written into that folder (`filestore`) once everything validated."""
    stored: list[DicomImage] | None = [] if dicom_store is not None else None
    result = read(paths, options, (lambda n: progress("read", n, 0)) if progress else None, stored=stored)
    if options.strict and result.report.rejected:
        raise ImportFailed(f"{len(result.report.rejected)} file(s) rejected (--strict)", result, {})
    resources_ = result.resources
    if progress:
        progress("validate", 0, len(resources_))
    errors = validate_all(resources_, jobs, (lambda n: progress("validate", n, 0)) if progress else None)
    invalid = {(r["resourceType"], r["id"]): issues for r, issues in zip(resources_, errors, strict=True) if issues}
    if invalid and not skip_invalid:
        raise ImportFailed(f"{len(invalid)} resource(s) do not validate", result, invalid)
    if invalid:
        dependants = referring(resources_, set(invalid))
        result.remove(set(invalid) | set(dependants))
        for (kind, id), issues in invalid.items():
            result.report.reject("; ".join(describe(i) for i in issues[:3]), f"{kind}/{id}")
        for (kind, id), target in dependants.items():
            result.report.reject(f"refers to the rejected {target}", f"{kind}/{id}")
    outcome = Outcome(result, invalid=invalid)
    if dicom_store is not None and stored:
        kept = {r["id"] for r in result.resources if r["resourceType"] == "DocumentReference"}
        for image in stored:
            if image.sop_instance in kept:
                data = Path(image.path).read_bytes()
                filestore.put(dicom_store, image.study_uid, image.series_uid, image.sop_instance, data)
    outcome.written = write_result(out, result.resources, ndjson)
    return outcome
