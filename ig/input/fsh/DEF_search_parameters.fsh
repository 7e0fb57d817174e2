// Search parameters published by the guide 0.1.0. They restate the R4 core parameters of the same code
// (derivedFrom set) so a server can advertise them as part of the guide.

Instance: observation-derived-from
InstanceOf: SearchParameter
Usage: #definition
Title: "Observation derived-from (source image)"
Description: "Search annotations and AI predictions by the source image they were derived from."
* url = "https://annotatemd.com/fhir/ig/SearchParameter/observation-derived-from"
* name = "ObservationDerivedFrom"
* status = #draft
* experimental = false
* insert GuideInstanceMetadata
* description = "Search observations by source image reference (ImagingStudy, DocumentReference, or Media)" // as published
* purpose = "Completion: the published guide 0.1.0 gives this parameter's name and description only. Its base, type, expression, targets and the derivedFrom link to the R4 core parameter Observation-derived-from are this project's completion."
* derivedFrom = "http://hl7.org/fhir/SearchParameter/Observation-derived-from"
* code = #derived-from
* base = #Observation
* type = #reference
* expression = "Observation.derivedFrom"
* xpathUsage = #normal
* target[+] = #ImagingStudy
* target[+] = #DocumentReference
* target[+] = #Media

Instance: observation-method
InstanceOf: SearchParameter
Usage: #definition
Title: "Observation method (annotation method)"
Description: "Search annotations by annotation method."
* url = "https://annotatemd.com/fhir/ig/SearchParameter/observation-method"
* name = "ObservationMethod"
* status = #draft
* experimental = false
* insert GuideInstanceMetadata
* description = "Search observations by annotation method (expert, clinician, AI-assisted, AI inference)" // as published
* purpose = "Completion: the published guide 0.1.0 gives this parameter's name and description only. Its base, type, expression and the derivedFrom link to the R4 core parameter Observation-method are this project's completion. Example: method=https://annotatemd.com/fhir/ig/CodeSystem/annotation-method|ai-assisted-corrected."
* derivedFrom = "http://hl7.org/fhir/SearchParameter/Observation-method"
* code = #method
* base = #Observation
* type = #token
* expression = "Observation.method"
* xpathUsage = #normal
