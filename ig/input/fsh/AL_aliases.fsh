// Aliases of the Dermatology Image Annotation IG. All aliases of the guide live in this file.

// External terminologies (codes used in this guide come only from the FHIR R4 core package, the published
// guide 0.1.0 and the terminology sources cited next to each code).
Alias: $SCT = http://snomed.info/sct
Alias: $LOINC = http://loinc.org
Alias: $UCUM = http://unitsofmeasure.org
Alias: $DCM = http://dicom.nema.org/resources/ontology/DCM
Alias: $NCIT = http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl

// HL7 terminology (all present in the FHIR R4 core package, except AIAST: see conformance.html)
Alias: $v3-ObservationValue = http://terminology.hl7.org/CodeSystem/v3-ObservationValue
Alias: $v3-ObservationInterpretation = http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation
Alias: $v3-DataOperation = http://terminology.hl7.org/CodeSystem/v3-DataOperation
Alias: $obs-category = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $provenance-participant-type = http://terminology.hl7.org/CodeSystem/provenance-participant-type
Alias: $v2-0203 = http://terminology.hl7.org/CodeSystem/v2-0203

// FHIR core code systems
Alias: $observation-status = http://hl7.org/fhir/observation-status
Alias: $provenance-entity-role = http://hl7.org/fhir/provenance-entity-role
Alias: $device-nametype = http://hl7.org/fhir/device-nametype

// HL7 AI Transparency on FHIR (canonicals only; the package is not a dependency of this guide)
Alias: $AIDeviceType = http://hl7.org/fhir/uv/aitransparency/CodeSystem/AIdeviceTypeCS
Alias: $ait-AIKind = http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind
Alias: $ait-modelCard = http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription

// This guide's own code systems
Alias: $annotation-type = https://annotatemd.com/fhir/ig/CodeSystem/annotation-type
Alias: $annotation-method = https://annotatemd.com/fhir/ig/CodeSystem/annotation-method
Alias: $qa-review-status = https://annotatemd.com/fhir/ig/CodeSystem/qa-review-status
Alias: $change-type = https://annotatemd.com/fhir/ig/CodeSystem/change-type
Alias: $annotation-review = https://annotatemd.com/fhir/ig/CodeSystem/annotation-review
