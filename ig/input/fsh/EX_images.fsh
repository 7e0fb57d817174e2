// Images of the example case and the derived images (mask, heatmap).

RuleSet: ExampleImage(date, url, w, h)
* status = #current
* type = $LOINC#72170-4 "Photographic image" // source: public HL7 v2 examples (LOINC)
* subject = Reference(example-patient)
* date = "{date}"
* content[0].attachment.contentType = #image/jpeg
* content[0].attachment.url = "{url}"
* content[0].attachment.creation = "{date}"
* content[0].attachment.extension[imageSize].extension[width].valuePositiveInt = {w}
* content[0].attachment.extension[imageSize].extension[height].valuePositiveInt = {h}
* context.event[0] = $DCM#DMS "Dermoscopy" // source: DICOM DCM / CID 29
* context.related[0] = Reference(ExampleLesion)

Instance: ExampleClinicalPhoto
InstanceOf: DermatologyImage
Usage: #example
Title: "Clinical photograph of the right upper arm, 2026-03-27"
Description: "Published example: the clinical photograph of the lesion on the right upper arm that the published ExampleMelanomaAnnotation and ExampleAIPrediction are derived from (status current, type Photographic image, as published). The file location, pixel size, modality (external-camera photography) and lesion link are this project's completion."
* status = #current
* type = $LOINC#72170-4 "Photographic image" // source: the guide (published example); LOINC 72170-4 as in public HL7 v2 examples (terminology.md)
* subject = Reference(example-patient)
* date = "2026-03-27T14:00:00Z"
* description = "Clinical photograph, pigmented lesion, right upper arm"
* content[0].attachment.contentType = #image/jpeg
* content[0].attachment.url = "https://images.example.org/derm/jane-smith/2026-03-27-right-upper-arm.jpg"
* content[0].attachment.creation = "2026-03-27T14:00:00Z"
* content[0].attachment.extension[imageSize].extension[width].valuePositiveInt = 4032
* content[0].attachment.extension[imageSize].extension[height].valuePositiveInt = 3024
* context.event[0] = $DCM#XC "External-camera Photography" // source: the guide (R4 modelling notes)
* context.related[0] = Reference(ExampleLesion)

Instance: ExampleDermoscopyImage
InstanceOf: DermatologyImage
Usage: #example
Title: "Dermoscopic image of the lesion, 2026-01-15"
Description: "Completion (this project's own example): the dermoscopic image (1024 x 768 px) that ExampleAIPredictionRegions and the corrected annotation are derived from."
* insert ExampleImage(2026-01-15T09:00:00Z, https://images.example.org/derm/patient-000118/2026-01-15-dms.jpg, 1024, 768)
* description = "Dermoscopy, pigmented lesion, right upper arm"

Instance: ExampleBaselineImage
InstanceOf: DermatologyImage
Usage: #example
Title: "Dermoscopic image of the lesion, 2025-10-14"
Description: "Completion (this project's own example): the baseline dermoscopic image (1024 x 768 px) of the same lesion, three months earlier."
* insert ExampleImage(2025-10-14T10:12:00Z, https://images.example.org/derm/patient-000118/2025-10-14-dms.jpg, 1024, 768)
* description = "Dermoscopy, pigmented lesion, right upper arm (baseline)"

// The mask and the heatmap are plain DocumentReferences (not photographs): no LOINC code is sourced for them.
RuleSet: ExampleOverlay(url, text)
* status = #current
* type.text = "{text}"
* subject = Reference(example-patient)
* relatesTo[0].code = #transforms
* relatesTo[0].target = Reference(ExampleDermoscopyImage)
* content[0].attachment.contentType = #image/png
* content[0].attachment.url = "{url}"

Instance: ExampleLesionMask
InstanceOf: DocumentReference
Usage: #example
Title: "Segmentation mask of the lesion"
Description: "Completion (this project's own example): binary lesion mask (PNG, 1024 x 768 px, same pixel grid as ExampleDermoscopyImage) drawn by the reviewing clinician."
* insert ExampleOverlay(https://images.example.org/derm/patient-000118/2026-01-15-dms-mask.png, [[Lesion segmentation mask]])
* date = "2026-01-15T11:40:00Z"

Instance: ExampleAIHeatmap
InstanceOf: DocumentReference
Usage: #example
Title: "AI heatmap of the prediction"
Description: "Completion (this project's own example): class-activation heatmap (PNG, 1024 x 768 px) of DermAI Classifier v2.1 for the melanoma class on ExampleDermoscopyImage (this project's own example)."
* insert ExampleOverlay(https://images.example.org/derm/patient-000118/2026-01-15-dms-heatmap.png, [[AI class-activation heatmap]])
* date = "2026-01-15T09:05:00Z"

Instance: ExampleLesion
InstanceOf: SkinLesion
Usage: #example
Title: "Lesion L1, right upper arm"
Description: "Completion (this project's own example): the pigmented lesion of the example case, identified over time."
* identifier[0].system = "https://example.org/fhir/sid/lesion"
* identifier[0].value = "000118-L1"
* active = true
* morphology = $SCT#1162635006 "Malignant melanoma" // source: eHDSI-M; DICOM CID 639 (morphologic abnormality, skin-lesion-morphology)
* location = $SCT#40983000 "Upper arm structure" // source: the guide (body-sites-skin; display as the published example)
* description = "Pigmented lesion, right upper arm, posterior aspect"
* patient = Reference(example-patient)
