Profile: AnnotationSeries
// Observation grouping Observations through hasMember, the R4 pattern for panels
Parent: Observation
Id: annotation-series
Title: "Annotation Series"
Description: "Groups dermatology annotations for the same lesion over time. Enables longitudinal tracking and change detection."
* insert DraftDefinition
// description as published; what this guide says beyond it
* ^purpose = "Groups the annotations of one skin lesion over time for longitudinal tracking and change detection. Published in the guide 0.1.0 (purpose and the change-detected code); its element rules are a completion: not in the published guide 0.1.0 (see conformance.html)."
* obeys series-type-needs-detected and series-detected-has-type and series-no-change-consistent and series-period-order
* insert DermAnnotationCategory
* status from DermatologyAnnotationStatusVS (required)
* insert Doc(status, [[preliminary | final | amended]], [[Status of the series; final once the change assessment is signed off.]])
* code = $annotation-type#annotation-series
* insert Doc(code, [[Fixed: annotation-type#annotation-series]], [[Identifies the Observation as an annotation series.]])
* subject 1..1
* subject only Reference(Patient)
* insert Doc(subject, [[The patient]], [[The patient whose lesion is tracked.]])
* focus 1..1
* focus only Reference(SkinLesion)
* insert Doc(focus, [[The tracked lesion]], [[The skin lesion (skin-lesion BodyStructure) every member annotation is about.]])
* effective[x] 1..1
* effective[x] only Period
* insert Doc(effective[x], [[First to last annotation time]], [[The period from the earliest to the latest member annotation.]])
* insert Doc(performer, [[Who assessed the change]], [[The clinician responsible for the change assessment.]])
* hasMember 1..*
* hasMember only Reference(DermatologyImageAnnotation)
* insert Doc(hasMember, [[The annotations of the lesion, oldest first]], [[The reviewed annotations (dermatology-image-annotation) of the lesion in time order. AI predictions are not members.]])
* value[x] 0..0
* insert Doc(value[x], [[Not used: results are in components]], [[Not used: change results are components.]])
* insert ComponentSlicing
* insert ComponentSlice(changeDetected, change-detected, 0..1, [[Whether the lesion changed]], [[True when the lesion changed between the member annotations.]])
* component[changeDetected].value[x] 1..1
* component[changeDetected].value[x] only boolean
* insert Doc(component[changeDetected].value[x], [[true = change detected]], [[Whether a change was detected.]])
* insert ComponentSlice(changeType, change-type, 0..*, [[Kind of change]], [[Kind of change detected, one component per kind.]])
* component[changeType].value[x] 1..1
* component[changeType].value[x] only CodeableConcept
// required: the guide's own vocabulary (completion of the unpublished change-type value set)
* component[changeType].valueCodeableConcept from ChangeTypeVS (required)
* insert Doc(component[changeType].value[x], [[Change type code]], [[The kind of change, from change-type.]])
// must support
* category and category[imaging] and category[dermatologyAnnotation] and code and status and subject and focus MS
* effective[x] and performer and hasMember and component and component[changeDetected] and component[changeType] MS

Invariant: series-type-needs-detected
Description: "A change type is only given together with a change-detected component."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-type')).exists() implies component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-detected')).exists()"

Invariant: series-detected-has-type
Description: "When a change was detected, its kind should be given."
Severity: #warning
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-detected') and value = true).exists() implies component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-type')).exists()"

Invariant: series-no-change-consistent
Description: "When no change was detected, the only change type allowed is no-change."
Severity: #error
Expression: "component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-detected') and value = false).exists() implies component.where(code.coding.exists(system = 'https://annotatemd.com/fhir/ig/CodeSystem/annotation-type' and code = 'change-type')).value.coding.where(system = 'https://annotatemd.com/fhir/ig/CodeSystem/change-type' and code != 'no-change').empty()"

Invariant: series-period-order
Description: "The series period does not end before it starts."
Severity: #error
Expression: "(effective.start.exists() and effective.end.exists()) implies effective.start <= effective.end"
