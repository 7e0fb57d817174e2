// What a server implementing the guide supports (published: "Annotate MD Server Capability Statement").

// read, vread, update, create, delete, history-instance and search-type on one resource type
RuleSet: ServerResource(type)
* rest[0].resource[+].type = #{type}
* rest[0].resource[=].versioning = #versioned
* rest[0].resource[=].interaction[+].code = #read
* rest[0].resource[=].interaction[+].code = #vread
* rest[0].resource[=].interaction[+].code = #update
* rest[0].resource[=].interaction[+].code = #create
* rest[0].resource[=].interaction[+].code = #delete
* rest[0].resource[=].interaction[+].code = #history-instance
* rest[0].resource[=].interaction[+].code = #search-type

// a profile of the guide supported on the current resource type
RuleSet: SupportedProfile(id)
* rest[0].resource[=].supportedProfile[+] = "https://annotatemd.com/fhir/ig/StructureDefinition/{id}"

Instance: annotatemd-server
InstanceOf: CapabilityStatement
Usage: #definition
Title: "Annotate MD Server Capability Statement"
Description: "Defines the expected capabilities of a server implementing the Dermatology Image Annotation IG. Its REST content is this project's completion (see purpose)."
* url = "https://annotatemd.com/fhir/ig/CapabilityStatement/annotatemd-server"
* name = "AnnotateMDServerCapabilityStatement"
* title = "Annotate MD Server Capability Statement"
* status = #draft
* experimental = false
* date = "2026-04-04"
* insert GuideInstanceMetadata
* description = "Defines the expected capabilities of a server implementing the Dermatology Image Annotation IG." // as published
* purpose = "Completion: the published guide 0.1.0 gives this statement's title and description. The interactions, resource types, supported profiles, search parameters and Bundle support listed here are this project's completion: what its reference server implements (CRUD, version history and type search on the guide's resources, the guide's two search parameters, transaction and batch Bundles, e.g. an AI output with its Device, model card and Provenance in one transaction)."
* kind = #requirements
* fhirVersion = #4.0.1
* format[+] = #json
* implementationGuide = "https://annotatemd.com/fhir/ig/ImplementationGuide/annotatemd.dermatology-annotation"
* rest[0].mode = #server
* rest[0].documentation = "FHIR R4 REST server for dermatology image annotations, AI predictions, their review and lesion series."
* insert ServerResource(Observation)
* insert SupportedProfile(dermatology-image-annotation)
* insert SupportedProfile(ai-prediction)
* insert SupportedProfile(annotation-series)
* rest[0].resource[=].searchParam[+].name = "derived-from"
* rest[0].resource[=].searchParam[=].definition = "https://annotatemd.com/fhir/ig/SearchParameter/observation-derived-from"
* rest[0].resource[=].searchParam[=].type = #reference
* rest[0].resource[=].searchParam[=].documentation = "Annotations and AI predictions of a source image."
* rest[0].resource[=].searchParam[+].name = "method"
* rest[0].resource[=].searchParam[=].definition = "https://annotatemd.com/fhir/ig/SearchParameter/observation-method"
* rest[0].resource[=].searchParam[=].type = #token
* rest[0].resource[=].searchParam[=].documentation = "Annotations by annotation method."
* insert ServerResource(Patient)
* insert ServerResource(Practitioner)
* insert ServerResource(Device)
* insert SupportedProfile(ai-model-device)
* insert ServerResource(DocumentReference)
* insert SupportedProfile(dermatology-image)
* insert ServerResource(Media)
* insert ServerResource(ImagingStudy)
* insert ServerResource(BodyStructure)
* insert SupportedProfile(skin-lesion)
* insert ServerResource(Provenance)
* insert SupportedProfile(ai-provenance)
* insert SupportedProfile(review-provenance)
* insert ServerResource(Task)
* insert SupportedProfile(annotation-review-task)
* insert ServerResource(RiskAssessment)
* insert SupportedProfile(class-probability-assessment)
* rest[0].interaction[+].code = #transaction
* rest[0].interaction[=].documentation = "Recommended for an AI output with its Device, model card and Provenance."
* rest[0].interaction[+].code = #batch
