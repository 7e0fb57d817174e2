ValueSet: AnnotationMethodsVS
Id: annotation-methods
Title: "Annotation Methods"
Description: "All codes of the annotation-method code system. Published in the guide 0.1.0."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/annotation-methods"
* insert PublishedTerminology(AnnotationMethods)
* include codes from system AnnotationMethodCS

ValueSet: AnnotationKindsVS
Id: annotation-kinds
Title: "Annotation Kinds"
Description: "Completion: not in the published guide 0.1.0, whose examples use annotation-type#lesion-classification as Observation.code. The annotation-type codes that name a kind of annotation."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/annotation-kinds"
* insert CompletionTerminology
* $annotation-type#lesion-classification "Lesion Classification"
* $annotation-type#segmentation "Segmentation"
* $annotation-type#full-annotation "Full Annotation"
* $annotation-type#quick-classify "Quick Classify"

ValueSet: QAReviewStatusVS
Id: qa-review-status
Title: "QA Review Status"
Description: "Completion: not in the published guide 0.1.0, which names a QA status value set without publishing its content. All codes of the qa-review-status code system."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/qa-review-status"
* insert CompletionTerminology
* include codes from system QAReviewStatusCS

ValueSet: ChangeTypeVS
Id: change-type
Title: "Lesion Change Type"
Description: "Completion: not in the published guide 0.1.0, which names a change-type value set without publishing its content. All codes of the change-type code system."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/change-type"
* insert CompletionTerminology
* include codes from system ChangeTypeCS

ValueSet: ReviewOutcomeVS
Id: review-outcome
Title: "AI Prediction Review Outcome"
Description: "Completion: not in the published guide 0.1.0. The business status of a clinician review task of an AI prediction: awaiting review, confirmed, corrected or rejected."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/review-outcome"
* insert CompletionTerminology
* $annotation-review#awaiting-review "Awaiting review"
* $annotation-review#confirmed "Confirmed"
* $annotation-review#corrected "Corrected"
* $annotation-review#rejected "Rejected"

ValueSet: DermatologyImagingModalityVS
Id: dermatology-imaging-modality
Title: "Dermatology Imaging Modality"
Description: "Completion: not in the published guide 0.1.0. DICOM acquisition modalities of dermatology images: dermoscopy (DMS) and external-camera photography (XC)."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/dermatology-imaging-modality"
* insert CompletionTerminology
* $DCM#DMS "Dermoscopy" // source: DICOM DCM code system and DICOM CID 29 Acquisition Modality
* $DCM#XC "External-camera Photography" // source: the guide (R4 modelling notes name DCM#XC for external-camera photography)

ValueSet: FitzpatrickSkinTypeVS
Id: fitzpatrick-skin-type
Title: "Fitzpatrick Skin Type"
Description: "Completion: not in the published guide 0.1.0. The six Fitzpatrick skin types as NCI Thesaurus concepts, in order I to VI, as DICOM CID 4401 lists them."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/fitzpatrick-skin-type"
* insert CompletionTerminology
* $NCIT#C74569 "Fitzpatrick Skin Type I" // source: DICOM CID 4401
* $NCIT#C74570 "Fitzpatrick Skin Type II" // source: DICOM CID 4401
* $NCIT#C74571 "Fitzpatrick Skin Type III" // source: DICOM CID 4401
* $NCIT#C74572 "Fitzpatrick Skin Type IV" // source: DICOM CID 4401
* $NCIT#C74573 "Fitzpatrick Skin Type V" // source: DICOM CID 4401
* $NCIT#C74574 "Fitzpatrick Skin Type VI" // source: DICOM CID 4401
