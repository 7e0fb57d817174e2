#!/usr/bin/env python3
"""Generate the ISIC / HAM10000 / Derm7pt vocabularies of the IG as FSH, and the ISIC mapping page.

Reads (from the public dataset folder given by ``--data``, default ``../shared/data/real`` relative to the
repository root):

- ``isic_diagnosis_hierarchy.csv``: the ISIC hierarchical diagnosis (418 values, 5 levels);
- ``isic_anatom_site_hierarchy.csv``: the ISIC hierarchical anatomic site (206 values);
- ``isic_metadata_field_enums.json``: ISIC metadata enums (``DiagnosisConfirmTypeEnum``,
  ``AnatomSiteSpecialEnum``);
- ``ISIC_2019_Training_Metadata.csv`` and ``ISIC_2019_Test_Metadata.csv``: the ``anatom_site_general`` values;
- ``ISIC_2019_Training_GroundTruth.csv`` and ``ISIC2018_Task3_Test_GroundTruth.csv``: the challenge class columns;
- ``HAM10000_metadata.csv``: ``dx``, ``dx_type`` and ``localization`` values;
- ``derm7pt_meta.csv``: the seven-point checklist criteria columns and their values, and ``location``;
- ``isic_archive_masterFeatures.json``: the ISIC Archive dermoscopic feature taxonomy (176 terms);
- ``ig/sushi-config.yaml``: the canonical base and the version.

Writes:

- ``ig/input/fsh/generated/CS_*.fsh``: one CodeSystem per vocabulary (case-sensitive, complete, hierarchical
  where the source is);
- ``ig/input/fsh/generated/VS_*.fsh``: one ValueSet per CodeSystem, same id, all codes;
- ``ig/input/fsh/generated/CM_*.fsh``: R4 ConceptMaps from these vocabularies to SNOMED CT;
- ``ig/input/pagecontent/isic-mapping.md``: the mapping narrative page with one table per ConceptMap.

The SNOMED CT mapping tables are hand-curated data in this file (``SNOMED``, ``*_MAP``): every target code is
one that the project's terminology notes list with a cited source (SNOMED CT codes of the published guide,
eHDSI value sets, DICOM PS3.16 context groups, a third-party picklist), each row naming its source key.
Values whose hierarchical ancestor is mapped, and which have no row of their own, inherit the ancestor's target
with equivalence ``wider``; an explicit ``unmatched`` row stops that inheritance for its subtree.

What it does not do: it does not look codes up in SNOMED CT or any terminology server, so it cannot check that
a target code is active, that its display is the preferred term, or that a ``wider`` target really subsumes the
source; it does not invent SNOMED CT codes (a value without a sourced concept is ``unmatched``); it does not map
the dermoscopic-feature vocabularies (no SNOMED CT or DICOM codes were found for dermoscopic structures); it
does not validate the FSH (run SUSHI for that); and it never copies the dataset rows themselves into the
repository: only the vocabulary values.

Usage::

    python ig/generate/isic_vocabularies.py [--data ../shared/data/real] [--out ig/input/fsh/generated]
                                            [--page ig/input/pagecontent/isic-mapping.md] [--check]

Python 3.11, standard library only. Output is deterministic: the same input gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = "ig/generate/isic_vocabularies.py"
REPO_ROOT = Path(__file__).resolve().parents[2]
SNOMED_SYSTEM = "http://snomed.info/sct"
COMPLETION = "Completion: not in the published guide 0.1.0."
NO_CONCEPT = "No SNOMED CT concept found in the cited sources."

# FHIR R4 `code`: no leading/trailing whitespace, single internal whitespace characters.
CODE_RE = re.compile(r"^[^\s]+( [^\s]+)*$")

# --------------------------------------------------------------------------------------------------------------
# Curated data: SNOMED CT targets (only codes with a cited source; never rows marked CONFLICT)
# --------------------------------------------------------------------------------------------------------------

# Source keys, as used in the project's terminology notes.
SOURCE_KEYS: dict[str, str] = {
    "the guide": "The published Dermatology Image Annotation IG 0.1.0 (its example ExampleMelanomaAnnotation "
    "uses 372244006 for melanoma).",
    "eHDSI-M": "HL7 Europe eHDSI Morphologic Abnormality value set 8.1.0 (SNOMED CT morphologic abnormalities, "
    "expansion from tx.fhir.org, SNOMED CT International 2025-02-01); github hl7-eu/EHDSI-Terminology-package "
    "@6d9a71a4.",
    "eHDSI-B": "HL7 Europe eHDSI Body Site value set 8.1.0 (SNOMED CT body structures); github "
    "hl7-eu/EHDSI-Terminology-package @6d9a71a4.",
    "DICOM CID 639": "DICOM PS3.16 CID 639 Tumor Graft Histologic Type (FHIR rendering: github "
    "bvdh/dicom-terminology-in-fhir @9f098270).",
    "DICOM CID 4029": "DICOM PS3.16 CID 4029 Dermatology Anatomic Site, version 20240913 (FHIR rendering: github "
    "bvdh/dicom-terminology-in-fhir @9f098270).",
    "DICOM CID 4405": "DICOM PS3.16 CID 4405 Skin Disorder (FHIR rendering: github "
    "bvdh/dicom-terminology-in-fhir @9f098270).",
    "DICOM CID 8131": "DICOM PS3.16 CID 8131 Pathology Imaging Protocol (FHIR rendering: github "
    "bvdh/dicom-terminology-in-fhir @9f098270).",
    "APP": "A public third-party \"Skin Cancer Diagnosis Picklist - SNOMED CT Coded\" (display = SNOMED CT FSN as "
    "given there; confidence B: verify in a SNOMED CT browser before clinical use).",
    "FHIR-EV": "A public FHIR EvidenceVariable/Group using 254701007.",
}


@dataclass(frozen=True)
class Snomed:
    """One SNOMED CT concept usable as a ConceptMap target."""

    display: str  # as the source gives it
    kind: str  # semantic tag: disorder, morphologic abnormality, body structure, procedure
    sources: tuple[str, ...]  # keys of SOURCE_KEYS
    confidence: str  # A = standards-body artefact, B = third-party app code, guide = the published guide
    section: str  # section of the terminology notes


SNOMED: dict[str, Snomed] = {
    # --- diagnoses (terminology notes, section 1) ---
    "372244006": Snomed("Malignant melanoma (disorder)", "disorder", ("the guide",), "guide", "1"),
    "254730000": Snomed("Superficial spreading malignant melanoma of skin (disorder)", "disorder", ("APP",), "B", "1"),
    "77986002": Snomed("Melanoma in situ", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "1163403006": Snomed("Pigmented nevus", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "49409001": Snomed("Compound nevus", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "112681002": Snomed("Intradermal nevus", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "254818000": Snomed("Dysplastic naevus of skin (disorder)", "disorder", ("APP",), "B", "1"),
    "254701007": Snomed("Basal cell carcinoma of skin (disorder)", "disorder", ("APP", "FHIR-EV"), "B", "1"),
    "254702000": Snomed("Basosquamous carcinoma of skin (disorder)", "disorder", ("APP",), "B", "1"),
    "201101007": Snomed("Actinic keratosis", "disorder", ("DICOM CID 4405", "APP"), "A", "1"),
    "254656002": Snomed("Squamous cell carcinoma in situ of skin (disorder)", "disorder", ("APP",), "B", "1"),
    "254651007": Snomed("Squamous cell carcinoma of skin", "disorder", ("DICOM CID 639", "APP"), "A", "1"),
    "254662007": Snomed("Keratoacanthoma (disorder)", "disorder", ("APP",), "B", "1"),
    "25499005": Snomed("Seborrheic keratosis", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "767376003": Snomed("Lentigo", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "253053003": Snomed("Benign hemangioma", "morphologic abnormality", ("eHDSI-M",), "A", "1"),
    "253001006": Snomed("Merkel cell carcinoma of skin (disorder)", "disorder", ("APP",), "B", "1"),
    # --- diagnosis confirmation (section 2) ---
    "252416005": Snomed("Histopathology", "procedure", ("DICOM CID 8131",), "A", "2"),
    # --- anatomic sites (section 3; display = DICOM CID 4029 text, or eHDSI-B where only eHDSI-B has it) ---
    "39937001": Snomed("Skin", "body structure", ("DICOM CID 4029",), "A", "3"),
    "70762009": Snomed("Skin of head", "body structure", ("DICOM CID 4029",), "A", "3"),
    "43081002": Snomed("Skin of neck", "body structure", ("DICOM CID 4029",), "A", "3"),
    "43067004": Snomed("Skin of scalp", "body structure", ("DICOM CID 4029",), "A", "3"),
    "1902009": Snomed("Skin of ear", "body structure", ("DICOM CID 4029",), "A", "3"),
    "73897004": Snomed("Skin of face", "body structure", ("DICOM CID 4029",), "A", "3"),
    "86381001": Snomed("Skin structure of trunk", "body structure", ("eHDSI-B",), "A", "3"),
    "181491009": Snomed("Skin of anterior trunk", "body structure", ("DICOM CID 4029", "eHDSI-B"), "A", "3"),
    "66643007": Snomed("Skin of back", "body structure", ("DICOM CID 4029", "eHDSI-B"), "A", "3"),
    "76261009": Snomed("Skin of axilla", "body structure", ("DICOM CID 4029",), "A", "3"),
    "75093004": Snomed("Skin of abdomen", "body structure", ("DICOM CID 4029",), "A", "3"),
    "371311000": Snomed("Skin of upper extremity", "body structure", ("DICOM CID 4029",), "A", "3"),
    "33712006": Snomed("Skin of hand", "body structure", ("DICOM CID 4029",), "A", "3"),
    "70887009": Snomed("Skin of palm of hand", "body structure", ("DICOM CID 4029",), "A", "3"),
    "371304004": Snomed("Skin of lower extremity", "body structure", ("DICOM CID 4029",), "A", "3"),
    "22180002": Snomed("Skin of buttock", "body structure", ("DICOM CID 4029",), "A", "3"),
    "60496002": Snomed("Skin of foot", "body structure", ("DICOM CID 4029",), "A", "3"),
    "37136002": Snomed("Skin structure of sole of foot", "body structure", ("eHDSI-B",), "A", "3"),
    "60944009": Snomed("Skin of external genitalia", "body structure", ("DICOM CID 4029",), "A", "3"),
    "113277000": Snomed("Oral mucosa", "body structure", ("DICOM CID 4029",), "A", "3"),
    # --- the guide's own body-sites-skin concepts (published value set; preferred targets for sites) ---
    **{
        code: Snomed(display, "body structure", ("the guide",), "guide", "3")
        for code, display in (
            ("41695006", "Scalp"), ("89545001", "Face"), ("52795006", "Forehead"), ("60819002", "Cheek"),
            ("45206002", "Nose"), ("30291003", "Chin"), ("1910005", "Ear"), ("45048000", "Neck"),
            ("51185008", "Thorax"), ("818983003", "Abdomen"), ("77568009", "Back"), ("16982005", "Shoulder"),
            ("40983000", "Upper arm"), ("14975008", "Forearm"), ("85562004", "Hand"), ("7569003", "Finger"),
            ("68367000", "Thigh"), ("72696002", "Knee"), ("30021000", "Lower leg"), ("56459004", "Foot"),
            ("29707007", "Toe"),
        )
    },
}
#: The body-sites-skin value set as published by the guide (the 23 concepts, 72651009 Nail and 182325008 Entire
#: cheek included); a site map target outside it is added to the value set as a marked completion.
GUIDE_BODY_SITES = frozenset(code for code, item in SNOMED.items() if item.kind == "body structure"
                             and item.confidence == "guide") | {"72651009", "182325008"}


@dataclass(frozen=True)
class MapRow:
    """One curated mapping row: source code -> SNOMED CT code (None = unmatched)."""

    target: str | None
    equivalence: str  # equivalent | wider | narrower | unmatched (R4 ConceptMapEquivalence)
    note: str = ""


def m(target: str | None, equivalence: str, note: str = "") -> MapRow:
    return MapRow(target, equivalence, note)


def unmatched(note: str = "") -> MapRow:
    return MapRow(None, "unmatched", note)


# Diagnosis policy: one target per source code. A clinical-finding (disorder) concept is preferred, since the
# mapped code is the value of the skin-finding component (SNOMED CT Skin finding hierarchy), with the guide's
# own example code for melanoma; where the sources give no disorder concept, the eHDSI morphologic-abnormality
# concept is used (the importers put it on the lesion, BodyStructure.morphology).

CHALLENGE_CLASS_MAP: dict[str, list[MapRow]] = {
    "MEL": [m("372244006", "equivalent", "The code of the guide's own melanoma example.")],
    "NV": [m("1163403006", "equivalent", "Morphologic abnormality (no disorder concept for melanocytic nevus "
                                         "in the cited sources); SNOMED CT's name for the melanocytic nevus.")],
    "BCC": [m("254701007", "equivalent")],
    "AK": [m("201101007", "equivalent")],
    "AKIEC": [
        m("201101007", "narrower", "The target covers only the actinic keratosis part of the class; "
                                   "intraepithelial carcinoma (Bowen's disease) is not covered."),
        m("254656002", "narrower", "The target covers only the intraepithelial carcinoma (Bowen's disease) part "
                                   "of the class; actinic keratosis is not covered."),
    ],
    "BKL": [m("25499005", "narrower", "The target covers only seborrheic keratosis; solar lentigo and lichen "
                                      "planus-like keratosis (no concept found) are not covered.")],
    "DF": [unmatched()],
    "VASC": [m("253053003", "narrower", "The target covers only hemangioma; angiokeratoma, pyogenic granuloma "
                                        "and hemorrhage are not covered.")],
    "SCC": [m("254651007", "equivalent")],
    "UNK": [unmatched("The class means 'none of the others'; it names no diagnosis.")],
}

HAM_DX_TO_CLASS: dict[str, str] = {
    "akiec": "AKIEC", "bcc": "BCC", "bkl": "BKL", "df": "DF", "mel": "MEL", "nv": "NV", "vasc": "VASC",
}

ISIC_DIAGNOSIS_MAP: dict[str, list[MapRow]] = {
    "Malignant melanocytic proliferations (Melanoma)": [
        m("372244006", "equivalent", "ISIC names this category 'Melanoma'; the code of the guide's melanoma example.")],
    "Melanoma, NOS": [m("372244006", "equivalent", "The code of the guide's melanoma example.")],
    "Melanoma Invasive": [m("372244006", "wider", "The target does not say the melanoma is invasive.")],
    "Melanoma Invasive, Superficial spreading": [m("254730000", "equivalent")],
    "Melanoma in situ": [m("77986002", "equivalent", "Morphologic abnormality (no disorder concept in the "
                                                      "cited sources).")],
    "Nevus": [m("1163403006", "equivalent", "Morphologic abnormality; SNOMED CT's name for the melanocytic nevus.")],
    "Nevus, NOS, Compound": [m("49409001", "equivalent", "Morphologic abnormality.")],
    "Nevus, NOS, Dermal": [m("112681002", "equivalent", "Morphologic abnormality.")],
    "Nevus, Atypical, Dysplastic, or Clark": [m("254818000", "equivalent")],
    "Nevus, Dysplastic": [m("254818000", "equivalent")],
    "Basal cell carcinoma": [m("254701007", "equivalent")],
    "Baso-squamous carcinoma": [m("254702000", "equivalent")],
    "Squamous cell carcinoma, NOS": [m("254651007", "equivalent")],
    "Squamous cell carcinoma, Invasive": [m("254651007", "wider", "The target does not say the carcinoma is "
                                                                   "invasive.")],
    "Squamous cell carcinoma in situ": [m("254656002", "equivalent")],
    "Keratoacanthoma": [m("254662007", "equivalent")],
    "Merkel cell carcinoma": [m("253001006", "equivalent")],
    "Solar or actinic keratosis": [m("201101007", "equivalent")],
    "Seborrheic keratosis": [m("25499005", "equivalent", "Morphologic abnormality (no disorder concept in the "
                                                         "cited sources).")],
    "Lentigo NOS": [m("767376003", "equivalent", "Morphologic abnormality.")],
    "Solar lentigo": [m("767376003", "wider", "Morphologic abnormality; the target is any lentigo.")],
    "Lentigo simplex": [m("767376003", "wider", "Morphologic abnormality; the target is any lentigo.")],
    "Ink-spot lentigo": [m("767376003", "wider", "Morphologic abnormality; the target is any lentigo.")],
    "Hemangioma": [m("253053003", "equivalent", "Morphologic abnormality (no disorder concept in the cited "
                                                "sources); ISIC lists hemangioma under benign proliferations.")],
    "Dermatofibroma": [unmatched()],
    "Lichen planus like keratosis": [unmatched()],
    "Angiokeratoma": [unmatched()],
}

# Anatomic sites: SNOMED CT "skin of ..." body structures (DICOM CID 4029 / eHDSI-B). ISIC and HAM10000 sites
# are the sites of skin lesions, so "skin of X" is read as equivalent to the site X.
WIDER_SKIN = "No single concept for this site in the cited sources; the target is broader."

ISIC_SITE_GENERAL_MAP: dict[str, list[MapRow]] = {
    "anterior torso": [m("181491009", "equivalent")],
    "posterior torso": [m("77568009", "equivalent", "The guide's body-sites-skin concept for the back.")],
    "torso": [m("86381001", "equivalent", "ISIC 2020 anatom_site_general_challenge 'torso' (no side recorded).")],
    # MILK10k (ISIC 2025) site spellings
    "head_neck_face": [m("39937001", "wider", "No single head-and-neck skin concept in the cited sources; "
                                              "70762009 Skin of head and 43081002 Skin of neck are each narrower.")],
    "trunk": [m("86381001", "equivalent")],
    "upper_extremity": [m("371311000", "equivalent")],
    "lower_extremity": [m("371304004", "equivalent")],
    "hand": [m("85562004", "equivalent", "The guide's body-sites-skin concept.")],
    "foot": [m("56459004", "equivalent", "The guide's body-sites-skin concept.")],
    "genital": [m("60944009", "equivalent")],
    "lateral torso": [m("86381001", "wider", "No concept for the lateral trunk in the cited sources "
                                             "(76261009 Skin of axilla covers only part of it).")],
    "head/neck": [m("39937001", "wider", "No single head-and-neck skin concept in the cited sources; "
                                         "70762009 Skin of head and 43081002 Skin of neck are each narrower.")],
    "upper extremity": [m("371311000", "equivalent")],
    "lower extremity": [m("371304004", "equivalent")],
    "palms/soles": [m("39937001", "wider", "No single concept; 70887009 Skin of palm of hand and 37136002 Skin "
                                           "structure of sole of foot are each narrower.")],
    "oral/genital": [unmatched("113277000 Oral mucosa and 60944009 Skin of external genitalia are each narrower, "
                               "and Skin does not cover the oral mucosa.")],
    # ISIC anatom_site_special
    "acral NOS": [m("39937001", "wider", "No concept for acral skin in the cited sources.")],
    "acral palms or soles": [m("39937001", "wider", "No single concept; 70887009 Skin of palm of hand and "
                                                    "37136002 Skin structure of sole of foot are each narrower.")],
    "nail NOS": [unmatched("The nail is not skin.")],
    "fingernail": [unmatched("The nail is not skin.")],
    "toenail": [unmatched("The nail is not skin.")],
    "oral or genital": [unmatched("113277000 Oral mucosa and 60944009 Skin of external genitalia are each "
                                  "narrower, and Skin does not cover the oral mucosa.")],
}

ISIC_SITE_HIERARCHY_MAP: dict[str, list[MapRow]] = {
    "Head and neck": [m("39937001", "wider", "No single head-and-neck skin concept in the cited sources.")],
    "Head": [m("70762009", "equivalent")],
    "Neck": [m("45048000", "equivalent", "The guide's body-sites-skin concept.")],
    "Scalp": [m("41695006", "equivalent", "The guide's body-sites-skin concept.")],
    "Ear": [m("1910005", "equivalent", "The guide's body-sites-skin concept.")],
    "Face": [m("89545001", "equivalent", "The guide's body-sites-skin concept.")],
    "Forehead": [m("52795006", "equivalent", "The guide's body-sites-skin concept.")],
    "Cheek": [m("60819002", "equivalent", "The guide's body-sites-skin concept.")],
    "Nose": [m("45206002", "equivalent", "The guide's body-sites-skin concept.")],
    "Chin": [m("30291003", "equivalent", "The guide's body-sites-skin concept.")],
    "Orbital region": [unmatched("Includes the eye, which is not skin.")],
    "Periorbital region": [m("89545001", "wider", "The guide's body-sites-skin concept.")],
    "Eyelid": [m("89545001", "wider", "The guide's body-sites-skin concept.")],
    "Mouth": [unmatched("The mouth is not skin.")],
    "Oral mucosa": [m("113277000", "equivalent")],
    "Trunk": [m("86381001", "equivalent")],
    "Anterior trunk": [m("181491009", "equivalent")],
    "Lateral trunk": [m("86381001", "wider", "No concept for the lateral trunk in the cited sources.")],
    "Posterior trunk": [m("77568009", "equivalent", "The guide's body-sites-skin concept for the back.")],
    "Axilla": [m("76261009", "equivalent")],
    "Anterior abdomen": [m("818983003", "wider", "The guide's body-sites-skin concept.")],
    "Lateral abdomen": [m("818983003", "wider", "The guide's body-sites-skin concept.")],
    "Upper extremity": [m("371311000", "equivalent")],
    "Shoulder": [m("16982005", "equivalent", "The guide's body-sites-skin concept.")],
    "Upper arm": [m("40983000", "equivalent", "The guide's body-sites-skin concept.")],
    "Forearm": [m("14975008", "equivalent", "The guide's body-sites-skin concept.")],
    "Hand": [m("85562004", "equivalent", "The guide's body-sites-skin concept.")],
    "Fingers and thumb": [m("7569003", "equivalent", "The guide's body-sites-skin concept (the thumb is a finger).")],
    "Palm of hand": [m("70887009", "equivalent")],
    "Lower extremity": [m("371304004", "equivalent")],
    "Buttock": [m("22180002", "equivalent")],
    "Thigh": [m("68367000", "equivalent", "The guide's body-sites-skin concept.")],
    "Knee": [m("72696002", "equivalent", "The guide's body-sites-skin concept.")],
    "Lower leg": [m("30021000", "equivalent", "The guide's body-sites-skin concept.")],
    "Foot": [m("56459004", "equivalent", "The guide's body-sites-skin concept.")],
    "Toes": [m("29707007", "equivalent", "The guide's body-sites-skin concept.")],
    "Sole of foot": [m("37136002", "equivalent")],
    "Anogenital region": [unmatched("Includes mucosa (anus, vagina), which is not skin.")],
    "Vulva": [m("60944009", "wider")],
    "Penis": [m("60944009", "wider")],
    "Scrotum": [m("60944009", "wider")],
}

HAM_LOCALIZATION_MAP: dict[str, list[MapRow]] = {
    "abdomen": [m("818983003", "equivalent", "The guide's body-sites-skin concept.")],
    "acral": [m("39937001", "wider", "No concept for acral skin in the cited sources; 70887009 Skin of palm of "
                                     "hand and 37136002 Skin structure of sole of foot are each narrower.")],
    "back": [m("77568009", "equivalent", "The guide's body-sites-skin concept.")],
    "chest": [m("51185008", "wider", "The guide's body-sites-skin concept; the thorax also covers the back.")],
    "ear": [m("1910005", "equivalent", "The guide's body-sites-skin concept.")],
    "face": [m("89545001", "equivalent", "The guide's body-sites-skin concept.")],
    "foot": [m("56459004", "equivalent", "The guide's body-sites-skin concept.")],
    "genital": [m("60944009", "equivalent")],
    "hand": [m("85562004", "equivalent", "The guide's body-sites-skin concept.")],
    "lower extremity": [m("371304004", "equivalent")],
    "neck": [m("45048000", "equivalent", "The guide's body-sites-skin concept.")],
    "scalp": [m("41695006", "equivalent", "The guide's body-sites-skin concept.")],
    "trunk": [m("86381001", "equivalent", "HAM10000 uses 'trunk' for a trunk site not recorded more precisely "
                                          "(next to back, chest and abdomen).")],
    "unknown": [unmatched("No site was recorded: omit bodySite.")],
    "upper extremity": [m("371311000", "equivalent")],
}

DERM7PT_LOCATION_MAP: dict[str, list[MapRow]] = {
    "abdomen": [m("818983003", "equivalent", "The guide's body-sites-skin concept.")],
    "acral": [m("39937001", "wider", "No concept for acral skin in the cited sources.")],
    "back": [m("77568009", "equivalent", "The guide's body-sites-skin concept.")],
    "buttocks": [m("22180002", "equivalent")],
    "chest": [m("51185008", "wider", "The guide's body-sites-skin concept; the thorax also covers the back.")],
    "genital areas": [m("60944009", "equivalent")],
    "head neck": [m("39937001", "wider", "No single head-and-neck skin concept in the cited sources; "
                                         "70762009 Skin of head and 43081002 Skin of neck are each narrower.")],
    "lower limbs": [m("371304004", "equivalent")],
    "upper limbs": [m("371311000", "equivalent")],
}

# ISIC site spellings of releases whose files are not in the dataset folder, as their challenge pages publish them:
# ISIC 2020 anatom_site_general_challenge adds 'torso'; MILK10k (ISIC 2025) writes sites in snake case.
EXTRA_SITES: list[tuple[str, str]] = [
    ("torso", "ISIC 2020 anatom_site_general_challenge 'torso' (trunk, side not recorded)."),
    ("head_neck_face", "MILK10k site 'head_neck_face'."),
    ("trunk", "MILK10k site 'trunk'."),
    ("upper_extremity", "MILK10k site 'upper_extremity'."),
    ("lower_extremity", "MILK10k site 'lower_extremity'."),
    ("hand", "MILK10k site 'hand'."),
    ("foot", "MILK10k site 'foot'."),
    ("genital", "MILK10k site 'genital'."),
]

# ISIC legacy diagnosis (the `diagnosis` field of ISIC 2016-2020 and of the Archive API v1; values from
# isic_metadata_field_enums.json LegacyDxEnum). Values without a row are unmatched.
LEGACY_DX_MAP: dict[str, list[MapRow]] = {
    "melanoma": [m("372244006", "equivalent", "The code of the guide's melanoma example.")],
    "nevus": [m("1163403006", "equivalent", "Morphologic abnormality; SNOMED CT's name for the melanocytic nevus.")],
    "basal cell carcinoma": [m("254701007", "equivalent")],
    "squamous cell carcinoma": [m("254651007", "equivalent")],
    "actinic keratosis": [m("201101007", "equivalent")],
    "seborrheic keratosis": [m("25499005", "equivalent", "Morphologic abnormality.")],
    "lentigo NOS": [m("767376003", "equivalent", "Morphologic abnormality.")],
    "solar lentigo": [m("767376003", "wider", "Morphologic abnormality; the target is any lentigo.")],
    "lentigo simplex": [m("767376003", "wider", "Morphologic abnormality; the target is any lentigo.")],
    "merkel cell carcinoma": [m("253001006", "equivalent")],
    "angioma": [m("253053003", "narrower", "The target covers only hemangioma.")],
}

# MILK10k (ISIC 2025) diagnostic categories, as the column names of its ground truth and submissions (published on
# the challenge page); code -> (display, definition).
MILK10K_CLASSES: list[tuple[str, str, str]] = [
    ("AKIEC", "Actinic keratosis / intraepidermal carcinoma", "Actinic keratosis and intraepidermal carcinoma."),
    ("BCC", "Basal cell carcinoma", "Basal cell carcinoma."),
    ("BEN_OTH", "Other benign proliferations", "Other benign proliferations, including collision tumors."),
    ("BKL", "Benign keratinocytic lesion", "Benign keratinocytic lesion."),
    ("DF", "Dermatofibroma", "Dermatofibroma."),
    ("INF", "Inflammatory and infectious conditions", "Inflammatory and infectious conditions."),
    ("MAL_OTH", "Other malignant proliferations", "Other malignant proliferations, including collision tumors."),
    ("MEL", "Melanoma", "Melanoma."),
    ("NV", "Melanocytic nevus", "Melanocytic nevus."),
    ("SCCKA", "Squamous cell carcinoma / keratoacanthoma", "Squamous cell carcinoma and keratoacanthoma."),
    ("VASC", "Vascular lesions and hemorrhage", "Vascular lesions and hemorrhage."),
]
MILK10K_MAP: dict[str, list[MapRow]] = {
    "AKIEC": CHALLENGE_CLASS_MAP["AKIEC"],
    "BCC": [m("254701007", "equivalent")],
    "BEN_OTH": [unmatched("A group of diagnoses.")],
    "BKL": [m("25499005", "narrower", "The target covers only seborrheic keratosis.")],
    "DF": [unmatched()],
    "INF": [unmatched("A group of diagnoses.")],
    "MAL_OTH": [unmatched("A group of diagnoses.")],
    "MEL": [m("372244006", "equivalent", "The code of the guide's melanoma example.")],
    "NV": CHALLENGE_CLASS_MAP["NV"],
    "SCCKA": [
        m("254651007", "narrower", "The target covers only the squamous cell carcinoma part of the class."),
        m("254662007", "narrower", "The target covers only the keratoacanthoma part of the class."),
    ],
    "VASC": [m("253053003", "narrower", "The target covers only hemangioma.")],
}

# PAD-UFES-20 (Pacheco et al. 2020, Mendeley Data doi:10.17632/zr7vgbcyr2) `diagnostic` and `region` values, as its
# data description publishes them; code -> display.
PAD_DIAGNOSTICS: list[tuple[str, str]] = [
    ("ACK", "Actinic keratosis"), ("BCC", "Basal cell carcinoma"), ("MEL", "Melanoma"), ("NEV", "Nevus"),
    ("SCC", "Squamous cell carcinoma (Bowen's disease included)"), ("SEK", "Seborrheic keratosis"),
]
PAD_DIAGNOSTIC_MAP: dict[str, list[MapRow]] = {
    "ACK": [m("201101007", "equivalent")],
    "BCC": [m("254701007", "equivalent")],
    "MEL": [m("372244006", "equivalent", "The code of the guide's melanoma example.")],
    "NEV": [m("1163403006", "equivalent", "Morphologic abnormality.")],
    "SCC": [m("254651007", "wider", "PAD-UFES-20 counts Bowen's disease (in situ) as SCC; the target is any SCC "
                                     "of skin.")],
    "SEK": [m("25499005", "equivalent", "Morphologic abnormality.")],
}
PAD_REGIONS: list[str] = ["ABDOMEN", "ARM", "BACK", "CHEST", "EAR", "FACE", "FOOT", "FOREARM", "HAND", "LIP",
                          "NECK", "NOSE", "SCALP", "THIGH"]
PAD_REGION_MAP: dict[str, list[MapRow]] = {
    "ABDOMEN": [m("818983003", "equivalent", "The guide's body-sites-skin concept.")],
    "ARM": [m("371311000", "wider", "PAD-UFES-20 records the forearm and hand apart; the target is the whole "
                                    "upper extremity.")],
    "BACK": [m("77568009", "equivalent", "The guide's body-sites-skin concept.")],
    "CHEST": [m("51185008", "wider", "The guide's body-sites-skin concept; the thorax also covers the back.")],
    "EAR": [m("1910005", "equivalent", "The guide's body-sites-skin concept.")],
    "FACE": [m("89545001", "equivalent", "The guide's body-sites-skin concept.")],
    "FOOT": [m("56459004", "equivalent", "The guide's body-sites-skin concept.")],
    "FOREARM": [m("14975008", "equivalent", "The guide's body-sites-skin concept.")],
    "HAND": [m("85562004", "equivalent", "The guide's body-sites-skin concept.")],
    "LIP": [unmatched("The lip includes mucosa; no skin-of-lip concept in the cited sources.")],
    "NECK": [m("45048000", "equivalent", "The guide's body-sites-skin concept.")],
    "NOSE": [m("45206002", "equivalent", "The guide's body-sites-skin concept.")],
    "SCALP": [m("41695006", "equivalent", "The guide's body-sites-skin concept.")],
    "THIGH": [m("68367000", "equivalent", "The guide's body-sites-skin concept.")],
}

# Diagnosis confirmation: HAM10000 dx_type code -> (ISIC diagnosis_confirm_type string, definition).
CONFIRMATION: list[tuple[str, str, str]] = [
    ("histo", "histopathology", "Diagnosis confirmed by histopathology of the excised or biopsied lesion."),
    ("follow_up", "serial imaging showing no change",
     "Diagnosis (benign) accepted because digital dermoscopic follow-up showed no change of the lesion."),
    ("consensus", "single image expert consensus",
     "Diagnosis by consensus of experts on the image alone, without histopathology or follow-up."),
    ("confocal", "confocal microscopy with consensus dermoscopy",
     "Diagnosis confirmed by in-vivo reflectance confocal microscopy together with expert consensus on dermoscopy."),
    ("single_contributor", "single contributor clinical assessment",
     "Diagnosis by the clinical assessment of the single contributor of the image."),
]
HAM_DX_TYPES = {"histo", "follow_up", "consensus", "confocal"}
CONFIRMATION_MAP: dict[str, list[MapRow]] = {
    "histo": [m("252416005", "equivalent", "A procedure concept: use it as the method of confirmation.")],
    "follow_up": [unmatched()],
    "consensus": [unmatched()],
    "confocal": [unmatched("DICOM CID 4412 lists confocal stains only.")],
    "single_contributor": [unmatched()],
}

# ISIC challenge classes: code -> (display, definition). The column lists are read from the ground-truth files.
CHALLENGE_CLASSES: list[tuple[str, str, str]] = [
    ("MEL", "Melanoma", "Melanoma."),
    ("NV", "Melanocytic nevus", "Melanocytic nevus."),
    ("BCC", "Basal cell carcinoma", "Basal cell carcinoma."),
    ("AK", "Actinic keratosis", "Actinic keratosis (ISIC 2019; in ISIC 2018 part of AKIEC)."),
    ("AKIEC", "Actinic keratosis / intraepithelial carcinoma (Bowen's disease)",
     "Actinic keratosis and intraepithelial carcinoma (Bowen's disease), one class in ISIC 2018 Task 3 and "
     "HAM10000."),
    ("BKL", "Benign keratosis",
     "Benign keratosis-like lesion: solar lentigo, seborrheic keratosis or lichen planus-like keratosis."),
    ("DF", "Dermatofibroma", "Dermatofibroma."),
    ("VASC", "Vascular lesion",
     "Vascular lesion: angioma, angiokeratoma, pyogenic granuloma or hemorrhage."),
    ("SCC", "Squamous cell carcinoma", "Squamous cell carcinoma (ISIC 2019)."),
    ("UNK", "None of the others / unknown",
     "None of the other classes (ISIC 2019 outlier class; no training image carries it)."),
]

HAM_DX: dict[str, tuple[str, str]] = {
    "akiec": ("Actinic keratosis / intraepithelial carcinoma (Bowen's disease)",
              "Actinic keratoses and intraepithelial carcinoma (Bowen's disease)."),
    "bcc": ("Basal cell carcinoma", "Basal cell carcinoma."),
    "bkl": ("Benign keratosis-like lesion",
            "Benign keratosis-like lesions: solar lentigines, seborrheic keratoses and lichen planus-like keratoses."),
    "df": ("Dermatofibroma", "Dermatofibroma."),
    "mel": ("Melanoma", "Melanoma."),
    "nv": ("Melanocytic nevus", "Melanocytic nevi."),
    "vasc": ("Vascular lesion",
             "Vascular lesions: angiomas, angiokeratomas, pyogenic granulomas and hemorrhage."),
}

DERM7PT_CRITERIA: list[tuple[str, str]] = [
    ("pigment_network", "Pigment network"),
    ("streaks", "Streaks"),
    ("pigmentation", "Pigmentation"),
    ("regression_structures", "Regression structures"),
    ("dots_and_globules", "Dots and globules"),
    ("blue_whitish_veil", "Blue-whitish veil"),
    ("vascular_structures", "Vascular structures"),
]

# ISIC 2018 Task 2 (lesion attribute detection) attribute names; listed in the terminology notes, section 5
# (the mask files are named ISIC_xxxxxxx_attribute_<name>.png). Not in the dataset folder.
ISIC2018_ATTRIBUTES: list[tuple[str, str]] = [
    ("globules", "Globules"),
    ("milia_like_cyst", "Milia-like cyst"),
    ("negative_network", "Negative network"),
    ("pigment_network", "Pigment network"),
    ("streaks", "Streaks"),
]

CITATIONS = {
    "HAM10000": "Tschandl P, Rosendahl C, Kittler H. The HAM10000 dataset, a large collection of multi-source "
    "dermatoscopic images of common pigmented skin lesions. Sci Data 5, 180161 (2018).",
    "derm7pt": "Kawahara J, Daneshvar S, Argenziano G, Hamarneh G. Seven-Point Checklist and Skin Lesion "
    "Classification using Multi-Task Multi-Modal Neural Nets. IEEE J Biomed Health Inform 23(2):538-546 (2019).",
    "ISIC 2018": "Codella N et al. Skin Lesion Analysis Toward Melanoma Detection 2018: A Challenge Hosted by the "
    "International Skin Imaging Collaboration (ISIC). arXiv:1902.03368 (2019).",
    "ISIC 2019": "ISIC 2019 challenge; its data are cited as HAM10000 (above), Codella N et al., arXiv:1710.05006 "
    "(ISIC 2017) and Combalia M et al., BCN20000: Dermoscopic Lesions in the Wild, arXiv:1908.02288 (2019).",
    "ISIC vocabularies": "ISIC diagnosis and anatomic-site hierarchies, ISIC metadata field enums "
    "(ImageMarkup/isic-metadata, Apache-2.0) and the ISIC Archive dermoscopic feature taxonomy.",
}

# --------------------------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Concept:
    code: str
    display: str
    definition: str = ""
    children: list[Concept] = field(default_factory=list)
    designations: list[str] = field(default_factory=list)
    not_selectable: bool = False


@dataclass
class CodeSystemSpec:
    id: str
    name: str
    title: str
    description: str
    sources: list[str]
    concepts: list[Concept]
    hierarchy_meaning: str | None = None
    copyright: str = ""
    summary: str = ""  # one line for the mapping page

    def walk(self) -> list[tuple[Concept, list[Concept]]]:
        """All concepts depth-first, each with its ancestors."""
        out: list[tuple[Concept, list[Concept]]] = []

        def rec(c: Concept, anc: list[Concept]) -> None:
            out.append((c, anc))
            for ch in c.children:
                rec(ch, anc + [c])

        for c in self.concepts:
            rec(c, [])
        return out

    def count(self) -> int:
        return len(self.walk())


@dataclass
class Element:
    code: str
    display: str
    targets: list[tuple[str | None, str, str]]  # (SNOMED code or None, equivalence, comment)
    explicit: bool  # curated row (True) or inherited / default (False)
    inherited_from: str | None = None


@dataclass
class ConceptMapSpec:
    id: str
    name: str
    title: str
    description: str
    source: CodeSystemSpec
    elements: list[Element]
    sources: list[str]


# --------------------------------------------------------------------------------------------------------------
# Reading the sources
# --------------------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in csv.DictReader(f)]


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [h.strip() for h in next(csv.reader(f))]


def check_code(code: str, where: str) -> str:
    if not CODE_RE.match(code):
        raise SystemExit(f"{where}: {code!r} is not a valid FHIR code")
    return code


def sort_key(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def build_hierarchy(rows: list[dict[str, str]], prefix: str, levels: int, where: str,
                    definition: str) -> list[Concept]:
    """Tree of the ISIC hierarchical vocabularies: code = the value's last level (checked unique)."""
    by_code: dict[str, Concept] = {}
    parent_of: dict[str, str | None] = {}
    for row in rows:
        parts = [row[f"{prefix}_{i}"].strip() for i in range(1, levels + 1) if row[f"{prefix}_{i}"].strip()]
        if ":".join(parts) != row["value"].strip():
            raise SystemExit(f"{where}: value {row['value']!r} does not match its levels {parts}")
        code = check_code(parts[-1], where)
        if code in by_code:
            raise SystemExit(f"{where}: level text {code!r} occurs twice; it cannot be a code")
        path = " > ".join(parts)
        by_code[code] = Concept(code, code, definition.format(path=path))
        parent_of[code] = parts[-2] if len(parts) > 1 else None
    roots: list[Concept] = []
    for code, concept in by_code.items():
        parent = parent_of[code]
        if parent is None:
            roots.append(concept)
        elif parent not in by_code:
            raise SystemExit(f"{where}: parent {parent!r} of {code!r} is not a value")
        else:
            by_code[parent].children.append(concept)

    def sort_tree(cs: list[Concept]) -> None:
        cs.sort(key=lambda c: sort_key(c.code))
        for c in cs:
            sort_tree(c.children)

    sort_tree(roots)
    if len(by_code) != len(rows):
        raise SystemExit(f"{where}: {len(rows)} rows but {len(by_code)} distinct values")
    return roots


def load(data: Path) -> dict[str, CodeSystemSpec]:
    def need(name: str) -> Path:
        p = data / name
        if not p.is_file():
            raise SystemExit(f"missing source file: {p}")
        return p

    enums = json.loads(need("isic_metadata_field_enums.json").read_text(encoding="utf-8"))
    systems: dict[str, CodeSystemSpec] = {}

    # --- ISIC diagnosis hierarchy ---
    dx_rows = read_csv(need("isic_diagnosis_hierarchy.csv"))
    systems["isic-diagnosis"] = CodeSystemSpec(
        id="isic-diagnosis",
        summary="ISIC hierarchical diagnosis (diagnosis_1 to diagnosis_5), 5 levels; code = level text.",
        name="IsicDiagnosisCS",
        title="ISIC Diagnosis",
        description=(
            f"The hierarchical diagnosis vocabulary of the International Skin Imaging Collaboration (ISIC): "
            f"{len(dx_rows)} values in up to five levels (Benign / Indeterminate / Malignant, then lesion families, "
            f"diagnoses and subtypes). The code and the display of each concept are the text of its level, exactly "
            f"as the ISIC Archive API emits it in diagnosis_1 to diagnosis_5 (e.g. 'Melanoma Invasive'); the "
            f"definition gives the full path. A child is a kind of its parent. {COMPLETION}"
        ),
        sources=["isic_diagnosis_hierarchy.csv"],
        concepts=build_hierarchy(dx_rows, "diagnosis", 5, "isic_diagnosis_hierarchy.csv",
                                 "ISIC diagnosis: {path}."),
        hierarchy_meaning="is-a",
        copyright="Values from the ISIC diagnosis hierarchy (International Skin Imaging Collaboration, Apache-2.0).",
    )

    # --- ISIC challenge classes ---
    h2019 = csv_header(need("ISIC_2019_Training_GroundTruth.csv"))[1:]
    h2018 = csv_header(need("ISIC2018_Task3_Test_GroundTruth.csv"))[1:]
    curated = [c for c, _, _ in CHALLENGE_CLASSES]
    if set(h2019) | set(h2018) != set(curated):
        raise SystemExit(f"challenge classes in the files {sorted(set(h2019) | set(h2018))} != curated {curated}")
    concepts = []
    for code, display, definition in CHALLENGE_CLASSES:
        used = [name for name, cols in (("ISIC 2018 Task 3", h2018), ("ISIC 2019", h2019)) if code in cols]
        concepts.append(Concept(code, display, f"{definition} Class of: {', '.join(used)}."))
    systems["isic-challenge-class"] = CodeSystemSpec(
        id="isic-challenge-class",
        summary="ISIC 2018 Task 3 and ISIC 2019 classes (MEL, NV, BCC, AK, AKIEC, BKL, DF, VASC, SCC, UNK).",
        name="IsicChallengeClassCS",
        title="ISIC Challenge Diagnostic Class",
        description=(
            "The diagnostic classes of the ISIC 2018 Task 3 and ISIC 2019 classification challenges, as the "
            "column names of their ground-truth and submission files (MEL, NV, BCC, AKIEC, BKL, DF, VASC in 2018; "
            "MEL, NV, BCC, AK, BKL, DF, VASC, SCC, UNK in 2019). An AI classifier trained on these challenges "
            f"emits one probability per class. {COMPLETION}"
        ),
        sources=["ISIC_2019_Training_GroundTruth.csv", "ISIC2018_Task3_Test_GroundTruth.csv"],
        concepts=concepts,
    )

    # --- HAM10000 ---
    ham = read_csv(need("HAM10000_metadata.csv"))
    dx_values = sorted({r["dx"].strip() for r in ham})
    if dx_values != sorted(HAM_DX):
        raise SystemExit(f"HAM10000 dx values {dx_values} != curated {sorted(HAM_DX)}")
    systems["ham10000-dx"] = CodeSystemSpec(
        id="ham10000-dx",
        summary="HAM10000 dx labels (akiec, bcc, bkl, df, mel, nv, vasc).",
        name="Ham10000DxCS",
        title="HAM10000 Diagnosis",
        description=(
            "The seven diagnostic categories of the HAM10000 dataset (column dx), with the dataset's lowercase "
            "labels as codes. They are the classes of ISIC 2018 Task 3 (akiec = AKIEC, bcc = BCC, bkl = BKL, "
            f"df = DF, mel = MEL, nv = NV, vasc = VASC in the ISIC challenge class code system). {COMPLETION}"
        ),
        sources=["HAM10000_metadata.csv"],
        concepts=[Concept(check_code(c, "HAM10000 dx"), HAM_DX[c][0],
                          f"{HAM_DX[c][1]} ISIC challenge class {HAM_DX_TO_CLASS[c]}.") for c in dx_values],
    )
    dx_types = {r["dx_type"].strip() for r in ham}
    if dx_types != HAM_DX_TYPES:
        raise SystemExit(f"HAM10000 dx_type values {sorted(dx_types)} != curated {sorted(HAM_DX_TYPES)}")
    isic_confirm = enums["DiagnosisConfirmTypeEnum"]
    if sorted(isic_confirm) != sorted(s for _, s, _ in CONFIRMATION):
        raise SystemExit(f"ISIC DiagnosisConfirmTypeEnum {isic_confirm} does not match the curated table")
    concepts = []
    for code, isic, definition in CONFIRMATION:
        origin = (f"HAM10000 dx_type '{code}'; ISIC diagnosis_confirm_type '{isic}'." if code in HAM_DX_TYPES
                  else f"ISIC diagnosis_confirm_type '{isic}' (no HAM10000 dx_type).")
        concepts.append(Concept(code, isic, f"{definition} {origin}"))
    systems["diagnosis-confirmation"] = CodeSystemSpec(
        id="diagnosis-confirmation",
        summary="HAM10000 dx_type and ISIC diagnosis_confirm_type (histo, follow_up, consensus, confocal, "
        "single_contributor).",
        name="DiagnosisConfirmationCS",
        title="Diagnosis Confirmation Method",
        description=(
            "How the ground-truth diagnosis of a dermatology image was established. The codes are the HAM10000 "
            "dx_type labels (histo, follow_up, consensus, confocal), plus single_contributor for the fifth ISIC "
            "value; the displays are the ISIC diagnosis_confirm_type strings, verbatim. HAM10000 histo = ISIC "
            "'histopathology', follow_up = 'serial imaging showing no change', consensus = 'single image expert "
            f"consensus', confocal = 'confocal microscopy with consensus dermoscopy'. {COMPLETION}"
        ),
        sources=["HAM10000_metadata.csv", "isic_metadata_field_enums.json"],
        concepts=concepts,
    )

    # --- anatomic sites ---
    general = sorted({r["anatom_site_general"].strip() for name in ("ISIC_2019_Training_Metadata.csv",
                                                                    "ISIC_2019_Test_Metadata.csv")
                      for r in read_csv(need(name))} - {""}, key=sort_key)
    special = sorted(enums["AnatomSiteSpecialEnum"], key=sort_key)
    overlap = set(general) & set(special)
    if overlap:
        raise SystemExit(f"anatom_site_general and anatom_site_special share values {overlap}")
    concepts = [Concept(check_code(v, "anatom_site_general"), v, f"ISIC anatom_site_general '{v}'.")
                for v in general]
    concepts += [Concept(check_code(v, "anatom_site_special"), v, f"ISIC anatom_site_special '{v}'.")
                 for v in special]
    known_sites = {c.code for c in concepts}
    concepts += [Concept(check_code(v, "site"), v, definition) for v, definition in EXTRA_SITES
                 if v not in known_sites]
    systems["isic-anatomic-site"] = CodeSystemSpec(
        id="isic-anatomic-site",
        summary="ISIC anatom_site_general and anatom_site_special values.",
        name="IsicAnatomicSiteCS",
        title="ISIC Anatomic Site (General and Special)",
        description=(
            "The coarse anatomic sites of the ISIC metadata: the values of anatom_site_general (as used in the "
            "ISIC 2019 challenge metadata and the ISIC Archive) and of anatom_site_special (acral and nail sites, "
            "oral or genital), verbatim, and the spellings of later releases (ISIC 2020 'torso', the MILK10k sites "
            "head_neck_face, trunk, upper_extremity, lower_extremity, hand, foot, genital). The fine-grained ISIC sites are in the ISIC Anatomic Site Hierarchy code "
            f"system. {COMPLETION}"
        ),
        sources=["ISIC_2019_Training_Metadata.csv", "ISIC_2019_Test_Metadata.csv", "isic_metadata_field_enums.json"],
        concepts=concepts,
        copyright="Values from the ISIC metadata (ImageMarkup/isic-metadata, Apache-2.0) and the ISIC 2019 "
        "challenge metadata.",
    )
    site_rows = read_csv(need("isic_anatom_site_hierarchy.csv"))
    systems["isic-anatomic-site-hierarchy"] = CodeSystemSpec(
        id="isic-anatomic-site-hierarchy",
        summary="ISIC hierarchical anatomic site (anatom_site_1 to anatom_site_5); code = level text.",
        name="IsicAnatomicSiteHierarchyCS",
        title="ISIC Anatomic Site Hierarchy",
        description=(
            f"The hierarchical anatomic-site vocabulary of ISIC: {len(site_rows)} values in up to five levels "
            "(Head and neck, Trunk, Upper extremity, Lower extremity, Anogenital region, then regions and "
            "subregions). The code and display of each concept are the text of its level (the columns anatom_site_1 "
            "to anatom_site_5 of the ISIC vocabulary); the definition gives the full path. A child is a part of its "
            f"parent. {COMPLETION}"
        ),
        sources=["isic_anatom_site_hierarchy.csv"],
        concepts=build_hierarchy(site_rows, "anatom_site", 5, "isic_anatom_site_hierarchy.csv",
                                 "ISIC anatomic site: {path}."),
        hierarchy_meaning="part-of",
    )
    locs = sorted({r["localization"].strip() for r in ham}, key=sort_key)
    systems["ham10000-localization"] = CodeSystemSpec(
        id="ham10000-localization",
        summary="HAM10000 localization values, including unknown and acral.",
        name="Ham10000LocalizationCS",
        title="HAM10000 Localization",
        description=(
            f"The {len(locs)} lesion localizations of the HAM10000 dataset (column localization), verbatim, "
            f"including 'unknown' (no site recorded) and 'acral'. {COMPLETION}"
        ),
        sources=["HAM10000_metadata.csv"],
        concepts=[Concept(check_code(v, "HAM10000 localization"), v, f"HAM10000 localization '{v}'.")
                  for v in locs],
    )
    d7 = read_csv(need("derm7pt_meta.csv"))
    d7locs = sorted({r["location"].strip() for r in d7} - {""}, key=sort_key)
    systems["derm7pt-location"] = CodeSystemSpec(
        id="derm7pt-location",
        summary="Derm7pt location values.",
        name="Derm7ptLocationCS",
        title="Derm7pt Location",
        description=(
            f"The {len(d7locs)} lesion locations of the Derm7pt dataset (column location), verbatim. {COMPLETION}"
        ),
        sources=["derm7pt_meta.csv"],
        concepts=[Concept(check_code(v, "derm7pt location"), v, f"Derm7pt location '{v}'.") for v in d7locs],
    )

    # --- dermoscopic features ---
    features = json.loads(need("isic_archive_masterFeatures.json").read_text(encoding="utf-8"))
    ids = [f["id"].strip() for f in features]
    if len(set(ids)) != len(ids):
        raise SystemExit("isic_archive_masterFeatures.json: duplicate feature ids")
    nodes: dict[str, Concept] = {}
    n_grouping = 0

    def node(path: str) -> Concept:
        nonlocal n_grouping
        if path not in nodes:
            nodes[path] = Concept(check_code(path, "ISIC feature"), path,
                                  f"Grouping of the ISIC Archive dermoscopic features named '{path} : ...'; "
                                  "not itself one of the ISIC features.", not_selectable=True)
            n_grouping += 1
        return nodes[path]

    roots_f: list[Concept] = []
    for f in features:
        fid = f["id"].strip()
        nomen = f.get("nomenclature", "").strip()
        syns = sorted({s.strip() for s in f.get("synonyms", []) if s.strip() and s.strip() != fid}, key=sort_key)
        definition = f"ISIC Archive dermoscopic feature ({nomen} nomenclature): {fid}."
        if syns:
            definition += " Also listed as: " + "; ".join(syns) + "."
        if fid in nodes:  # a grouping node made earlier is itself a feature
            c = nodes[fid]
            c.definition, c.not_selectable, c.designations = definition, False, syns
            n_grouping -= 1
        else:
            nodes[fid] = Concept(check_code(fid, "ISIC feature"), fid, definition, designations=syns)
    for fid in list(nodes):
        parts = fid.split(" : ")
        for i in range(1, len(parts)):
            node(" : ".join(parts[:i]))
    for path, c in nodes.items():
        parts = path.split(" : ")
        if len(parts) == 1:
            roots_f.append(c)
        else:
            nodes[" : ".join(parts[:-1])].children.append(c)

    def sort_tree(cs: list[Concept]) -> None:
        cs.sort(key=lambda c: sort_key(c.code))
        for c in cs:
            sort_tree(c.children)

    sort_tree(roots_f)
    systems["isic-dermoscopic-feature"] = CodeSystemSpec(
        id="isic-dermoscopic-feature",
        summary="ISIC Archive dermoscopic feature taxonomy (176 features plus grouping concepts).",
        name="IsicDermoscopicFeatureCS",
        title="ISIC Archive Dermoscopic Feature",
        description=(
            f"The dermoscopic feature taxonomy of the ISIC Archive ({len(features)} features, metaphoric "
            "nomenclature, e.g. 'Lines : Streaks'), with the feature name as code. Names are hierarchical by ' : '; "
            f"the {n_grouping} parent names that are not themselves features (e.g. 'Lines', 'Globules / Clods : "
            "Lacunae') are added as grouping concepts marked notSelectable. The ISIC synonyms (other names of the "
            f"same feature in the taxonomy) are designations. No SNOMED CT or DICOM codes exist for these "
            f"structures in the cited sources. {COMPLETION}"
        ),
        sources=["isic_archive_masterFeatures.json"],
        concepts=roots_f,
        hierarchy_meaning="grouped-by",
    )

    criteria = []
    header = csv_header(need("derm7pt_meta.csv"))
    for col, display in DERM7PT_CRITERIA:
        if col not in header:
            raise SystemExit(f"derm7pt_meta.csv has no column {col}")
        values = sorted({r[col].strip() for r in d7} - {""}, key=sort_key)
        children = [
            Concept(check_code(f"{col}-{v.replace(' ', '_')}", "derm7pt"), f"{display}: {v}",
                    f"Derm7pt {col} = '{v}'.")
            for v in values
        ]
        criteria.append(Concept(col, display, f"Seven-point checklist criterion (Derm7pt column {col}); its "
                                f"observed values are the child codes.", children=children))
    systems["derm7pt-criterion"] = CodeSystemSpec(
        id="derm7pt-criterion",
        summary="Derm7pt seven-point checklist criteria, with their observed values as child codes.",
        name="Derm7ptCriterionCS",
        title="Derm7pt Seven-Point Checklist Criterion",
        description=(
            "The seven-point checklist criteria as recorded in the Derm7pt dataset (pigment network, streaks, "
            "pigmentation, regression structures, dots and globules, blue-whitish veil, vascular structures), "
            "each a code named after its dataset column, with the values observed in the dataset as child codes "
            "'<criterion>-<value>' (spaces in values become underscores, e.g. pigmentation-diffuse_irregular). "
            f"The criterion code names the observation, a child code its value. {COMPLETION}"
        ),
        sources=["derm7pt_meta.csv"],
        concepts=criteria,
        hierarchy_meaning="grouped-by",
    )
    systems["isic2018-lesion-attribute"] = CodeSystemSpec(
        id="isic2018-lesion-attribute",
        summary="ISIC 2018 Task 2 lesion attributes (mask names).",
        name="Isic2018LesionAttributeCS",
        title="ISIC 2018 Lesion Attribute",
        description=(
            "The five dermoscopic attributes of ISIC 2018 Task 2 (lesion attribute detection), with the attribute "
            "names of the challenge's mask files (ISIC_xxxxxxx_attribute_<name>.png) as codes; a segmentation mask "
            f"per attribute. {COMPLETION}"
        ),
        sources=[],
        concepts=[Concept(c, d, f"ISIC 2018 Task 2 attribute '{c}' (mask file suffix attribute_{c}).")
                  for c, d in ISIC2018_ATTRIBUTES],
    )
    legacy = enums["LegacyDxEnum"]
    if len(set(legacy)) != len(legacy) or set(LEGACY_DX_MAP) - set(legacy):
        raise SystemExit(f"LegacyDxEnum {legacy} does not match the curated legacy map")
    systems["isic-legacy-diagnosis"] = CodeSystemSpec(
        id="isic-legacy-diagnosis",
        summary="ISIC legacy diagnosis (the diagnosis field of ISIC 2016-2020 and the Archive API v1).",
        name="IsicLegacyDiagnosisCS",
        title="ISIC Legacy Diagnosis",
        description=(
            f"The {len(legacy)} values of the legacy ISIC diagnosis field (before the five-level hierarchy), as the "
            "ISIC 2016 to 2020 challenge files and the ISIC Archive API v1 write them (e.g. 'melanoma', 'lentigo "
            f"NOS', 'AIMP'), verbatim. {COMPLETION}"
        ),
        sources=["isic_metadata_field_enums.json"],
        concepts=[Concept(check_code(v, "legacy diagnosis"), v, f"ISIC legacy diagnosis '{v}'.")
                  for v in sorted(legacy, key=sort_key)],
        copyright="Values from the ISIC metadata (ImageMarkup/isic-metadata, Apache-2.0).",
    )
    systems["milk10k-class"] = CodeSystemSpec(
        id="milk10k-class",
        summary="MILK10k (ISIC 2025) diagnostic categories (AKIEC … VASC).",
        name="Milk10kClassCS",
        title="MILK10k Diagnostic Category",
        description=(
            "The eleven diagnostic categories of the MILK10k benchmark (ISIC 2025), as the column names of its "
            f"ground truth and submission files. {COMPLETION}"
        ),
        sources=[],
        concepts=[Concept(c, d, f"{definition} MILK10k category.") for c, d, definition in MILK10K_CLASSES],
    )
    systems["pad-ufes-20-diagnostic"] = CodeSystemSpec(
        id="pad-ufes-20-diagnostic",
        summary="PAD-UFES-20 diagnostic values (ACK, BCC, MEL, NEV, SCC, SEK).",
        name="PadUfes20DiagnosticCS",
        title="PAD-UFES-20 Diagnostic",
        description=(
            "The six diagnostic labels of the PAD-UFES-20 dataset (column diagnostic), verbatim; SCC includes "
            f"Bowen's disease. {COMPLETION}"
        ),
        sources=[],
        concepts=[Concept(c, d, f"PAD-UFES-20 diagnostic '{c}'.") for c, d in PAD_DIAGNOSTICS],
    )
    systems["pad-ufes-20-region"] = CodeSystemSpec(
        id="pad-ufes-20-region",
        summary="PAD-UFES-20 region values (ABDOMEN … THIGH).",
        name="PadUfes20RegionCS",
        title="PAD-UFES-20 Region",
        description=f"The lesion regions of the PAD-UFES-20 dataset (column region), verbatim. {COMPLETION}",
        sources=[],
        concepts=[Concept(c, c.capitalize(), f"PAD-UFES-20 region '{c}'.") for c in PAD_REGIONS],
    )
    return systems


# --------------------------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------------------------


def target_comment(code: str | None, row: MapRow, inherited_from: str | None = None) -> str:
    parts = []
    if inherited_from is not None:
        parts.append(f"Inherited from the ancestor '{inherited_from}': the target is broader than this value.")
    if code is None:
        parts.append(NO_CONCEPT)
        if row.note and inherited_from is None:
            parts.append(row.note)
        return " ".join(parts)
    s = SNOMED[code]
    if row.note and inherited_from is None:
        parts.append(row.note)
    conf = "" if s.confidence == "guide" else f"confidence {s.confidence}; "
    parts.append(f"Source: {'; '.join(s.sources)} ({conf}{s.kind}).")
    return " ".join(parts)


def build_map(cs: CodeSystemSpec, table: dict[str, list[MapRow]], inherit: bool) -> list[Element]:
    codes = {c.code for c, _ in cs.walk()}
    unknown = set(table) - codes
    if unknown:
        raise SystemExit(f"mapping table for {cs.id} names codes not in the code system: {sorted(unknown)}")
    elements = []
    for c, anc in cs.walk():
        rows = table.get(c.code)
        if rows is not None:
            targets = []
            for r in rows:
                if r.target is not None and r.target not in SNOMED:
                    raise SystemExit(f"{cs.id} {c.code}: target {r.target} is not a sourced SNOMED CT code")
                if (r.target is None) != (r.equivalence == "unmatched"):
                    raise SystemExit(f"{cs.id} {c.code}: target and equivalence disagree")
                targets.append((r.target, r.equivalence, target_comment(r.target, r)))
            elements.append(Element(c.code, c.display, targets, explicit=True))
            continue
        ancestor = next((a for a in reversed(anc) if a.code in table), None) if inherit else None
        if ancestor is not None and all(r.target is not None for r in table[ancestor.code]):
            targets = [(r.target, "wider", target_comment(r.target, r, ancestor.code))
                       for r in table[ancestor.code]]
            elements.append(Element(c.code, c.display, targets, explicit=False, inherited_from=ancestor.code))
        else:
            elements.append(Element(c.code, c.display, [(None, "unmatched", NO_CONCEPT)], explicit=False))
    return elements


POLICY_DIAGNOSIS = (
    "Target policy: one SNOMED CT target per source code, chosen among the concepts found in the cited sources "
    "(listed on the ISIC Mapping page). A clinical-finding (disorder) concept is preferred, because the mapped "
    "code becomes the value of the skin-finding component (SNOMED CT Skin finding hierarchy); for melanoma this "
    "is 372244006, the code of "
    "the guide's own example. Where the cited sources give no disorder concept, the morphologic-abnormality "
    "concept of the eHDSI morphology value set is used (e.g. nevus, seborrheic keratosis, hemangioma); it "
    "describes the lesion and is sent as BodyStructure.morphology, not as the finding. "
    "Equivalence: equivalent only where the meanings match; wider where the target is broader; narrower where the "
    "target covers only part of the class (with a comment saying which part); unmatched where no concept was "
    "found. Each target comment names its source key and confidence (A = standards-body artefact, B = "
    "third-party app code, to be verified in a SNOMED CT browser)."
)
POLICY_SITE = (
    "Targets are the guide's own body-sites-skin concepts where one names the site (e.g. Scalp 41695006, Back "
    "77568009), else SNOMED CT 'skin of ...' body structures from DICOM CID 4029 Dermatology Anatomic Site (or the "
    "eHDSI body-site value set where only it has the concept), which the body-sites-skin value set includes as a "
    "marked completion: the dataset sites are the sites of skin lesions. "
    "Equivalence: equivalent where the site matches; wider where the target is broader (e.g. Skin 39937001 for a "
    "site without its own concept); unmatched where no concept covers the site (e.g. mucosa, nails, unknown)."
)


def build_maps(systems: dict[str, CodeSystemSpec]) -> list[ConceptMapSpec]:
    ham_dx_table = {dx: CHALLENGE_CLASS_MAP[cls] for dx, cls in HAM_DX_TO_CLASS.items()}
    specs = [
        ("isic-diagnosis-to-snomed", "IsicDiagnosisToSnomed", "ISIC Diagnosis to SNOMED CT", "isic-diagnosis",
         ISIC_DIAGNOSIS_MAP, True,
         "Maps the ISIC hierarchical diagnosis to SNOMED CT. A value without a curated row inherits the target of "
         "its nearest mapped ancestor with equivalence wider (e.g. every basal cell carcinoma subtype maps wider "
         "to Basal cell carcinoma of skin); an unmatched row stops the inheritance. " + POLICY_DIAGNOSIS),
        ("isic-challenge-class-to-snomed", "IsicChallengeClassToSnomed", "ISIC Challenge Class to SNOMED CT",
         "isic-challenge-class", CHALLENGE_CLASS_MAP, False,
         "Maps the ISIC 2018 / 2019 challenge classes to SNOMED CT. " + POLICY_DIAGNOSIS),
        ("ham10000-dx-to-snomed", "Ham10000DxToSnomed", "HAM10000 Diagnosis to SNOMED CT", "ham10000-dx",
         ham_dx_table, False,
         "Maps the HAM10000 dx labels to SNOMED CT, exactly as their ISIC challenge classes are mapped. "
         + POLICY_DIAGNOSIS),
        ("diagnosis-confirmation-to-snomed", "DiagnosisConfirmationToSnomed",
         "Diagnosis Confirmation Method to SNOMED CT", "diagnosis-confirmation", CONFIRMATION_MAP, False,
         "Maps the diagnosis confirmation methods to SNOMED CT. Only histopathology has a cited concept "
         "(252416005 Histopathology, DICOM CID 8131, a procedure: use it as a method); the other methods are "
         "unmatched and are sent with the guide's own code system."),
        ("isic-anatomic-site-to-snomed", "IsicAnatomicSiteToSnomed", "ISIC Anatomic Site to SNOMED CT",
         "isic-anatomic-site", ISIC_SITE_GENERAL_MAP, False,
         "Maps the ISIC anatom_site_general and anatom_site_special values to SNOMED CT. " + POLICY_SITE),
        ("isic-anatomic-site-hierarchy-to-snomed", "IsicAnatomicSiteHierarchyToSnomed",
         "ISIC Anatomic Site Hierarchy to SNOMED CT", "isic-anatomic-site-hierarchy", ISIC_SITE_HIERARCHY_MAP, True,
         "Maps the ISIC hierarchical anatomic sites to SNOMED CT. A value without a curated row inherits the "
         "target of its nearest mapped ancestor with equivalence wider (e.g. Forearm maps wider to Skin of upper "
         "extremity); an unmatched row stops the inheritance (e.g. Mouth, Orbital region). " + POLICY_SITE),
        ("ham10000-localization-to-snomed", "Ham10000LocalizationToSnomed", "HAM10000 Localization to SNOMED CT",
         "ham10000-localization", HAM_LOCALIZATION_MAP, False,
         "Maps the HAM10000 localizations to SNOMED CT. " + POLICY_SITE),
        ("derm7pt-location-to-snomed", "Derm7ptLocationToSnomed", "Derm7pt Location to SNOMED CT",
         "derm7pt-location", DERM7PT_LOCATION_MAP, False,
         "Maps the Derm7pt lesion locations to SNOMED CT. " + POLICY_SITE),
        ("isic-legacy-diagnosis-to-snomed", "IsicLegacyDiagnosisToSnomed", "ISIC Legacy Diagnosis to SNOMED CT",
         "isic-legacy-diagnosis", LEGACY_DX_MAP, True,
         "Maps the ISIC legacy diagnosis values to SNOMED CT; a value without a curated row is unmatched. "
         + POLICY_DIAGNOSIS),
        ("milk10k-class-to-snomed", "Milk10kClassToSnomed", "MILK10k Diagnostic Category to SNOMED CT",
         "milk10k-class", MILK10K_MAP, False, "Maps the MILK10k diagnostic categories to SNOMED CT. "
         + POLICY_DIAGNOSIS),
        ("pad-ufes-20-diagnostic-to-snomed", "PadUfes20DiagnosticToSnomed", "PAD-UFES-20 Diagnostic to SNOMED CT",
         "pad-ufes-20-diagnostic", PAD_DIAGNOSTIC_MAP, False,
         "Maps the PAD-UFES-20 diagnostic labels to SNOMED CT. " + POLICY_DIAGNOSIS),
        ("pad-ufes-20-region-to-snomed", "PadUfes20RegionToSnomed", "PAD-UFES-20 Region to SNOMED CT",
         "pad-ufes-20-region", PAD_REGION_MAP, False,
         "Maps the PAD-UFES-20 lesion regions to SNOMED CT. " + POLICY_SITE),
    ]
    maps = []
    for cm_id, name, title, cs_id, table, inherit, desc in specs:
        cs = systems[cs_id]
        elements = build_map(cs, table, inherit)
        if not inherit:
            missing = [e.code for e in elements if not e.explicit]
            if missing:
                raise SystemExit(f"{cm_id}: no curated row for {missing}")
        keys = sorted({k for e in elements for t, _, _ in e.targets if t for k in SNOMED[t].sources})
        maps.append(ConceptMapSpec(cm_id, name, title, f"{desc} {COMPLETION}", cs, elements, keys))
    return maps


# --------------------------------------------------------------------------------------------------------------
# FSH writing
# --------------------------------------------------------------------------------------------------------------


def q(text: str) -> str:
    """FSH string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fsh_code(code: str) -> str:
    return "#" + (code if re.fullmatch(r"[A-Za-z0-9_.\-]+", code) else q(code))


def header(sources: list[str]) -> str:
    src = ", ".join(sources) if sources else "curated data in the script"
    return f"// Generated by {SCRIPT} from {src}; do not edit by hand.\n"


def write_codesystem(cs: CodeSystemSpec, canonical: str, version: str) -> str:
    lines = [header(cs.sources)]
    lines += [f"CodeSystem: {cs.name}", f"Id: {cs.id}", f"Title: {q(cs.title)}", f"Description: {q(cs.description)}"]
    lines += [
        f"* ^url = {q(f'{canonical}/CodeSystem/{cs.id}')}",
        f"* ^version = {q(version)}",
        "* ^status = #draft",
        "* ^experimental = false",
        "* ^caseSensitive = true",
        "* ^content = #complete",
        f"* ^count = {cs.count()}",
    ]
    if cs.copyright:
        lines.append(f"* ^copyright = {q(cs.copyright)}")
    if cs.hierarchy_meaning:
        lines.append(f"* ^hierarchyMeaning = #{cs.hierarchy_meaning}")
    has_ns = any(c.not_selectable for c, _ in cs.walk())
    if has_ns:
        lines += [
            "* ^property[0].code = #notSelectable",
            f"* ^property[0].uri = {q('http://hl7.org/fhir/concept-properties#notSelectable')}",
            "* ^property[0].type = #boolean",
            f"* ^property[0].description = {q('Grouping concept, not itself a value of the source vocabulary.')}",
        ]
    carets: list[str] = []
    for c, anc in cs.walk():
        indent = "  " * len(anc)
        lines.append(f"{indent}* {fsh_code(c.code)} {q(c.display)}" + (f" {q(c.definition)}" if c.definition else ""))
        path = " ".join(fsh_code(a.code) for a in anc + [c])
        if c.not_selectable:
            carets += [f"* {path} ^property[0].code = #notSelectable", f"* {path} ^property[0].valueBoolean = true"]
        for i, d in enumerate(c.designations):
            carets.append(f"* {path} ^designation[{i}].value = {q(d)}")
    if carets:
        lines.append("// designations (ISIC synonyms) and notSelectable flags")
        lines += carets
    return "\n".join(lines) + "\n"


def write_valueset(cs: CodeSystemSpec, canonical: str, version: str) -> str:
    name = cs.name[:-2] + "VS" if cs.name.endswith("CS") else cs.name + "VS"
    desc = f"All codes of the {cs.title} code system ({cs.count()} concepts). {COMPLETION}"
    lines = [header(cs.sources)]
    lines += [f"ValueSet: {name}", f"Id: {cs.id}", f"Title: {q(cs.title)}", f"Description: {q(desc)}"]
    lines += [
        f"* ^url = {q(f'{canonical}/ValueSet/{cs.id}')}",
        f"* ^version = {q(version)}",
        "* ^status = #draft",
        "* ^experimental = false",
        f"* include codes from system {canonical}/CodeSystem/{cs.id}",
    ]
    return "\n".join(lines) + "\n"


def write_conceptmap(cm: ConceptMapSpec, canonical: str, version: str) -> str:
    lines = [header(cm.source.sources + ["the curated SNOMED CT table in the script"])]
    lines += [f"Instance: {cm.id}", "InstanceOf: ConceptMap", "Usage: #definition", f"Title: {q(cm.title)}",
              f"Description: {q(cm.description)}"]
    lines += [
        f"* url = {q(f'{canonical}/ConceptMap/{cm.id}')}",
        f"* version = {q(version)}",
        f"* name = {q(cm.name)}",
        f"* title = {q(cm.title)}",
        "* status = #draft",
        "* experimental = false",
        f"* description = {q(cm.description)}",
        f"* sourceCanonical = {q(f'{canonical}/ValueSet/{cm.source.id}')}",
        f"* targetUri = {q(SNOMED_SYSTEM + '?fhir_vs')}",
        f"* group[0].source = {q(f'{canonical}/CodeSystem/{cm.source.id}')}",
        f"* group[0].target = {q(SNOMED_SYSTEM)}",
    ]
    for i, e in enumerate(cm.elements):
        p = f"* group[0].element[{i}]"
        tag = "curated" if e.explicit else (f"inherited from {e.inherited_from}" if e.inherited_from else "default")
        lines.append(f"// {e.code} ({tag})")
        lines += [f"{p}.code = {fsh_code(e.code)}", f"{p}.display = {q(e.display)}"]
        for j, (t, eq, comment) in enumerate(e.targets):
            tp = f"{p}.target[{j}]"
            if t is not None:
                lines += [f"{tp}.code = #{t}", f"{tp}.display = {q(SNOMED[t].display)}"]
            lines += [f"{tp}.equivalence = #{eq}", f"{tp}.comment = {q(comment)}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------------------
# Mapping page
# --------------------------------------------------------------------------------------------------------------


def md(text: str) -> str:
    return text.replace("|", "\\|")


def equivalence_counts(cm: ConceptMapSpec) -> Counter[str]:
    return Counter(eq for e in cm.elements for _, eq, _ in e.targets)


def write_page(systems: dict[str, CodeSystemSpec], maps: list[ConceptMapSpec], all_sources: list[str]) -> str:
    out: list[str] = []
    w = out.append
    w(f"<!-- Generated by {SCRIPT} from {', '.join(all_sources)}; do not edit by hand. -->\n")
    w("### ISIC, HAM10000 and Derm7pt vocabularies and their SNOMED CT mappings\n")
    w(f"{COMPLETION} The published guide names the ISIC to SNOMED CT mapping as open work; this page, the code "
      "systems, value sets and concept maps below complete it. Public dermatology datasets label images with "
      "their own vocabularies; this guide represents each one as a CodeSystem (with a ValueSet of all its codes, "
      "same id) so that imported data keeps the dataset's own code, and maps it to SNOMED CT where a cited "
      "concept exists, so that the skin-finding value and the body site can also carry SNOMED CT.\n")
    w("#### Vocabularies\n")
    w("| Code system (and value set) | Concepts | Hierarchy | Content |")
    w("|---|---|---|---|")
    for cs in systems.values():
        hier = cs.hierarchy_meaning or "flat"
        w(f"| [{md(cs.title)}](CodeSystem-{cs.id}.html) (`{cs.id}`) | {cs.count()} | {hier} | {md(cs.summary)} |")
    w("")
    w("Code choices: the ISIC hierarchical vocabularies use the text of each level as the code (e.g. "
      "`Melanoma Invasive`): the ISIC Archive API emits the diagnosis levels as these texts in `diagnosis_1` to "
      "`diagnosis_5`, and the ISIC site vocabulary has the same shape (`anatom_site_1` to `anatom_site_5`), so a "
      "value is taken over unchanged; every level text is unique within its vocabulary. The "
      "challenge classes, the HAM10000 labels and the ISIC general sites keep their dataset spelling. Diagnosis "
      "confirmation uses the HAM10000 `dx_type` labels as codes and the ISIC `diagnosis_confirm_type` strings as "
      "displays: `histo` = histopathology, `follow_up` = serial imaging showing no change, `consensus` = single "
      "image expert consensus, `confocal` = confocal microscopy with consensus dermoscopy, and "
      "`single_contributor` = single contributor clinical assessment (ISIC only).\n")
    w("#### Mapping policy\n")
    w("- **Only cited codes.** Every SNOMED CT target was seen in a cited public source (listed below with its "
      "key); no code was taken from memory. A source value without such a concept is `unmatched`, with the "
      "comment \"No SNOMED CT concept found in the cited sources.\" (e.g. dermatofibroma, lichen planus-like "
      "keratosis, angiokeratoma, unknown site).")
    w("- **Equivalence** (R4 `ConceptMap.group.element.target.equivalence`): `equivalent` only where the meanings "
      "match; `wider` where the SNOMED CT concept is broader than the source value; `narrower` where it covers "
      "only part of the source class (the comment says which part; do not translate automatically); `unmatched` "
      "where nothing fits.")
    w("- **Diagnoses:** one target per code. A disorder concept is preferred, because the mapped code becomes the "
      "value of the skin-finding component (SNOMED CT Skin finding hierarchy); melanoma maps to 372244006, the "
      "code of the guide's own example. Where the cited sources have no disorder concept, the eHDSI "
      "morphologic-abnormality concept is used (nevus, melanoma in situ, seborrheic keratosis, lentigo, "
      "hemangioma): it describes the lesion, so importers send it as the lesion's morphology, not as the finding. "
      "Codes of confidence B come from a third-party picklist and should be verified in a SNOMED CT "
      "browser before clinical use.")
    w("- **Sites:** targets are SNOMED CT \"skin of ...\" body structures (DICOM CID 4029); a site without its own "
      "concept maps `wider` to the nearest broader one (ultimately 39937001 Skin); mucosa, nails and the eye are "
      "`unmatched`.")
    w("- **Hierarchies:** in the ISIC diagnosis and anatomic-site hierarchies a value without a curated row "
      "inherits the target of its nearest mapped ancestor with equivalence `wider`; an `unmatched` row stops the "
      "inheritance for its subtree.")
    w("- **Dermoscopic features** (ISIC Archive taxonomy, Derm7pt criteria, ISIC 2018 attributes) are not mapped: "
      "no SNOMED CT or DICOM codes for dermoscopic structures were found in the cited sources.\n")
    w("#### Counts\n")
    w("| Concept map | Source code system | Elements | equivalent | wider | narrower | unmatched |")
    w("|---|---|---|---|---|---|---|")
    for cm in maps:
        c = equivalence_counts(cm)
        w(f"| [{md(cm.title)}](ConceptMap-{cm.id}.html) | `{cm.source.id}` | {len(cm.elements)} | "
          f"{c['equivalent']} | {c['wider']} | {c['narrower']} | {c['unmatched']} |")
    w("\n(Element counts are source codes; AKIEC and akiec each have two `narrower` targets.)\n")

    for cm in maps:
        w(f"#### {md(cm.title)}\n")
        w(f"[ConceptMap `{cm.id}`](ConceptMap-{cm.id}.html), source `{cm.source.id}`.\n")
        hierarchical = any(not e.explicit for e in cm.elements)
        rows = [e for e in cm.elements if e.explicit] if hierarchical else cm.elements
        if hierarchical:
            w("Curated rows:\n")
        w("| Source code | Equivalence | SNOMED CT | Display | Comment |")
        w("|---|---|---|---|---|")
        for e in sorted(rows, key=lambda e: sort_key(e.code)) if hierarchical else rows:
            for t, eq, comment in e.targets:
                code = t or ""
                disp = SNOMED[t].display if t else ""
                w(f"| {md(e.code)} | {eq} | {code} | {md(disp)} | {md(comment)} |")
        w("")
        if hierarchical:
            inh = Counter(e.inherited_from for e in cm.elements if e.inherited_from)
            rest = sum(1 for e in cm.elements if not e.explicit and not e.inherited_from)
            w("Inherited rows (`wider`), by ancestor:\n")
            w("| Ancestor | SNOMED CT | Descendants mapped wider |")
            w("|---|---|---|")
            for anc, n in sorted(inh.items(), key=lambda kv: sort_key(kv[0])):
                tgt = next(e for e in cm.elements if e.code == anc).targets
                w(f"| {md(anc)} | {', '.join(f'{t} {md(SNOMED[t].display)}' for t, _, _ in tgt if t)} | {n} |")
            w(f"\nThe other {rest} values have no curated row and no mapped ancestor: `unmatched`.\n")

    w("#### SNOMED CT concepts targeted\n")
    used: dict[str, set[str]] = {}
    for cm in maps:
        for e in cm.elements:
            for t, _, _ in e.targets:
                if t:
                    used.setdefault(t, set()).add(cm.id)
    w("| Code | Display | Kind | Source | Confidence | Used by |")
    w("|---|---|---|---|---|---|")
    for code in sorted(used, key=lambda c: (SNOMED[c].section, SNOMED[c].display.casefold())):
        s = SNOMED[code]
        w(f"| {code} | {md(s.display)} | {s.kind} | {'; '.join(s.sources)} | {s.confidence} | "
          f"{', '.join(f'`{u}`' for u in sorted(used[code]))} |")
    w("\nThe disorder targets are members of the [DermatologyFindings](ValueSet-dermatology-findings.html) value set "
      "of this guide; the morphologic-abnormality targets are members of "
      "[Skin Lesion Morphology](ValueSet-skin-lesion-morphology.html). DermatologyFindings holds skin findings "
      "only, so the importers put a morphologic-abnormality target on the lesion (`BodyStructure.morphology`), not "
      "in the skin-finding component, which keeps the dataset code and text; the dataset diagnosis codes without a "
      "sourced skin finding are listed in [Dermatology Findings: Completion]"
      "(ValueSet-dermatology-findings-completion.html), which DermatologyFindings includes. The site targets are "
      "SNOMED CT body structures for `Observation.bodySite` and `BodyStructure.location` (extensible binding); the "
      "dataset sites no sourced body structure covers are listed in [Body Sites (Skin): Completion]"
      "(ValueSet-body-sites-skin-completion.html), which body-sites-skin includes. HAM10000's `unknown` "
      "localization is no site: the importers leave the body site out.\n")
    w("#### Sources\n")
    w("Terminology (source keys):\n")
    for key in sorted({k for c in used for k in SNOMED[c].sources} | {"the guide"}):
        w(f"- **{key}**: {SOURCE_KEYS[key]}")
    w("\nDatasets and vocabularies:\n")
    for key, text in CITATIONS.items():
        w(f"- **{key}**: {text}")
    w("\nThe datasets are distributed under their own licences (mostly for non-commercial research); this guide "
      "takes over only their vocabulary values, not their records.")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------


def read_config(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    canon = re.search(r"^canonical:\s*(\S+)\s*$", text, re.M)
    ver = re.search(r"^version:\s*(\S+)\s*$", text, re.M)
    if not canon or not ver:
        raise SystemExit(f"{path}: no canonical / version")
    return canon.group(1).strip("'\""), ver.group(1).strip("'\"")


SITE_MAPS = {"isic-anatomic-site-to-snomed", "isic-anatomic-site-hierarchy-to-snomed",
             "ham10000-localization-to-snomed", "derm7pt-location-to-snomed", "pad-ufes-20-region-to-snomed"}


def completion_value_set(ident: str, name: str, title: str, description: str, canonical: str, version: str,
                         maps_named: str) -> list[str]:
    """The FSH header lines of a generated completion ValueSet (draft, the guide's version)."""
    return [
        header([maps_named]).rstrip("\n"),
        f"ValueSet: {name}",
        f"Id: {ident}",
        f"Title: {q(title)}",
        "Description: " + q(f"{COMPLETION} {description}"),
        f"* ^url = {q(f'{canonical}/ValueSet/{ident}')}",
        f"* ^version = {q(version)}",
        "* ^status = #draft",
        "* ^experimental = false",
    ]


def concept_comment(rule: str, text: str) -> list[str]:
    """Caret rules giving the value set concept `rule` (`* system#code`) a valueset-concept-comments extension."""
    return [f"{rule} ^extension[0].url = \"http://hl7.org/fhir/StructureDefinition/valueset-concept-comments\"",
            f"{rule} ^extension[0].valueString = {q(text)}"]


#: dataset codes that say no value was recorded (the importers leave the element out)
NOT_RECORDED = {("ham10000-localization", "unknown")}
#: ConceptMap equivalences whose target may stand for the source code (as the importers use them)
SAFE_EQUIVALENCES = frozenset({"equal", "equivalent", "wider", "subsumes"})


def write_body_site_completion(maps: list[ConceptMapSpec], canonical: str, version: str) -> str:
    """The ValueSet body-sites-skin-completion: every SNOMED CT target of the site maps that the guide's published
    body-sites-skin value set lacks, each marked as a completion (concept comment). body-sites-skin includes it."""
    used: dict[str, list[str]] = {}
    for cm in maps:
        if cm.id not in SITE_MAPS:
            continue
        for element in cm.elements:
            for target, _, _ in element.targets:
                if target and target not in GUIDE_BODY_SITES:
                    used.setdefault(target, [])
                    if cm.id not in used[target]:
                        used[target].append(cm.id)
    lines = completion_value_set(
        "body-sites-skin-completion", "BodySitesSkinCompletionVS", "Body Sites (Skin): Completion",
        "The SNOMED CT body structures that the dataset site maps of the guide (ISIC, HAM10000, Derm7pt, PAD-UFES-20) "
        "use where the published body-sites-skin value set has no concept for the site (e.g. the trunk, the upper "
        "extremity, the skin as a whole), and the dataset sites for which no SNOMED CT body structure is sourced (e.g. "
        "oral/genital, mucosa), sent with their dataset code. body-sites-skin includes this value set, so that "
        "correctly imported sites conform to its binding.", canonical, version, "the site ConceptMaps of this script")
    carets = []
    for code in sorted(used, key=int):
        item = SNOMED[code]
        comment = (f"{COMPLETION} Target of {', '.join(sorted(used[code]))}; source: {'; '.join(item.sources)} "
                   f"(confidence {item.confidence}).")
        lines.append(f"* $SCT#{code} {q(item.display)}")
        carets += concept_comment(f"* $SCT#{code}", comment)
    # the dataset sites no SNOMED CT body structure of the cited sources covers (mucosa, oral/genital …): sent with
    # their dataset code, which must then conform too. A code saying no site was recorded is no site: left out.
    for cm in sorted(maps, key=lambda item: item.id):
        if cm.id not in SITE_MAPS:
            continue
        system = f"{canonical}/CodeSystem/{cm.source.id}"
        for element in cm.elements:
            if (cm.source.id, element.code) in NOT_RECORDED or any(
                    target and equivalence in SAFE_EQUIVALENCES for target, equivalence, _ in element.targets):
                continue
            rule = f"* {system}{fsh_code(element.code)}"
            lines.append(f"{rule} {q(element.display)}")
            carets += concept_comment(rule, f"{COMPLETION} {cm.id}: no SNOMED CT body structure is sourced for this site.")
    return "\n".join(lines + carets) + "\n"


DIAGNOSIS_MAPS = {"isic-diagnosis-to-snomed", "isic-challenge-class-to-snomed", "ham10000-dx-to-snomed",
                  "isic-legacy-diagnosis-to-snomed", "milk10k-class-to-snomed", "pad-ufes-20-diagnostic-to-snomed"}


def write_finding_completion(maps: list[ConceptMapSpec], canonical: str, version: str) -> str:
    """The ValueSet dermatology-findings-completion: the dataset diagnosis codes that no SNOMED CT skin finding
    (disorder) of the cited sources stands for, each marked as a completion. DermatologyFindings includes it, so that
    a finding sent with its dataset code and text (and, where one is sourced, a morphologic abnormality on the
    lesion) conforms to the binding."""
    lines = completion_value_set(
        "dermatology-findings-completion", "DermatologyFindingsCompletionVS", "Dermatology Findings: Completion",
        "The dataset diagnosis codes of the guide's code systems (ISIC, HAM10000, MILK10k, PAD-UFES-20) for which the "
        "cited sources give no SNOMED CT skin finding: either no SNOMED CT concept (e.g. dermatofibroma, benign "
        "keratosis) or only a morphologic abnormality, which belongs on the lesion (BodyStructure.morphology, "
        "skin-lesion-morphology), not in a finding. DermatologyFindings includes this value set, so that such "
        "findings, sent with their dataset code and text, conform to its binding.", canonical, version,
        "the diagnosis ConceptMaps of this script")
    carets = []
    for cm in sorted(maps, key=lambda item: item.id):
        if cm.id not in DIAGNOSIS_MAPS:
            continue
        system = f"{canonical}/CodeSystem/{cm.source.id}"
        for element in cm.elements:
            safe = [target for target, equivalence, _ in element.targets
                    if target and equivalence in SAFE_EQUIVALENCES]
            if any(SNOMED[target].kind == "disorder" for target in safe):
                continue
            morphology = [target for target in safe if SNOMED[target].kind == "morphologic abnormality"]
            why = (f"only the morphologic abnormality {', '.join(morphology)} is sourced (for the lesion)"
                   if morphology else "no SNOMED CT skin finding is sourced")
            rule = f"* {system}{fsh_code(element.code)}"
            lines.append(f"{rule} {q(element.display)}")
            carets += concept_comment(rule, f"{COMPLETION} {cm.id}: {why}.")
    return "\n".join(lines + carets) + "\n"


def file_stem(kind: str, ident: str) -> str:
    return f"{kind}_{ident.replace('-', '_')}.fsh"


def generate(data: Path, config: Path) -> tuple[dict[str, str], str]:
    canonical, version = read_config(config)
    systems = load(data)
    maps = build_maps(systems)
    files: dict[str, str] = {}
    for cs in systems.values():
        files[file_stem("CS", cs.id)] = write_codesystem(cs, canonical, version)
        files[file_stem("VS", cs.id)] = write_valueset(cs, canonical, version)
    for cm in maps:
        files[file_stem("CM", cm.id)] = write_conceptmap(cm, canonical, version)
    files["VS_body_sites_skin_completion.fsh"] = write_body_site_completion(maps, canonical, version)
    files["VS_dermatology_findings_completion.fsh"] = write_finding_completion(maps, canonical, version)
    all_sources = sorted({s for cs in systems.values() for s in cs.sources}, key=sort_key)
    return files, write_page(systems, maps, all_sources)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "real",
                    help="folder of the public dataset files (default: ../shared/data/real from the repository root)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "ig" / "input" / "fsh" / "generated",
                    help="folder for the generated FSH files")
    ap.add_argument("--page", type=Path, default=REPO_ROOT / "ig" / "input" / "pagecontent" / "isic-mapping.md",
                    help="the generated mapping page")
    ap.add_argument("--config", type=Path, default=REPO_ROOT / "ig" / "sushi-config.yaml",
                    help="SUSHI configuration (canonical and version)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files on disk differ")
    args = ap.parse_args(argv)

    files, page = generate(args.data, args.config)
    wanted = {args.out / name: text for name, text in files.items()}
    wanted[args.page] = page
    stale = [p for p in sorted(args.out.glob("*.fsh")) if p not in wanted
             and p.read_text(encoding="utf-8").startswith(f"// Generated by {SCRIPT}")]
    if args.check:
        differ = [p for p, t in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != t]
        for p in differ + stale:
            print(f"out of date: {p}", file=sys.stderr)
        return 1 if differ or stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for p in stale:
        p.unlink()
    for p, text in wanted.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    print(f"wrote {len(files)} FSH files to {args.out} and {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
