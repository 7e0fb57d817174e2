CodeSystem: AnnotationMethodCS
Id: annotation-method
Title: "Annotation Method"
Description: "Method by which a dermatology annotation was produced. Aligns with HL7 AI Transparency on FHIR by distinguishing human, AI-assisted, and pure AI annotation."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-method"
* insert PublishedTerminology(AnnotationMethod)
* ^caseSensitive = true
* ^content = #complete
* #expert-annotation "Expert Manual Annotation" "Full annotation by specialist (dermatologist, dermatopathologist)"
* #clinician-point-of-care "Clinician Point-of-Care Assessment" "Classification by treating clinician without AI assistance"
* #ai-assisted-confirmed "AI-Assisted, Clinician Confirmed" "Clinician accepted AI prediction without modification"
* #ai-assisted-corrected "AI-Assisted, Clinician Corrected" "Clinician modified AI prediction before accepting"
* #ai-inference "AI Model Inference" "Automated prediction by AI model without human review"
