// One case runs through all examples: a pigmented lesion on the left upper arm of example-patient, first
// recorded as a nevus (2025-10-14), imaged again by dermoscopy (2026-01-15), classified by an AI model, reviewed
// and corrected by the treating clinician, annotated by a dermatologist as melanoma and tracked as a series.

Instance: example-patient
InstanceOf: Patient
Usage: #example
Title: "Patient Jane Example"
Description: "The patient of the example case."
* identifier[0].system = "https://example.org/fhir/sid/mrn"
* identifier[0].value = "MRN-000118"
* active = true
* name[0].family = "Example"
* name[0].given[0] = "Jane"
* gender = #female
* birthDate = "1972-05-14"

Instance: example-dermatologist
InstanceOf: Practitioner
Usage: #example
Title: "Dermatologist Alex Morgan"
Description: "The dermatologist who makes the expert annotation and assesses the lesion series."
* identifier[0].system = "https://example.org/fhir/sid/staff"
* identifier[0].value = "DERM-042"
* active = true
* name[0].family = "Morgan"
* name[0].given[0] = "Alex"
* name[0].prefix[0] = "Dr."
* qualification[0].code.text = "Dermatologist"
* extension[0].url = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
* extension[0].valueInteger = 5

Instance: example-clinician
InstanceOf: Practitioner
Usage: #example
Title: "Treating clinician Sam Rivera"
Description: "The treating clinician who records the baseline assessment and reviews the AI prediction."
* identifier[0].system = "https://example.org/fhir/sid/staff"
* identifier[0].value = "GP-007"
* active = true
* name[0].family = "Rivera"
* name[0].given[0] = "Sam"
* name[0].prefix[0] = "Dr."
* qualification[0].code.text = "General practitioner"
* extension[0].url = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
* extension[0].valueInteger = 3
