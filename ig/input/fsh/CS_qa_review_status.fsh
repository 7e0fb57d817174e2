CodeSystem: QAReviewStatusCS
Id: qa-review-status
Title: "QA Review Status"
Description: "Completion: not in the published guide 0.1.0, whose example uses only `approved` (\"QA Approved\"). States of the quality-assurance review of a dermatology image annotation."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/qa-review-status"
* insert CompletionTerminology
* ^caseSensitive = true
* ^content = #complete
* #pending "QA Pending" "The annotation awaits quality-assurance review."
* #in-review "QA In Review" "A reviewer is checking the annotation."
* #approved "QA Approved" "The reviewer accepted the annotation (code and display used by the published example)."
* #rejected "QA Rejected" "The reviewer rejected the annotation; it must not be used as ground truth."
* #needs-revision "QA Needs Revision" "The reviewer returned the annotation to its annotator for changes."
