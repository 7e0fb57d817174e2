ValueSet: DermatologyFindings
Id: dermatology-findings
Title: "DermatologyFindings"
Description: """
SNOMED CT skin findings: concepts under 106076001 |Skin finding|, for the skin-finding component of annotations and AI predictions and the outcomes of class-probability assessments. Published in the guide 0.1.0 as SNOMED CT descendants of 106076001 |Skin finding|, bound extensibly.
"""
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/dermatology-findings"
* insert PublishedTerminology(DermatologyFindings)
* ^purpose = """
Completion: the published content is an intensional SNOMED CT rule that cannot be expanded without a SNOMED CT terminology server. This guide enumerates the root and the skin disorders it uses (the published example's 372244006 and the disorders the ISIC / HAM10000 mappings of this guide can target), each with a cited public source from the project's terminology notes: a third-party SNOMED CT coded dermatology picklist (APP: display is the SNOMED CT FSN as given there, to be verified in a SNOMED CT browser), DICOM CID 4405 (Skin Disorder) or the published guide. Morphologic-abnormality concepts are not skin findings: they are in skin-lesion-morphology (for BodyStructure.morphology). "History of" situations are in skin-cancer-history. The binding is extensible: other SNOMED CT skin findings may be sent when none of these fits. No SNOMED CT code was found in the cited sources for dermatofibroma, lichen planus-like keratosis or angiokeratoma; such findings are sent as text with their dataset code. Completion: the value set also includes dermatology-findings-completion, the dataset diagnosis codes of this guide's code systems (ISIC, HAM10000, MILK10k, PAD-UFES-20) for which no SNOMED CT skin finding is sourced, so that findings imported correctly from those datasets conform to the binding.
"""
* insert PublishedTerminology(DermatologyFindings)
* $SCT#106076001 "Skin finding" // source: the guide (root of DermatologyFindings)
* $SCT#93655004 "Malignant melanoma of skin (disorder)" // source: APP
* $SCT#372244006 "Malignant melanoma" // source: the guide (published example; display as published); also a public app term list (terminology.md)
* $SCT#254730000 "Superficial spreading malignant melanoma of skin (disorder)" // source: APP (test data)
* $SCT#254818000 "Dysplastic naevus of skin (disorder)" // source: APP
* $SCT#254819008 "Atypical mole syndrome" // source: DICOM CID 4405
* $SCT#254701007 "Basal cell carcinoma of skin (disorder)" // source: APP; FHIR-EV
* $SCT#254702000 "Basosquamous carcinoma of skin (disorder)" // source: APP (test data)
* $SCT#201101007 "Actinic keratosis" // source: DICOM CID 4405; also APP
* $SCT#254656002 "Squamous cell carcinoma in situ of skin (disorder)" // source: APP
* $SCT#254651007 "Squamous cell carcinoma of skin" // source: DICOM CID 639; also APP
* $SCT#254662007 "Keratoacanthoma (disorder)" // source: APP
* $SCT#253001006 "Merkel cell carcinoma of skin (disorder)" // source: APP
// Completion: the dataset diagnosis codes with no sourced SNOMED CT skin finding (generated value set).
* include codes from valueset https://annotatemd.com/fhir/ig/ValueSet/dermatology-findings-completion

ValueSet: SkinLesionMorphology
Id: skin-lesion-morphology
Title: "Skin Lesion Morphology"
Description: "Completion: not in the published guide 0.1.0. SNOMED CT morphologic-abnormality concepts for the kind of a skin lesion (BodyStructure.morphology of skin-lesion), each with a cited public source: eHDSI morphologic abnormality value set (eHDSI-M), DICOM CID 639 or CID 7159."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/skin-lesion-morphology"
* insert CompletionTerminology
* $SCT#1162635006 "Malignant melanoma" // source: eHDSI-M; DICOM CID 639
* $SCT#77986002 "Melanoma in situ" // source: eHDSI-M
* $SCT#70594002 "Amelanotic melanoma" // source: eHDSI-M
* $SCT#1163403006 "Pigmented nevus" // source: eHDSI-M
* $SCT#49409001 "Compound nevus" // source: eHDSI-M
* $SCT#112681002 "Intradermal nevus" // source: eHDSI-M
* $SCT#61814002 "Dysplastic nevus" // source: eHDSI-M
* $SCT#1338007 "Basal cell carcinoma" // source: eHDSI-M
* $SCT#856006 "Actinic keratosis" // source: eHDSI-M
* $SCT#1162893000 "Squamous cell carcinoma in situ" // source: eHDSI-M
* $SCT#1162767002 "Squamous cell carcinoma" // source: eHDSI-M; DICOM CID 639 / CID 6033
* $SCT#25499005 "Seborrheic keratosis" // source: eHDSI-M
* $SCT#767376003 "Lentigo" // source: eHDSI-M
* $SCT#253053003 "Benign hemangioma" // source: eHDSI-M
* $SCT#33377007 "Cavernous hemangioma" // source: eHDSI-M
* $SCT#56468002 "Venous hemangioma" // source: eHDSI-M
* $SCT#52988006 "Lesion" // source: DICOM CID 7159 (Lesion Segmentation Type)
* $SCT#108369006 "Neoplasm" // source: DICOM CID 7159
* $SCT#27925004 "Nodule" // source: DICOM CID 7159

ValueSet: SkinCancerHistory
Id: skin-cancer-history
Title: "Skin Cancer History"
Description: "Completion: not in the published guide 0.1.0. SNOMED CT \"History of\" situations for a patient's past skin cancer (e.g. Condition.code or an Observation of the history), each from DICOM CID 4402, 4403 or 4404. They are not findings of an image, so they are not in DermatologyFindings."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/skin-cancer-history"
* insert CompletionTerminology
* $SCT#161432005 "History of malignant melanoma" // source: DICOM CID 4402
* $SCT#321000119108 "History of malignant melanoma of the skin" // source: DICOM CID 4402
* $SCT#1251000119106 "History of melanoma in situ of the skin" // source: DICOM CID 4403
* $SCT#428053000 "History of malignant basal cell neoplasm of skin" // source: DICOM CID 4404
* $SCT#429024007 "History of squamous cell carcinoma of skin" // source: DICOM CID 4404 (listed there abbreviated "History of SCC of skin")
* $SCT#443895001 "History of malignant neoplasm of skin excluding melanoma" // source: DICOM CID 4404
