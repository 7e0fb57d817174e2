CodeSystem: AnnotationMethodCS
Id: annotation-method
Title: "Annotation Method"
Description: "How a dermatology image annotation was made: by an expert, by the treating clinician, with AI assistance (confirmed or corrected by a clinician) or by an AI model alone. Published in the guide 0.1.0."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-method"
* ^status = #draft
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete
* #expert-annotation "Expert Manual Annotation" "Full annotation by a specialist (e.g. a dermatologist) without AI assistance."
* #clinician-point-of-care "Clinician Point-of-Care Assessment" "Assessment by the treating clinician at the point of care, without AI assistance."
* #ai-assisted-confirmed "AI-Assisted, Clinician Confirmed" "An AI prediction that a clinician reviewed and accepted unchanged."
* #ai-assisted-corrected "AI-Assisted, Clinician Corrected" "An AI prediction that a clinician reviewed and modified before accepting it."
* #ai-inference "AI Model Inference" "Output of an AI model with no human review."
