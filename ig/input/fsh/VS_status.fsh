ValueSet: DermatologyAnnotationStatusVS
Id: dermatology-annotation-status
Title: "Dermatology Annotation Status"
Description: "Statuses allowed for a dermatology image annotation: preliminary, final or amended. Published in the guide 0.1.0."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/dermatology-annotation-status"
* insert PublishedTerminology(DermatologyAnnotationStatus)
* $observation-status#preliminary "Preliminary"
* $observation-status#final "Final"
* $observation-status#amended "Amended"

ValueSet: AIPredictionStatusVS
Id: ai-prediction-status
Title: "AI Prediction Status"
Description: "Allowed status values for AI predictions. Never final — AI output requires human review."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/ai-prediction-status"
* insert PublishedTerminology(AIPredictionStatus)
* $observation-status#preliminary "Preliminary"
* $observation-status#cancelled "Cancelled"
* $observation-status#entered-in-error "Entered in Error"
