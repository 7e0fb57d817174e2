// Extensions published by the guide 0.1.0 (credential-ordinal, label-available-at). Their url, name, title,
// description and value type are published; where the published page does not state it, the context of use is a
// completion (said so in the description).

Extension: CredentialOrdinal
Id: credential-ordinal
Title: "Annotator credential ordinal"
Description: "Integer 1-5 ranking an annotator's credential level. Additive to PractitionerRole.qualification[].code; enables numeric filtering without string parsing. Completion: the context of use (Practitioner, PractitionerRole) and the range invariant; the review workflow requires a QA reviewer's ordinal to be at least the annotator's."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "Practitioner"
* ^context[+].type = #element
* ^context[=].expression = "PractitionerRole"
* obeys credential-ordinal-range
* extension 0..0
* value[x] 1..1
* value[x] only integer
* insert Doc(value[x], [[Credential level 1 (lowest) to 5 (highest)]], [[The annotator's credential level as an integer from 1 to 5.]])

Invariant: credential-ordinal-range
Description: "The credential ordinal is an integer from 1 to 5."
Severity: #error
Expression: "value.exists() implies (value >= 1 and value <= 5)"

Extension: LabelAvailableAt
Id: label-available-at
Title: "Label available-for-inference timestamp"
Description: "Moment the annotation first reached the configured reviewer-agreement threshold and became available for downstream inference. Strictly >= first-reviewer-submission timestamp; prevents temporal label leakage in calibration evaluation. Used on Observation.effective[x] (published context); model monitoring counts only labels available before its cut-off."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "Observation.effective[x]"
* extension 0..0
* value[x] 1..1
* value[x] only dateTime
* insert Doc(value[x], [[When the label became available]], [[When the annotation became available as a label for downstream inference and evaluation.]])
