ValueSet: DermatologyFindings
Id: dermatology-findings
Title: "DermatologyFindings"
Description: """
SNOMED CT skin findings with 106076001 |Skin finding| as root, for the skin-finding component of annotations and AI predictions, the morphology of a skin lesion and the outcomes of class-probability assessments. Published in the guide 0.1.0 as "SNOMED CT descendants of 106076001 |Skin finding|".

Completion: not in the published guide 0.1.0, whose content is an intensional SNOMED CT rule that cannot be expanded without a SNOMED CT terminology server. This guide enumerates the concepts it uses (every concept the ISIC / HAM10000 mappings of this guide target), so the value set expands offline. Every code has a cited public source (see conformance.html): eHDSI morphologic abnormality value set (eHDSI-M), DICOM context groups (CID), a third-party SNOMED CT coded dermatology picklist (APP, display is the SNOMED CT FSN as given there, to be verified in a SNOMED CT browser), a public FHIR EvidenceVariable (FHIR-EV) or the published guide. Morphologic-abnormality concepts suit BodyStructure.morphology; disorder concepts suit a diagnosis. The binding is extensible: other SNOMED CT skin findings may be sent when none of these fits. No SNOMED CT code was found in the cited sources for dermatofibroma, lichen planus-like keratosis or angiokeratoma; such findings are sent as text.
"""
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/dermatology-findings"
* ^status = #draft
* ^experimental = false
// root
* $SCT#106076001 "Skin finding" // source: the guide (root of DermatologyFindings)
// melanoma (ISIC MEL / HAM10000 mel)
* $SCT#1162635006 "Malignant melanoma" // source: eHDSI-M; DICOM CID 639
* $SCT#77986002 "Melanoma in situ" // source: eHDSI-M
* $SCT#93655004 "Malignant melanoma of skin (disorder)" // source: APP
* $SCT#372244006 "Malignant melanoma (disorder)" // source: the guide (published example); also a public app term list
* $SCT#254730000 "Superficial spreading malignant melanoma of skin (disorder)" // source: APP (test data)
* $SCT#70594002 "Amelanotic melanoma" // source: eHDSI-M
// nevi (ISIC NV / HAM10000 nv)
* $SCT#1163403006 "Pigmented nevus" // source: eHDSI-M
* $SCT#49409001 "Compound nevus" // source: eHDSI-M
* $SCT#112681002 "Intradermal nevus" // source: eHDSI-M
* $SCT#61814002 "Dysplastic nevus" // source: eHDSI-M
* $SCT#254818000 "Dysplastic naevus of skin (disorder)" // source: APP
* $SCT#254819008 "Atypical mole syndrome" // source: DICOM CID 4405
// basal cell carcinoma (ISIC BCC / HAM10000 bcc)
* $SCT#1338007 "Basal cell carcinoma" // source: eHDSI-M
* $SCT#254701007 "Basal cell carcinoma of skin (disorder)" // source: APP; FHIR-EV
* $SCT#254702000 "Basosquamous carcinoma of skin (disorder)" // source: APP (test data)
// actinic keratosis and intraepithelial carcinoma (ISIC AK / HAM10000 akiec); 396233003 excluded (conflicting sources)
* $SCT#201101007 "Actinic keratosis" // source: DICOM CID 4405; also APP
* $SCT#856006 "Actinic keratosis" // source: eHDSI-M
* $SCT#1162893000 "Squamous cell carcinoma in situ" // source: eHDSI-M
* $SCT#254656002 "Squamous cell carcinoma in situ of skin (disorder)" // source: APP
// squamous cell carcinoma (ISIC SCC); 254837009 excluded (conflicting sources)
* $SCT#1162767002 "Squamous cell carcinoma" // source: eHDSI-M; DICOM CID 639 / CID 6033
* $SCT#254651007 "Squamous cell carcinoma of skin" // source: DICOM CID 639; also APP
* $SCT#254662007 "Keratoacanthoma (disorder)" // source: APP
// benign keratosis-like lesions (ISIC BKL / HAM10000 bkl)
* $SCT#25499005 "Seborrheic keratosis" // source: eHDSI-M
* $SCT#767376003 "Lentigo" // source: eHDSI-M
// vascular lesions (ISIC VASC / HAM10000 vasc)
* $SCT#253053003 "Benign hemangioma" // source: eHDSI-M
* $SCT#33377007 "Cavernous hemangioma" // source: eHDSI-M
* $SCT#56468002 "Venous hemangioma" // source: eHDSI-M
// other malignancies (MILK10k MAL_OTH)
* $SCT#253001006 "Merkel cell carcinoma of skin (disorder)" // source: APP
// generic lesion concepts
* $SCT#52988006 "Lesion" // source: DICOM CID 7159 (Lesion Segmentation Type)
* $SCT#108369006 "Neoplasm" // source: DICOM CID 7159
* $SCT#27925004 "Nodule" // source: DICOM CID 7159
// history concepts (situations; used when the image documents a treated lesion)
* $SCT#161432005 "History of malignant melanoma" // source: DICOM CID 4402
* $SCT#321000119108 "History of malignant melanoma of the skin" // source: DICOM CID 4402
* $SCT#1251000119106 "History of melanoma in situ of the skin" // source: DICOM CID 4403
* $SCT#428053000 "History of malignant basal cell neoplasm of skin" // source: DICOM CID 4404
* $SCT#429024007 "History of squamous cell carcinoma of skin" // source: DICOM CID 4404 (listed there abbreviated "History of SCC of skin")
* $SCT#443895001 "History of malignant neoplasm of skin excluding melanoma" // source: DICOM CID 4404
