Profile: DermatologyImageAnnotation
// Observation: an annotation is a finding made from an image; R4 has no image-region resource (ImagingSelection is R5)
Parent: Observation
Id: dermatology-image-annotation
Title: "Dermatology Image Annotation"
Description: "A structured annotation result for one clinical photograph or dermoscopic image: the skin finding, how the annotation was made, the lesion region, the annotator's confidence, QA status and inter-annotator agreement. Published in the guide 0.1.0; the region value types (bounding boxes, polygon, mask, image size), lesion diameter, focus on the lesion and the invariants are completions (see conformance.html)."
* insert DraftDefinition
* obeys annot-final-performer and annot-confidence-range and annot-kappa-range and annot-bbox-arity and annot-polygon-arity and annot-region-image-size and annot-image-size-px and annot-ai-aiast and annot-ai-assisted-prediction
* insert DermAnnotationCategory
* status from DermatologyAnnotationStatusVS (required)
* insert Doc(status, [[preliminary | final | amended]], [[Status of the annotation. Corrections of a final annotation are made as amended.]])
// extensible: the published examples use annotation-type kinds; other kinds may be needed
* code from AnnotationKindsVS (extensible)
* insert Doc(code, [[Kind of annotation (annotation-type)]], [[The kind of annotation, e.g. annotation-type#lesion-classification.]])
* subject 1..1
* subject only Reference(Patient)
* insert Doc(subject, [[The patient whose skin is imaged]], [[The patient shown in the source image (completion: required).]])
* focus only Reference(SkinLesion)
* insert Doc(focus, [[The lesion annotated (BodyStructure)]], [[The skin lesion the annotation is about, as a skin-lesion BodyStructure, which identifies the lesion over time (completion; R5 has Observation.bodyStructure).]])
* insert Doc(performer, [[Who made or is responsible for the annotation]], [[The annotator. Required for final and amended annotations (invariant annot-final-performer).]])
// the source image (published rule), and, for AI-assisted annotations, the reviewed AI prediction (completion)
* derivedFrom 1..*
* derivedFrom only Reference(ImagingStudy or DocumentReference or Media or AIPrediction)
* insert Doc(derivedFrom, [[Source image (ImagingStudy | DocumentReference | Media); for AI-assisted annotations also the AI prediction]], [[The image the annotation was made from, first. A DocumentReference should conform to the dermatology-image profile. When the image was retrieved through SMART Imaging Access, the reference obtained there is used unchanged. Region coordinates refer to the first derivedFrom image. Completion: an annotation made by confirming or correcting an AI prediction (method ai-assisted-confirmed or ai-assisted-corrected) also references that ai-prediction Observation (invariant annot-ai-assisted-prediction).]])
* insert Doc(effective[x], [[When the annotation was made]], [[When the annotation was made (not when the image was taken).]])
* insert Doc(interpretation, [[Abnormal / normal]], [[Interpretation of the finding, e.g. v3-ObservationInterpretation#A abnormal.]])
// required: the guide's own vocabulary (published)
* method 1..1
* method from AnnotationMethodsVS (required)
* insert Doc(method, [[How the annotation was made]], [[Expert, clinician point of care, AI-assisted confirmed or corrected, or AI inference.]])
// extensible: the 23 published sites do not cover every skin site
* bodySite from BodySitesSkinVS (extensible)
* insert Doc(bodySite, [[Site of the skin finding]], [[Body site of the finding, from body-sites-skin.]])
* value[x] 0..0
* insert Doc(value[x], [[Not used: results are in components]], [[Not used: the skin finding and the other results are components.]])
* insert ComponentSlicing
* insert SkinFindingComponent(1..*, [[Skin finding]], [[The skin finding shown in the image, a SNOMED CT concept from DermatologyFindings.]])
* insert ComponentSlice(confidenceScore, confidence-score, 0..1, [[Annotator confidence 0-1]], [[Confidence of the annotator in the (first) skin finding, from 0 to 1.]])
* insert QuantityValue(confidenceScore, 1, [[Confidence from 0 to 1]])
* insert RegionComponents
* insert ComponentSlice(lesionDiameter, lesion-diameter, 0..1, [[Largest lesion diameter]], [[Largest diameter of the lesion (completion), in millimetres.]])
* insert QuantityValue(lesionDiameter, mm, [[Diameter in millimetres]])
* insert ComponentSlice(qaReviewStatus, qa-review-status, 0..1, [[QA review status]], [[State of the quality-assurance review of this annotation.]])
* component[qaReviewStatus].value[x] 1..1
* component[qaReviewStatus].value[x] only CodeableConcept
// required: the guide's own vocabulary (completion of the unpublished QA status value set)
* component[qaReviewStatus].valueCodeableConcept from QAReviewStatusVS (required)
* insert Doc(component[qaReviewStatus].value[x], [[pending | in-review | approved | rejected | needs-revision]], [[The QA review status, from qa-review-status.]])
* insert ComponentSlice(interAnnotatorAgreement, inter-annotator-agreement, 0..1, [[Inter-annotator agreement]], [[Agreement between independent annotators of the image or image set, e.g. Cohen's kappa (-1 to 1).]])
* insert QuantityValue(interAnnotatorAgreement, 1, [[Agreement statistic]])
// facts the source datasets record with each image (completions)
* insert ComponentSlice(diagnosisConfirmation, diagnosis-confirmation, 0..1, [[How the diagnosis was confirmed]], [[How the ground-truth diagnosis of the image was established (completion), from diagnosis-confirmation.]])
* component[diagnosisConfirmation].value[x] 1..1
* component[diagnosisConfirmation].value[x] only CodeableConcept
// extensible: datasets record confirmation methods beyond the five ISIC values
* component[diagnosisConfirmation].valueCodeableConcept from DiagnosisConfirmationVS (extensible)
* insert Doc(component[diagnosisConfirmation].value[x], [[histo | follow_up | consensus | confocal | single_contributor]], [[The confirmation method, from diagnosis-confirmation (SNOMED CT where the guide maps it).]])
* insert ComponentSlice(ageAtImaging, age-at-imaging, 0..1, [[Age of the patient at imaging]], [[Age of the patient when the image was taken (completion), in years.]])
* insert QuantityValue(ageAtImaging, a, [[Age in years]])
* insert ComponentSlice(fitzpatrickSkinType, fitzpatrick-skin-type, 0..1, [[Fitzpatrick skin type]], [[Fitzpatrick skin type of the patient (completion): one type (CodeableConcept from fitzpatrick-skin-type) or a group of types (Range of the type numbers 1 to 6).]])
* component[fitzpatrickSkinType].value[x] 1..1
* component[fitzpatrickSkinType].value[x] only CodeableConcept or Range
// required: the six types are the whole vocabulary
* component[fitzpatrickSkinType].valueCodeableConcept from FitzpatrickSkinTypeVS (required)
* insert Doc(component[fitzpatrickSkinType].value[x], [[One type, or a range of type numbers 1-6]], [[One Fitzpatrick skin type (NCI Thesaurus C74569 to C74574), or a group of types as a Range of type numbers from 1 (I) to 6 (VI), e.g. low 3 high 4 for types III-IV.]])
* insert ComponentSlice(sevenPointScore, seven-point-score, 0..1, [[Seven-point checklist score]], [[Total score of the dermoscopic seven-point checklist (completion), 0 to 10.]])
* insert QuantityValue(sevenPointScore, {score}, [[Checklist score]])
* insert ComponentSlice(melanocytic, melanocytic, 0..1, [[Melanocytic lesion]], [[Whether the lesion is melanocytic (completion).]])
* component[melanocytic].value[x] 1..1
* component[melanocytic].value[x] only boolean
* insert Doc(component[melanocytic].value[x], [[true when melanocytic]], [[true when the lesion is melanocytic, false when it is not.]])
* insert ComponentSlice(malignant, malignant, 0..1, [[Malignant lesion]], [[Whether the lesion is malignant, as the source dataset records it (completion).]])
* component[malignant].value[x] 1..1
* component[malignant].value[x] only boolean
* insert Doc(component[malignant].value[x], [[true when malignant]], [[true when the lesion is malignant, false when benign.]])
* insert ComponentSlice(dermoscopicFeature, dermoscopic-feature, 0..*, [[Dermoscopic feature]], [[A dermoscopic structure observed in the image (completion), e.g. a seven-point checklist criterion with its value.]])
* component[dermoscopicFeature].value[x] 1..1
* component[dermoscopicFeature].value[x] only CodeableConcept
* insert Doc(component[dermoscopicFeature].value[x], [[The feature (derm7pt-criterion, isic-dermoscopic-feature)]], [[The feature observed: a value code of derm7pt-criterion (e.g. pigment_network-atypical) or a term of isic-dermoscopic-feature.]])
// must support
* category and category[imaging] and category[dermatologyAnnotation] and code and status and subject and focus MS
* effective[x] and performer and derivedFrom and method and bodySite and interpretation MS
* component and component[skinFinding] and component[confidenceScore] and component[boundingBoxes] MS
* component[segmentationMask] and component[imageWidth] and component[imageHeight] and component[qaReviewStatus] MS
* component[interAnnotatorAgreement] MS

Invariant: annot-final-performer
Description: "A final or amended annotation names its performer."
Severity: #error
Expression: "(status = 'final' or status = 'amended') implies performer.exists()"

Invariant: annot-confidence-range
Description: "Confidence scores are between 0 and 1."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'confidence-score')).all(value.value >= 0 and value.value <= 1)"

Invariant: annot-kappa-range
Description: "An inter-annotator agreement (kappa) is between -1 and 1."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'inter-annotator-agreement')).all(value.value >= -1 and value.value <= 1)"

Invariant: annot-bbox-arity
Description: "Bounding boxes are SampledData of dimension 4 whose data is a whole number of boxes: 4 non-negative numbers (x y width height) per box."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'bounding-boxes')).all(value.dimensions = 4 and value.data.matches('^[0-9]+([.][0-9]+)?( +[0-9]+([.][0-9]+)?){3}( +[0-9]+([.][0-9]+)?( +[0-9]+([.][0-9]+)?){3})*$'))"

Invariant: annot-polygon-arity
Description: "A polygon is SampledData of dimension 2 whose data is at least 3 x y pairs of non-negative numbers."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'polygon')).all(value.dimensions = 2 and value.data.matches('^[0-9]+([.][0-9]+)? +[0-9]+([.][0-9]+)?( +[0-9]+([.][0-9]+)? +[0-9]+([.][0-9]+)?){2,}$'))"

Invariant: annot-region-image-size
Description: "When bounding boxes or polygons are given, the pixel width and height of the source image are given too."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and (code = 'bounding-boxes' or code = 'polygon'))).exists() implies (component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'image-width')).exists() and component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'image-height')).exists())"

Invariant: annot-image-size-px
Description: "Image width and height are positive whole numbers of pixels."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and (code = 'image-width' or code = 'image-height'))).all(value.value > 0 and (value.value mod 1) = 0)"

Invariant: annot-ai-aiast
Description: "An annotation informed by AI (method ai-inference, ai-assisted-confirmed or ai-assisted-corrected) carries the AIAST security label (published AI-transparency page)."
Severity: #error
Expression: "method.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-method' and (code = 'ai-inference' or code = 'ai-assisted-confirmed' or code = 'ai-assisted-corrected')) implies meta.security.exists(system = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue' and code = 'AIAST')"

Invariant: annot-ai-assisted-prediction
Description: "An AI-assisted annotation (ai-assisted-confirmed or ai-assisted-corrected) is derived from the AI prediction it reviewed, and its first derivedFrom is the image (completion)."
Severity: #error
Expression: "method.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-method' and (code = 'ai-assisted-confirmed' or code = 'ai-assisted-corrected')) implies (derivedFrom.where(reference.matches('(^|/)Observation/[A-Za-z0-9.-]+(/_history/[A-Za-z0-9.-]+)?$')).exists() and derivedFrom.first().reference.matches('(^|/)Observation/[A-Za-z0-9.-]+(/_history/[A-Za-z0-9.-]+)?$').not())"
