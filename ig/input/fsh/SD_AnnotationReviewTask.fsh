Profile: AnnotationReviewTask
// Task: R4's workflow resource for work a person must do on a focal resource
Parent: Task
Id: annotation-review-task
Title: "Annotation Review Task"
Description: "Completion: not in the published guide 0.1.0, which leaves the review workflow open. The clinician review of one AI prediction: its owner confirms, corrects or rejects the prediction; businessStatus records the outcome and output the resulting dermatology-image-annotation."
* insert DraftDefinition
* obeys review-owner-when-started and review-completed-outcome and review-output-when-accepted and review-rejected-no-output
* insert Doc(status, [[requested | in-progress | completed | cancelled ...]], [[State of the review task.]])
* businessStatus 1..1
// required: the guide's own vocabulary
* businessStatus from ReviewOutcomeVS (required)
* insert Doc(businessStatus, [[awaiting-review | confirmed | corrected | rejected]], [[Outcome of the review.]])
* intent = #order
* insert Doc(intent, [[Fixed: order]], [[The review is requested work.]])
* code 1..1
* code = $annotation-review#ai-prediction-review
* insert Doc(code, [[Fixed: annotation-review#ai-prediction-review]], [[The task is the review of an AI prediction.]])
* focus 1..1
* focus only Reference(AIPrediction)
* insert Doc(focus, [[The AI prediction to review]], [[The AI prediction under review.]])
* for 1..1
* for only Reference(Patient)
* insert Doc(for, [[The patient]], [[The patient the prediction is about.]])
* authoredOn 1..1
* insert Doc(authoredOn, [[When the review was requested]], [[When the review task was created.]])
* insert Doc(lastModified, [[Last change of the task]], [[When the task was last changed, e.g. completed.]])
* owner only Reference(Practitioner or PractitionerRole)
* insert Doc(owner, [[The reviewing clinician]], [[The clinician responsible for the review; required once the review started.]])
* output ^slicing.discriminator.type = #pattern
* output ^slicing.discriminator.path = "type"
* output ^slicing.rules = #open
* output ^slicing.description = "Slice on the output type."
* insert Doc(output, [[Results of the review]], [[Results of the review, in particular the resulting annotation.]])
* output contains resultingAnnotation 0..1
* output[resultingAnnotation].type = $annotation-type#dermatology-annotation
* output[resultingAnnotation].value[x] only Reference(DermatologyImageAnnotation)
* insert Doc(output[resultingAnnotation], [[The resulting annotation]], [[The dermatology-image-annotation created by confirming or correcting the prediction.]])
* insert Doc(output[resultingAnnotation].type, [[Fixed: annotation-type#dermatology-annotation]], [[Identifies the output as the resulting annotation.]])
* insert Doc(output[resultingAnnotation].value[x], [[Reference to the annotation]], [[Reference to the resulting dermatology-image-annotation.]])
// must support
* status and businessStatus and code and focus and for and authoredOn and lastModified and owner MS
* output and output[resultingAnnotation] MS

Invariant: review-owner-when-started
Description: "A review in progress or completed has an owner."
Severity: #error
Expression: "(status = 'in-progress' or status = 'completed') implies owner.exists()"

Invariant: review-completed-outcome
Description: "A completed review records its outcome: confirmed, corrected or rejected."
Severity: #error
Expression: "status = 'completed' implies businessStatus.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-review' and (code = 'confirmed' or code = 'corrected' or code = 'rejected'))"

Invariant: review-output-when-accepted
Description: "A completed review that confirmed or corrected the prediction outputs the resulting annotation."
Severity: #error
Expression: "(status = 'completed' and businessStatus.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-review' and (code = 'confirmed' or code = 'corrected'))) implies output.where(type.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'dermatology-annotation')).exists()"

Invariant: review-rejected-no-output
Description: "A rejected prediction produces no annotation."
Severity: #error
Expression: "businessStatus.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-review' and code = 'rejected') implies output.where(type.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'dermatology-annotation')).empty()"
