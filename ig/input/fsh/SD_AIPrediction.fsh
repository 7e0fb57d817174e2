Profile: AIPrediction
// Observation, not a child of DermatologyImageAnnotation: its required status binding (never final) is not a
// subset of the annotation's status value set
Parent: Observation
Id: ai-prediction
Title: "AI Prediction"
Description: "AI model prediction for dermatology image classification. Represents machine output before clinician review. Status is always preliminary until a clinician acts on it."
* insert DraftDefinition
// description as published; what this guide says beyond it
* ^purpose = "Machine output for a dermatology image before any clinician has acted on it, following the HL7 AI Transparency on FHIR pattern: the resource carries the AIAST security label, names the AI model Device, and is never final; clinician review produces a separate dermatology-image-annotation. Published in the guide 0.1.0; categories, region value types, the heatmap value type, cardinalities of the components and the invariants are completions (see conformance.html)."
* obeys aipred-aiast-required and aipred-not-final and aipred-confidence-range and aipred-inference-time-range and annot-bbox-arity and annot-polygon-arity and annot-region-image-size and annot-image-size-px
* insert AIASTSecurityLabel
* insert DermAnnotationCategory
// required: published; an AI prediction is never final
* status from AIPredictionStatusVS (required)
* insert Doc(status, [[preliminary | cancelled | entered-in-error]], [[Status of the prediction: preliminary until reviewed; cancelled when a clinician rejected it; never final.]])
// extensible: same kinds as annotations
* code from AnnotationKindsVS (extensible)
* insert Doc(code, [[Kind of annotation predicted (annotation-type)]], [[The kind of annotation the model produced, e.g. annotation-type#lesion-classification.]])
* subject 1..1
* subject only Reference(Patient)
* insert Doc(subject, [[The patient whose skin is imaged]], [[The patient shown in the source image (completion: required).]])
* focus only Reference(SkinLesion)
* insert Doc(focus, [[The lesion (BodyStructure)]], [[The skin lesion the prediction is about, when known (completion).]])
* insert SourceImage
* insert Doc(effective[x], [[When the model ran]], [[When the prediction was computed.]])
* method 1..1
* method = $annotation-method#ai-inference
* insert Doc(method, [[Fixed: ai-inference]], [[AI model inference without human review (published fixed value).]])
* device 1..1
* device only Reference(AIModelDevice)
* insert Doc(device, [[The AI model that made the prediction]], [[The AI model as an ai-model-device Device (AI Transparency AI-Device pattern).]])
// extensible: the 23 published sites do not cover every skin site
* bodySite from BodySitesSkinVS (extensible)
* insert Doc(bodySite, [[Site of the skin finding]], [[Body site of the finding, from body-sites-skin.]])
* value[x] 0..0
* insert Doc(value[x], [[Not used: results are in components]], [[Not used: the predicted finding and the other outputs are components.]])
* insert ComponentSlicing
* insert SkinFindingComponent(1..1, [[Predicted skin finding (top-1 class)]], [[The skin finding the model predicts with the highest probability; the full class distribution is a class-probability-assessment RiskAssessment.]])
* insert ComponentSlice(predictionConfidence, prediction-confidence, 0..1, [[Model probability of the predicted finding 0-1]], [[Probability the model assigns to the predicted skin finding, from 0 to 1.]])
* insert QuantityValue(predictionConfidence, 1, [[Probability from 0 to 1]])
* insert ComponentSlice(inferenceTimeMs, inference-time-ms, 0..1, [[Inference time in ms]], [[Time the model took to compute the prediction, in milliseconds.]])
* insert QuantityValue(inferenceTimeMs, ms, [[Time in milliseconds]])
* insert ComponentSlice(heatmap, heatmap, 0..*, [[Model heatmap image]], [[A class-activation or saliency image of the model on the pixel grid of the source image, referenced by the overlay-image extension (completion of the value type).]])
* insert OverlayImageValue(heatmap, [[Heatmap image]])
* insert RegionComponents
// must support
* meta.security and meta.security[aiast] and category and category[imaging] and category[dermatologyAnnotation] MS
* code and status and subject and focus and effective[x] and derivedFrom and method and device and bodySite MS
* component and component[skinFinding] and component[predictionConfidence] and component[inferenceTimeMs] MS
* component[heatmap] and component[boundingBoxes] and component[segmentationMask] MS
* component[imageWidth] and component[imageHeight] MS

Invariant: aipred-aiast-required
Description: "An AI prediction carries the security label v3-ObservationValue#AIAST."
Severity: #error
Expression: "meta.security.exists(system = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue' and code = 'AIAST')"

Invariant: aipred-not-final
Description: "An AI prediction is never final, amended or corrected; clinician review creates a separate annotation."
Severity: #error
Expression: "(status = 'final' or status = 'amended' or status = 'corrected').not()"

Invariant: aipred-confidence-range
Description: "The prediction confidence is between 0 and 1."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'prediction-confidence')).all(value.value >= 0 and value.value <= 1)"

Invariant: aipred-inference-time-range
Description: "The inference time is not negative."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'inference-time-ms')).all(value.value >= 0)"
