// AI-assisted annotations of the example case (published example ExampleAIAssistedConfirmed).

Instance: ExampleAIAssistedConfirmed
InstanceOf: DermatologyImageAnnotation
Usage: #example
Title: "AI-assisted annotation, confirmed by the dermatologist"
Description: "The dermatologist accepted the finding of ExampleAIPrediction (malignant melanoma) and its bounding box without change (method ai-assisted-confirmed). Informed by AI, the annotation carries the AIAST security label; it is derived from the image and from the prediction, and records with label-available-at when it became available as a label."
* meta.security[0] = $v3-ObservationValue#AIAST "artificial intelligence asserted" // source: the guide (AI-transparency page)
* status = #final
* insert ExampleCategories
* code = $annotation-type#lesion-classification "Lesion classification"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectiveDateTime = "2026-01-15T13:10:00Z"
* effectiveDateTime.extension[0].url = "https://annotatemd.com/fhir/ig/StructureDefinition/label-available-at"
* effectiveDateTime.extension[0].valueDateTime = "2026-01-15T13:12:00Z"
* performer[0] = Reference(example-dermatologist)
* derivedFrom[0] = Reference(ExampleDermoscopyImage)
* derivedFrom[1] = Reference(ExampleAIPrediction)
* method = $annotation-method#ai-assisted-confirmed "AI-Assisted, Clinician Confirmed"
* bodySite = $SCT#40983000 "Upper arm" // source: the guide (body-sites-skin)
* insert ExampleSkinFinding([[$SCT#372244006 "Malignant melanoma (disorder)"]]) // source: the guide (published example)
* insert ExampleBoxes(398 282 230 196)
* insert ExampleImageSize(1024, 768)
* component[qaReviewStatus].code = $annotation-type#qa-review-status "QA review status"
* component[qaReviewStatus].valueCodeableConcept = $qa-review-status#pending "QA Pending"
