Profile: AIModelDevice
// Device, following the AI Transparency on FHIR AI-Device profile; that package is not a dependency of this
// guide, so its rules are restated here and its extensions are used by canonical URL (see conformance.html)
Parent: Device
Id: ai-model-device
Title: "AI Model Device"
Description: "Completion: not in the published guide 0.1.0, which leaves the AI model Device shape open. The AI model that produces AI predictions and class-probability assessments, following the HL7 AI Transparency on FHIR AI-Device pattern: type AIdeviceTypeCS#Artificial-Intelligence, the AI Transparency extensions aitransparency.AIKind (required) and aitransparency.modelCardDescription (recommended, a model card DocumentReference in text/markdown), and the must-support elements identifier, manufacturer, deviceName, modelNumber, version, url and safety. The extensions are used by their AI Transparency canonical URLs and checked by invariants, because the AI Transparency package is not available to this guide."
* insert DraftDefinition
* obeys aidev-aikind and aidev-model-card and aidev-ait-values
* insert Doc(extension, [[AI Transparency extensions (AIKind, modelCardDescription)]], [[Carries http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind (valueCodeableConcept from AIdeviceTypeCS, required) and http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription (valueReference to the model card DocumentReference, recommended).]])
* type 1..1
* type = $AIDeviceType#Artificial-Intelligence
* insert Doc(type, [[Fixed: AIdeviceTypeCS#Artificial-Intelligence]], [[The device is an AI model (AI Transparency AIdeviceTypeCS#Artificial-Intelligence).]])
* insert Doc(identifier, [[Model identifier]], [[Identifier of the model, e.g. a registry or vendor identifier.]])
* manufacturer 1..1
* insert Doc(manufacturer, [[Model vendor]], [[Who made the model.]])
* deviceName 1..*
* insert Doc(deviceName, [[Model name]], [[Name of the model, e.g. DermAI Classifier v2.1.]])
* insert Doc(modelNumber, [[Model number]], [[The vendor's model number.]])
* version 1..*
* insert Doc(version, [[Model version]], [[Version of the trained model that produced the outputs.]])
* insert Doc(url, [[Model endpoint or page]], [[Network address of the model service or its documentation.]])
* insert Doc(safety, [[Safety characteristics]], [[Safety and intended-use statements, e.g. decision support only.]])
// must support (AI Transparency AI-Device)
* extension and type and identifier and manufacturer and deviceName and modelNumber and version and url and safety MS

Invariant: aidev-aikind
Description: "The AI model carries the AI Transparency extension aitransparency.AIKind."
Severity: #error
Expression: "extension.where(url = 'http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind').exists()"

Invariant: aidev-model-card
Description: "The AI model should reference its model card (AI Transparency extension aitransparency.modelCardDescription)."
Severity: #warning
Expression: "extension.where(url = 'http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription').exists()"

Invariant: aidev-ait-values
Description: "AIKind has a coded value; modelCardDescription has a reference (to the model card DocumentReference)."
Severity: #error
Expression: "extension.where(url = 'http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind').all(value.coding.exists()) and extension.where(url = 'http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription').all(value.reference.exists())"
