CodeSystem: AnnotationTypeCS
Id: annotation-type
Title: "Annotation Type"
Description: "Kinds of dermatology image annotation, the guide's Observation category code and the codes of the annotation components. The codes up to and including change-detected are published in the guide 0.1.0; the codes after change-detected are completions: not in the published guide 0.1.0 (which announces further codes without publishing them), each marked so in its definition."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-type"
* ^status = #draft
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete
// annotation kinds (Observation.code)
* #lesion-classification "Lesion classification" "Classification of a skin lesion shown in an image into a skin finding."
* #segmentation "Segmentation" "Delineation of the lesion region in an image (mask, outline or bounding boxes)."
* #full-annotation "Full annotation" "Classification plus segmentation plus clinical attributes of the lesion."
* #quick-classify "Quick classification" "A fast classification of the image without region or attributes, e.g. for triage."
// category (Observation.category)
* #dermatology-annotation "Dermatology annotation" "Category of every Observation defined by this guide: an annotation of a dermatology image."
// component codes (Observation.component.code)
* #confidence-score "Confidence score" "Confidence of the annotator in the skin finding, a number from 0 to 1."
* #segmentation-mask "Segmentation mask" "Binary mask image of the lesion region on the pixel grid of the source image."
* #bounding-boxes "Bounding boxes" "Axis-aligned rectangles around the lesion, in pixel coordinates of the source image."
* #qa-review-status "QA review status" "State of the quality-assurance review of the annotation."
* #inter-annotator-agreement "Inter-annotator agreement" "Agreement between independent annotators of the same image, e.g. Cohen's kappa."
* #prediction-confidence "Prediction confidence" "Probability an AI model assigns to its predicted skin finding, a number from 0 to 1."
* #heatmap "Heatmap" "Class-activation or saliency image of an AI model on the pixel grid of the source image."
* #inference-time-ms "Inference time" "Time the AI model took to compute the prediction, in milliseconds."
* #change-detected "Change detected" "Whether a lesion changed between the annotations of a series."
// completions (not in the published guide 0.1.0)
* #polygon "Polygon outline" "Completion: not in the published guide 0.1.0. Closed polygon outlining the lesion, as x y pixel pairs of the source image."
* #image-width "Image width" "Completion: not in the published guide 0.1.0. Width in pixels of the source image the region coordinates refer to."
* #image-height "Image height" "Completion: not in the published guide 0.1.0. Height in pixels of the source image the region coordinates refer to."
* #lesion-diameter "Lesion diameter" "Completion: not in the published guide 0.1.0. Largest diameter of the lesion, measured on the image or clinically."
* #change-type "Change type" "Completion: not in the published guide 0.1.0. The kind of change detected in a lesion over a series of annotations."
* #annotation-series "Annotation series" "Completion: not in the published guide 0.1.0. Code of an Observation grouping the annotations of one lesion over time."
// completions for the facts the source datasets record with each image (ISIC Archive, HAM10000, Derm7pt, DDI)
* #diagnosis-confirmation "Diagnosis confirmation method" "Completion: not in the published guide 0.1.0. How the ground-truth diagnosis of the image was established (histopathology, follow-up, consensus, confocal microscopy, single contributor), a code of diagnosis-confirmation."
* #age-at-imaging "Age at imaging" "Completion: not in the published guide 0.1.0. Age of the patient when the image was taken, in years (datasets give it approximately, e.g. rounded to 5 years)."
* #fitzpatrick-skin-type "Fitzpatrick skin type" "Completion: not in the published guide 0.1.0. Fitzpatrick skin type of the patient: one type as an NCI Thesaurus concept (C74569 to C74574, DICOM CID 4401), or a group of types as a range of type numbers 1 to 6 (e.g. 1 to 2 for types I-II)."
* #seven-point-score "Seven-point checklist score" "Completion: not in the published guide 0.1.0. Total score of the dermoscopic seven-point checklist (major criteria 2 points each, minor criteria 1 point each), a whole number from 0 to 10."
* #melanocytic "Melanocytic" "Completion: not in the published guide 0.1.0. Whether the lesion is melanocytic (true) or not (false)."
* #malignant "Malignant" "Completion: not in the published guide 0.1.0. Whether the lesion is malignant (true) or benign (false), as the source dataset records it."
* #dermoscopic-feature "Dermoscopic feature" "Completion: not in the published guide 0.1.0. A dermoscopic structure or pattern observed in the image, e.g. a seven-point checklist criterion with its observed value (derm7pt-criterion) or a term of the ISIC dermoscopic feature taxonomy (isic-dermoscopic-feature)."
