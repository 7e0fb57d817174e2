// One case runs through all examples: a pigmented lesion on the right upper arm of Jane Smith (example-patient).
// Published examples (content as the published pages give it): example-patient, example-dermatologist,
// ExampleMelanomaAnnotation and ExampleAIPrediction on the clinical photograph of 2026-03-27 (ExampleClinicalPhoto).
// This project's own examples (completions) add the earlier history of the lesion: a nevus recorded at baseline
// (2025-10-14), a dermoscopic image (2026-01-15) classified by the AI model with regions and a heatmap
// (ExampleAIPredictionRegions), reviewed and corrected by the treating clinician, and the lesion series.

Instance: example-patient
InstanceOf: Patient
Usage: #example
Title: "Patient Jane Smith"
Description: "The patient of the published examples (synthetic data): Jane Smith, female, born 1975-06-15."
* name[0].family = "Smith"
* name[0].given[0] = "Jane"
* gender = #female
* birthDate = "1975-06-15"

Instance: example-dermatologist
InstanceOf: Practitioner
Usage: #example
Title: "Dermatologist Robert Johnson"
Description: "Dr. Robert Johnson, the board-certified dermatologist of the published examples, who makes the expert annotation (and, in this project's own examples, assesses the lesion series). Completion: the staff identifier, qualification and credential-ordinal extension are this project's additions, used by the review workflow's QA rules."
* identifier[0].system = "https://example.org/fhir/sid/staff"
* identifier[0].value = "DERM-042"
* active = true
* name[0].family = "Johnson"
* name[0].given[0] = "Robert"
* name[0].prefix[0] = "Dr."
* qualification[0].code.text = "Dermatologist"
* extension[0].url = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
* extension[0].valueInteger = 5

Instance: example-clinician
InstanceOf: Practitioner
Usage: #example
Title: "Treating clinician Sam Rivera"
Description: "Completion (this project's own example): the treating clinician who records the baseline assessment and reviews the AI prediction on the dermoscopic image."
* identifier[0].system = "https://example.org/fhir/sid/staff"
* identifier[0].value = "GP-007"
* active = true
* name[0].family = "Rivera"
* name[0].given[0] = "Sam"
* name[0].prefix[0] = "Dr."
* qualification[0].code.text = "General practitioner"
* extension[0].url = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
* extension[0].valueInteger = 3
