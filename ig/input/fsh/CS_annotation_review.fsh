CodeSystem: AnnotationReviewCS
Id: annotation-review
Title: "Annotation Review"
Description: "Completion: not in the published guide 0.1.0, which leaves the review workflow open. The code of the clinician review task of an AI prediction and the outcomes of that review (Task.code and Task.businessStatus)."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-review"
* insert CompletionTerminology
* ^caseSensitive = true
* ^content = #complete
* #ai-prediction-review "AI prediction review" "A clinician reviews an AI prediction and confirms, corrects or rejects it."
* #awaiting-review "Awaiting review" "The AI prediction has not been reviewed yet."
* #confirmed "Confirmed" "The clinician accepted the AI prediction unchanged; the resulting annotation has method ai-assisted-confirmed."
* #corrected "Corrected" "The clinician modified the AI prediction before accepting it; the resulting annotation has method ai-assisted-corrected."
* #rejected "Rejected" "The clinician rejected the AI prediction; no annotation results and the prediction is cancelled."
