CodeSystem: AnnotationTypeCS
Id: annotation-type
Title: "Annotation Type"
Description: "Types of dermatology image annotation and component codes for annotation Observation profiles"
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-type"
* insert PublishedTerminology(AnnotationType)
// description as published; what this guide says beyond it
* ^purpose = "Kinds of dermatology image annotation, the guide's Observation category code and the codes of the annotation components. The codes up to and including change-detected are published in the guide 0.1.0; the codes after change-detected are completions: not in the published guide 0.1.0 (which announces further codes without publishing them), each marked so in its definition."
* ^caseSensitive = true
* ^content = #complete
// codes, displays and definitions as published up to inference-time-ms; the definition of change-detected is
// not readable in the stored published pages (this guide's wording)
* #lesion-classification "Lesion Classification" "Classification of a skin lesion by diagnosis"
* #segmentation "Segmentation" "Pixel-level delineation of lesion boundaries"
* #full-annotation "Full Annotation" "Classification + segmentation + clinical attributes"
* #quick-classify "Quick Classify" "Rapid clinician-driven or AI-assisted classification"
// category (Observation.category)
* #dermatology-annotation "Dermatology Annotation" "Observation category code for dermatology image annotation"
// component codes (Observation.component.code)
* #confidence-score "Confidence Score" "Annotator self-reported confidence in classification (0-1)"
* #segmentation-mask "Segmentation Mask" "Pixel-level segmentation mask image"
* #bounding-boxes "Bounding Boxes" "Bounding box coordinates for lesion location"
* #qa-review-status "QA Review Status" "Quality assurance review status"
* #inter-annotator-agreement "Inter-Annotator Agreement" "Cohen's kappa or similar inter-annotator agreement score"
* #prediction-confidence "Prediction Confidence" "AI model prediction confidence score (0-1)"
* #heatmap "Heatmap" "Gradient visualization of AI model attention"
* #inference-time-ms "Inference Time" "AI model inference time in milliseconds"
* #change-detected "Change Detected" "Whether a lesion changed between the annotations of a series."
// completions (not in the published guide 0.1.0)
* #polygon "Polygon Outline" "Completion: not in the published guide 0.1.0. Closed polygon outlining the lesion, as x y pixel pairs of the source image."
* #image-width "Image Width" "Completion: not in the published guide 0.1.0. Width in pixels of the source image the region coordinates refer to."
* #image-height "Image Height" "Completion: not in the published guide 0.1.0. Height in pixels of the source image the region coordinates refer to."
* #lesion-diameter "Lesion Diameter" "Completion: not in the published guide 0.1.0. Largest diameter of the lesion, measured on the image or clinically."
* #change-type "Change Type" "Completion: not in the published guide 0.1.0. The kind of change detected in a lesion over a series of annotations."
* #annotation-series "Annotation Series" "Completion: not in the published guide 0.1.0. Code of an Observation grouping the annotations of one lesion over time."
// completions for the facts the source datasets record with each image (ISIC Archive, HAM10000, Derm7pt, DDI)
* #diagnosis-confirmation "Diagnosis Confirmation Method" "Completion: not in the published guide 0.1.0. How the ground-truth diagnosis of the image was established (histopathology, follow-up, consensus, confocal microscopy, single contributor), a code of diagnosis-confirmation."
* #age-at-imaging "Age at Imaging" "Completion: not in the published guide 0.1.0. Age of the patient when the image was taken, in years (datasets give it approximately, e.g. rounded to 5 years)."
* #fitzpatrick-skin-type "Fitzpatrick Skin Type" "Completion: not in the published guide 0.1.0. Fitzpatrick skin type of the patient: one type as an NCI Thesaurus concept (C74569 to C74574, DICOM CID 4401), or a group of types as a range of type numbers 1 to 6 (e.g. 1 to 2 for types I-II)."
* #seven-point-score "Seven-Point Checklist Score" "Completion: not in the published guide 0.1.0. Total score of the dermoscopic seven-point checklist (major criteria 2 points each, minor criteria 1 point each), a whole number from 0 to 10."
* #melanocytic "Melanocytic" "Completion: not in the published guide 0.1.0. Whether the lesion is melanocytic (true) or not (false)."
* #malignant "Malignant" "Completion: not in the published guide 0.1.0. Whether the lesion is malignant (true) or benign (false), as the source dataset records it."
* #dermoscopic-feature "Dermoscopic Feature" "Completion: not in the published guide 0.1.0. A dermoscopic structure or pattern observed in the image, e.g. a seven-point checklist criterion with its observed value (derm7pt-criterion) or a term of the ISIC dermoscopic feature taxonomy (isic-dermoscopic-feature)."
