// Clinician review of the AI prediction in the example case.

Instance: ExampleReviewTask
InstanceOf: AnnotationReviewTask
Usage: #example
Title: "Review of the AI prediction: corrected"
Description: "Completion (this project's own example): the treating clinician reviewed ExampleAIPredictionRegions and corrected it; the result is ExampleCorrectedAnnotation."
* status = #completed
* businessStatus = $annotation-review#corrected "Corrected"
* intent = #order
* code = $annotation-review#ai-prediction-review "AI prediction review"
* focus = Reference(ExampleAIPredictionRegions)
* for = Reference(example-patient)
* authoredOn = "2026-01-15T09:05:02Z"
* lastModified = "2026-01-15T11:40:00Z"
* owner = Reference(example-clinician)
* output[resultingAnnotation].type = $annotation-type#dermatology-annotation "Dermatology Annotation"
* output[resultingAnnotation].valueReference = Reference(ExampleCorrectedAnnotation)

Instance: ExampleReviewProvenance
InstanceOf: ReviewProvenance
Usage: #example
Title: "Provenance of the corrected annotation"
Description: "Completion (this project's own example): the treating clinician (verifier) created ExampleCorrectedAnnotation from ExampleAIPredictionRegions (derivation) of DermAI Classifier v2.1 (informant) and ExampleDermoscopyImage (source)."
* target[0] = Reference(ExampleCorrectedAnnotation)
* recorded = "2026-01-15T11:40:00Z"
* activity = $v3-DataOperation#CREATE "create"
* agent[verifier].type = $provenance-participant-type#verifier "Verifier"
* agent[verifier].who = Reference(example-clinician)
* agent[aiModel].type = $provenance-participant-type#informant "Informant"
* agent[aiModel].who = Reference(ExampleAIDevice)
* entity[0].role = #derivation
* entity[0].what = Reference(ExampleAIPredictionRegions)
* entity[1].role = #source
* entity[1].what = Reference(ExampleDermoscopyImage)
