// The review workflow's operations, as the reference server implements them (not published by the guide 0.1.0:
// this project's completion). Parameter names, types and cardinalities are those the server accepts and returns.

RuleSet: ReviewOperation(id, name, title)
* url = "https://annotatemd.com/fhir/ig/OperationDefinition/{id}"
* name = "{name}"
* title = "{title}"
* status = #draft
* experimental = false
* insert GuideInstanceMetadata
* kind = #operation
* purpose = "Completion: the published guide 0.1.0 defines no operations. This one is this project's completion: what its reference server implements for the review workflow."

// Parameter rules: the `reviewer` input and a single `return` output of one resource type
RuleSet: ReviewerInput(documentation)
* parameter[+].name = #reviewer
* parameter[=].use = #in
* parameter[=].min = 1
* parameter[=].max = "1"
* parameter[=].documentation = "{documentation}"
* parameter[=].type = #Reference
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/Practitioner"
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/PractitionerRole"

RuleSet: ReturnOutput(type, documentation)
* parameter[+].name = #return
* parameter[=].use = #out
* parameter[=].min = 1
* parameter[=].max = "1"
* parameter[=].documentation = "{documentation}"
* parameter[=].type = #{type}

RuleSet: Param(use, name, min, max, type)
* parameter[+].name = #{name}
* parameter[=].use = #{use}
* parameter[=].min = {min}
* parameter[=].max = "{max}"
* parameter[=].type = #{type}

RuleSet: Part(name, min, max, type)
* parameter[=].part[+].name = #{name}
* parameter[=].part[=].use = #out
* parameter[=].part[=].min = {min}
* parameter[=].part[=].max = "{max}"
* parameter[=].part[=].type = #{type}

RuleSet: InPart(name, min, max, type)
* parameter[=].part[+].name = #{name}
* parameter[=].part[=].use = #in
* parameter[=].part[=].min = {min}
* parameter[=].part[=].max = "{max}"
* parameter[=].part[=].type = #{type}

Instance: observation-confirm
InstanceOf: OperationDefinition
Usage: #definition
Title: "Confirm an AI prediction"
Description: "Completion: not in the published guide 0.1.0. A clinician accepts an AI prediction: a new final dermatology annotation (method ai-assisted-confirmed, AIAST) derived from the image and the prediction, a Provenance with the AI Device as author and the clinician as verifier; the review Task completes. Atomic."
* insert ReviewOperation(observation-confirm, ConfirmPrediction, Confirm an AI prediction)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. A clinician accepts an AI prediction: a new final dermatology annotation (method ai-assisted-confirmed, AIAST) derived from the image and the prediction, a Provenance with the AI Device as author and the clinician as verifier; the review Task completes. Atomic: everything or nothing."
* code = #confirm
* resource[+] = #Observation
* system = false
* type = false
* instance = true
* insert ReviewerInput(The clinician confirming the prediction. With tokens it is the token's user.)
* insert ReturnOutput(Bundle, The transaction-response Bundle of what was written.)

Instance: observation-correct
InstanceOf: OperationDefinition
Usage: #definition
Title: "Correct an AI prediction"
Description: "Completion: not in the published guide 0.1.0. A clinician replaces an AI prediction's finding, region or both: a new final dermatology annotation (method ai-assisted-corrected, AIAST); the prediction stays unchanged and linked. Atomic."
* insert ReviewOperation(observation-correct, CorrectPrediction, Correct an AI prediction)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. A clinician replaces an AI prediction's finding, region or both: a new final dermatology annotation (method ai-assisted-corrected, AIAST) derived from the image and the prediction; the prediction stays unchanged and linked; the review Task completes. Atomic: everything or nothing."
* code = #correct
* resource[+] = #Observation
* system = false
* type = false
* instance = true
* insert ReviewerInput(The clinician correcting the prediction. With tokens it is the token's user.)
* insert Param(in, finding, 0, 1, CodeableConcept)
* parameter[=].documentation = "The clinician's finding (a skin finding). At least one of finding and region is given."
* parameter[+].name = #region
* parameter[=].use = #in
* parameter[=].min = 0
* parameter[=].max = "1"
* parameter[=].documentation = "The clinician's region: bounding boxes, polygons and / or a mask, in pixels of the image."
* insert InPart(boundingBox, 0, *, string)
* parameter[=].part[=].documentation = "A bounding box as \"x y width height\" in pixels."
* insert InPart(polygon, 0, *, string)
* parameter[=].part[=].documentation = "An outline as \"x1 y1 x2 y2 ...\" in pixels."
* insert InPart(mask, 0, 1, Reference)
* parameter[=].part[=].documentation = "A segmentation mask image."
* parameter[=].part[=].targetProfile = "http://hl7.org/fhir/StructureDefinition/DocumentReference"
* insert InPart(imageWidth, 0, 1, integer)
* parameter[=].part[=].documentation = "The image's width in pixels."
* insert InPart(imageHeight, 0, 1, integer)
* parameter[=].part[=].documentation = "The image's height in pixels."
* insert ReturnOutput(Bundle, The transaction-response Bundle of what was written.)

Instance: observation-reject
InstanceOf: OperationDefinition
Usage: #definition
Title: "Reject an AI prediction"
Description: "Completion: not in the published guide 0.1.0. A clinician rejects an AI prediction: it is cancelled with the reason; the review Task completes. Atomic."
* insert ReviewOperation(observation-reject, RejectPrediction, Reject an AI prediction)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. A clinician rejects an AI prediction: it is cancelled with the reason; the review Task completes. Atomic: everything or nothing."
* code = #reject
* resource[+] = #Observation
* system = false
* type = false
* instance = true
* insert ReviewerInput(The clinician rejecting the prediction. With tokens it is the token's user.)
* insert Param(in, reason, 0, 1, Element)
* parameter[=].documentation = "Why the prediction is rejected: valueCodeableConcept or valueString."
* insert ReturnOutput(Bundle, The transaction-response Bundle of what was written.)

Instance: observation-qa-review
InstanceOf: OperationDefinition
Usage: #definition
Title: "QA review of an annotation"
Description: "Completion: not in the published guide 0.1.0. A QA reviewer (not the annotator, with a credential-ordinal at least the annotator's) approves, rejects or requests changes on an annotation: the QA-status component and a Provenance with the QA reviewer as verifier. Atomic."
* insert ReviewOperation(observation-qa-review, QAReview, QA review of an annotation)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. A QA reviewer (not the annotator, with a credential-ordinal at least the annotator's) approves, rejects or requests changes on a dermatology annotation: the QA-status component is set and a Provenance names the QA reviewer as verifier. Atomic: everything or nothing."
* code = #qa-review
* resource[+] = #Observation
* system = false
* type = false
* instance = true
* insert ReviewerInput(The QA reviewer. With tokens it is the token's user.)
* insert Param(in, result, 1, 1, code)
* parameter[=].documentation = "approve | reject | request-changes."
* insert Param(in, comment, 0, 1, string)
* parameter[=].documentation = "The QA reviewer's comment."
* insert ReturnOutput(Bundle, The transaction-response Bundle of what was written.)

Instance: task-claim
InstanceOf: OperationDefinition
Usage: #definition
Title: "Claim a review Task"
Description: "Completion: not in the published guide 0.1.0. A reviewer takes a requested review Task from the queue: owner set, status in-progress."
* insert ReviewOperation(task-claim, ClaimReviewTask, Claim a review Task)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. A reviewer takes a requested review Task from the queue: its owner is set and its status becomes in-progress."
* code = #claim
* resource[+] = #Task
* system = false
* type = false
* instance = true
* insert ReviewerInput(The reviewer taking the Task as its new owner. With tokens it is the token's user.)
* insert ReturnOutput(Task, The Task as updated.)

Instance: task-release
InstanceOf: OperationDefinition
Usage: #definition
Title: "Release a review Task"
Description: "Completion: not in the published guide 0.1.0. An abandoned claim is released: the Task returns to the queue (requested, no owner)."
* insert ReviewOperation(task-release, ReleaseReviewTask, Release a review Task)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. An abandoned claim is released: the review Task returns to the queue (status requested, no owner)."
* code = #release
* resource[+] = #Task
* system = false
* type = false
* instance = true
* insert ReviewerInput(The reviewer releasing the Task. With tokens it is the token's user.)
* insert ReturnOutput(Task, The Task as updated.)

Instance: observation-agreement
InstanceOf: OperationDefinition
Usage: #definition
Title: "Inter-annotator agreement"
Description: "Completion: not in the published guide 0.1.0. Cohen's kappa (two annotators) or Fleiss' kappa (more) over the annotations of an image set, with its 95 % confidence interval; optionally recorded in the inter-annotator-agreement component of every annotation used."
* insert ReviewOperation(observation-agreement, InterAnnotatorAgreement, Inter-annotator agreement)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. Cohen's kappa (two annotators) or Fleiss' kappa (more) over the final or amended annotations of an image set (each annotator's latest of each image; images not rated by every annotator are skipped), with its 95 % confidence interval; with write (the default) kappa is recorded in the inter-annotator-agreement component of every annotation used."
* code = #agreement
* resource[+] = #Observation
* system = false
* type = true
* instance = false
* insert Param(in, image, 1, *, Reference)
* parameter[=].documentation = "An image of the set."
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/DocumentReference"
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/Media"
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/ImagingStudy"
* insert Param(in, annotator, 0, *, Reference)
* parameter[=].documentation = "Whose annotations to compare (default: the annotators who rated the most images)."
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/Practitioner"
* parameter[=].targetProfile[+] = "http://hl7.org/fhir/StructureDefinition/PractitionerRole"
* insert Param(in, write, 0, 1, boolean)
* parameter[=].documentation = "Record kappa in the annotations used (default true; needs reviewer scopes)."
* insert Param(out, method, 1, 1, code)
* parameter[=].documentation = "cohen | fleiss."
* insert Param(out, kappa, 1, 1, decimal)
* parameter[=].documentation = "The kappa."
* insert Param(out, lower, 1, 1, decimal)
* parameter[=].documentation = "Lower bound of the 95 % confidence interval."
* insert Param(out, upper, 1, 1, decimal)
* parameter[=].documentation = "Upper bound of the 95 % confidence interval."
* insert Param(out, standardError, 1, 1, decimal)
* parameter[=].documentation = "The standard error of kappa."
* insert Param(out, images, 1, 1, integer)
* parameter[=].documentation = "Images rated by every annotator."
* insert Param(out, annotators, 1, 1, integer)
* parameter[=].documentation = "Annotators compared."
* insert Param(out, skipped, 1, 1, integer)
* parameter[=].documentation = "Images not rated by every annotator."
* insert Param(out, updated, 1, 1, integer)
* parameter[=].documentation = "Annotations whose inter-annotator-agreement component was written."

Instance: bodystructure-series
InstanceOf: OperationDefinition
Usage: #definition
Title: "Rebuild a lesion's annotation series"
Description: "Completion: not in the published guide 0.1.0. Rebuilds the annotation-series of a lesion: its annotations in time order, with change detection between consecutive annotations (diagnosis change, area growth above a threshold, outline IoU below a threshold)."
* insert ReviewOperation(bodystructure-series, LesionSeries, Rebuild a lesion's annotation series)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. Rebuilds the annotation-series of a lesion (BodyStructure): its annotations in time order, with change-detected and change-type components between consecutive annotations (diagnosis change, bounding-box or mask area growth above the threshold, outline IoU below the threshold)."
* code = #series
* resource[+] = #BodyStructure
* system = false
* type = false
* instance = true
* insert Param(in, growth, 0, 1, decimal)
* parameter[=].documentation = "Relative area growth reported as a change (default 0.2)."
* insert Param(in, iouThreshold, 0, 1, decimal)
* parameter[=].documentation = "Outline IoU below which the outline is reported as changed (default 0.5)."
* insert ReturnOutput(Bundle, The transaction-response Bundle of the series written.)

Instance: device-performance
InstanceOf: OperationDefinition
Usage: #definition
Title: "AI model performance"
Description: "Completion: not in the published guide 0.1.0. An AI model Device's predictions against clinician-confirmed or corrected findings labelled before a cut-off: confusion matrix, per-class sensitivity, specificity and AUROC, balanced accuracy, expected calibration error and override rate."
* insert ReviewOperation(device-performance, ModelPerformance, AI model performance)
* description = "Completion: not in the published guide 0.1.0, which defines no operations. An AI model Device's predictions against the clinician-confirmed or corrected findings whose label-available-at is before the cut-off: confusion matrix, per-class sensitivity, specificity and AUROC (from the class-probability RiskAssessments), balanced accuracy, expected calibration error and the override rate of the finished reviews."
* code = #performance
* resource[+] = #Device
* system = false
* type = false
* instance = true
* affectsState = false
* insert Param(in, cutoff, 0, 1, dateTime)
* parameter[=].documentation = "Only labels available at or before this moment count (default: now)."
* insert Param(out, device, 1, 1, Reference)
* parameter[=].documentation = "The AI model Device."
* parameter[=].targetProfile = "http://hl7.org/fhir/StructureDefinition/Device"
* insert Param(out, cutoff, 1, 1, dateTime)
* parameter[=].documentation = "The cut-off used."
* insert Param(out, predictions, 1, 1, integer)
* parameter[=].documentation = "The model's predictions."
* insert Param(out, labelled, 1, 1, integer)
* parameter[=].documentation = "Predictions with a clinician label before the cut-off."
* insert Param(out, accuracy, 0, 1, decimal)
* parameter[=].documentation = "Share of labelled predictions whose finding is the clinician's."
* insert Param(out, balancedAccuracy, 0, 1, decimal)
* parameter[=].documentation = "Mean sensitivity over the classes present in the labels."
* insert Param(out, ece, 0, 1, decimal)
* parameter[=].documentation = "Expected calibration error (10 equal-width bins of the top-1 confidence)."
* insert Param(out, overrideRate, 0, 1, decimal)
* parameter[=].documentation = "Corrected and rejected reviews over all reviews finished before the cut-off."
* parameter[+].name = #class
* parameter[=].use = #out
* parameter[=].min = 0
* parameter[=].max = "*"
* parameter[=].documentation = "The figures of one class (one against the rest)."
* insert Part(finding, 1, 1, Coding)
* insert Part(support, 1, 1, integer)
* insert Part(sensitivity, 0, 1, decimal)
* insert Part(specificity, 0, 1, decimal)
* insert Part(auroc, 0, 1, decimal)
* parameter[+].name = #confusion
* parameter[=].use = #out
* parameter[=].min = 0
* parameter[=].max = "*"
* parameter[=].documentation = "One non-zero cell of the confusion matrix (findings as system|code)."
* insert Part(truth, 1, 1, string)
* insert Part(predicted, 1, 1, string)
* insert Part(count, 1, 1, integer)
* parameter[+].name = #reviews
* parameter[=].use = #out
* parameter[=].min = 0
* parameter[=].max = "*"
* parameter[=].documentation = "Finished reviews by outcome (confirmed | corrected | rejected)."
* insert Part(outcome, 1, 1, code)
* insert Part(count, 1, 1, integer)
