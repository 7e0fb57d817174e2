// Annotations of the example case.

Instance: ExampleMelanomaAnnotation
InstanceOf: DermatologyImageAnnotation
Usage: #example
Title: "Expert annotation: malignant melanoma, upper arm"
Description: "The dermatologist's expert annotation of ExampleDermoscopyImage (published example): malignant melanoma on the upper arm, confidence 0.92, QA approved, inter-annotator agreement (Cohen's kappa) 0.87, abnormal."
* status = #final
* insert ExampleCategories
* code = $annotation-type#lesion-classification "Lesion classification"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectiveDateTime = "2026-01-15T14:00:00Z"
* issued = "2026-01-15T14:05:00Z"
* performer[0] = Reference(example-dermatologist)
* interpretation[0] = $v3-ObservationInterpretation#A "Abnormal"
* derivedFrom[0] = Reference(ExampleDermoscopyImage)
* method = $annotation-method#expert-annotation "Expert Manual Annotation"
* bodySite = $SCT#40983000 "Upper arm" // source: the guide (body-sites-skin)
* insert ExampleSkinFinding([[$SCT#372244006 "Malignant melanoma (disorder)"]]) // source: the guide (published example)
* component[confidenceScore].code = $annotation-type#confidence-score "Confidence score"
* component[confidenceScore].valueQuantity = 0.92 '1' "1"
* component[lesionDiameter].code = $annotation-type#lesion-diameter "Lesion diameter"
* component[lesionDiameter].valueQuantity = 7 'mm' "mm"
* component[qaReviewStatus].code = $annotation-type#qa-review-status "QA review status"
* component[qaReviewStatus].valueCodeableConcept = $qa-review-status#approved "QA Approved"
* component[interAnnotatorAgreement].code = $annotation-type#inter-annotator-agreement "Inter-annotator agreement"
* component[interAnnotatorAgreement].valueQuantity = 0.87 '1' "1"

Instance: ExampleCorrectedAnnotation
InstanceOf: DermatologyImageAnnotation
Usage: #example
Title: "AI-assisted annotation, corrected by the clinician"
Description: "The result of reviewing ExampleAIPrediction: the treating clinician refined the finding to superficial spreading melanoma, adjusted the bounding box, drew a segmentation mask and an outline (method ai-assisted-corrected). Informed by AI, so labelled AIAST; derived from the image and the prediction. QA pending."
* meta.security[0] = $v3-ObservationValue#AIAST "artificial intelligence asserted" // source: the guide (AI-transparency page)
* status = #final
* insert ExampleCategories
* code = $annotation-type#full-annotation "Full annotation"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectiveDateTime = "2026-01-15T11:40:00Z"
* performer[0] = Reference(example-clinician)
* derivedFrom[0] = Reference(ExampleDermoscopyImage)
* derivedFrom[1] = Reference(ExampleAIPrediction)
* method = $annotation-method#ai-assisted-corrected "AI-Assisted, Clinician Corrected"
* bodySite = $SCT#40983000 "Upper arm" // source: the guide (body-sites-skin)
* insert ExampleSkinFinding([[$SCT#254730000 "Superficial spreading malignant melanoma of skin (disorder)"]]) // source: APP
* component[confidenceScore].code = $annotation-type#confidence-score "Confidence score"
* component[confidenceScore].valueQuantity = 0.8 '1' "1"
* insert ExampleBoxes(405 290 220 188)
* component[polygon][0].code = $annotation-type#polygon "Polygon outline"
* component[polygon][0].valueSampledData.origin = 0 '{px}' "px"
* component[polygon][0].valueSampledData.period = 0
* component[polygon][0].valueSampledData.dimensions = 2
* component[polygon][0].valueSampledData.data = "420 300 560 292 622 360 600 462 500 476 412 410"
* component[segmentationMask].code = $annotation-type#segmentation-mask "Segmentation mask"
* component[segmentationMask].extension[overlayImage].valueReference = Reference(ExampleLesionMask)
* insert ExampleImageSize(1024, 768)
* component[lesionDiameter].code = $annotation-type#lesion-diameter "Lesion diameter"
* component[lesionDiameter].valueQuantity = 7 'mm' "mm"
* component[qaReviewStatus].code = $annotation-type#qa-review-status "QA review status"
* component[qaReviewStatus].valueCodeableConcept = $qa-review-status#pending "QA Pending"

Instance: ExampleBaselineAnnotation
InstanceOf: DermatologyImageAnnotation
Usage: #example
Title: "Baseline assessment: pigmented nevus, 5 mm"
Description: "The treating clinician's point-of-care assessment of ExampleBaselineImage three months earlier: pigmented nevus, 5 mm, with its bounding box."
* status = #final
* insert ExampleCategories
* code = $annotation-type#lesion-classification "Lesion classification"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectiveDateTime = "2025-10-14T10:30:00Z"
* performer[0] = Reference(example-clinician)
* derivedFrom[0] = Reference(ExampleBaselineImage)
* method = $annotation-method#clinician-point-of-care "Clinician Point-of-Care Assessment"
* bodySite = $SCT#40983000 "Upper arm" // source: the guide (body-sites-skin)
* insert ExampleSkinFinding([[$SCT#1163403006 "Pigmented nevus"]]) // source: eHDSI-M
* insert ExampleBoxes(420 310 170 140)
* insert ExampleImageSize(1024, 768)
* component[lesionDiameter].code = $annotation-type#lesion-diameter "Lesion diameter"
* component[lesionDiameter].valueQuantity = 5 'mm' "mm"
* component[qaReviewStatus].code = $annotation-type#qa-review-status "QA review status"
* component[qaReviewStatus].valueCodeableConcept = $qa-review-status#approved "QA Approved"

Instance: ExampleLesionSeries
InstanceOf: AnnotationSeries
Usage: #example
Title: "Series of lesion L1: size and colour changed"
Description: "The annotations of ExampleLesion from 2025-10-14 to 2026-01-15: the lesion grew from 5 to 7 mm and changed colour."
* status = #final
* insert ExampleCategories
* code = $annotation-type#annotation-series "Annotation series"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectivePeriod.start = "2025-10-14T10:30:00Z"
* effectivePeriod.end = "2026-01-15T14:00:00Z"
* issued = "2026-01-15T15:00:00Z"
* performer[0] = Reference(example-dermatologist)
* hasMember[0] = Reference(ExampleBaselineAnnotation)
* hasMember[1] = Reference(ExampleMelanomaAnnotation)
* component[changeDetected].code = $annotation-type#change-detected "Change detected"
* component[changeDetected].valueBoolean = true
* component[changeType][0].code = $annotation-type#change-type "Change type"
* component[changeType][0].valueCodeableConcept = $change-type#size-increase "Size increase"
* component[changeType][1].code = $annotation-type#change-type "Change type"
* component[changeType][1].valueCodeableConcept = $change-type#color-change "Color change"
