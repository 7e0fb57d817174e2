Profile: AIProvenance
// Provenance, following the AI Transparency on FHIR AI-Provenance pattern (rules restated; no package dependency)
Parent: Provenance
Id: ai-provenance
Title: "AI Provenance"
Description: "Completion: not in the published guide 0.1.0, which publishes an example but not the shape. Records that an AI model created AI predictions (and class-probability assessments) from an image, following the HL7 AI Transparency on FHIR AI-Provenance pattern: reason AIAST, the AI model Device as author, the image as source entity, activity CREATE. Recommended exchange: the AI output, its Device, model card and this Provenance in one transaction Bundle."
* insert DraftDefinition
* obeys aiprov-reason-aiast
* target only Reference(AIPrediction or ClassProbabilityAssessment)
* insert Doc(target, [[The AI-made resources]], [[The AI predictions and class-probability assessments the model created. Element-level targets use the targetPath extension of AI Transparency.]])
* insert Doc(recorded, [[When the AI output was recorded]], [[When the AI output was recorded.]])
* reason 1..*
* reason ^slicing.discriminator.type = #pattern
* reason ^slicing.discriminator.path = "$this"
* reason ^slicing.rules = #open
* reason ^slicing.description = "Slice on the reason code."
* insert Doc(reason, [[Why: includes AIAST]], [[Reasons of the activity; includes v3-ObservationValue#AIAST (AI Transparency).]])
* reason contains aiast 1..1
* reason[aiast] = $v3-ObservationValue#AIAST
* insert Doc(reason[aiast], [[AIAST: artificial intelligence asserted]], [[The AI Transparency reason code AIAST.]])
* activity 1..1
* activity = $v3-DataOperation#CREATE
* insert Doc(activity, [[Fixed: v3-DataOperation#CREATE]], [[The AI model created the target resources.]])
* agent ^slicing.discriminator.type = #pattern
* agent ^slicing.discriminator.path = "type"
* agent ^slicing.rules = #open
* agent ^slicing.description = "Slice on the agent type."
* insert Doc(agent, [[Who: the AI model, and others]], [[The agents; the AI model Device is the author.]])
* agent contains aiModel 1..1
* agent[aiModel].type 1..1
* agent[aiModel].type = $provenance-participant-type#author
* insert Doc(agent[aiModel].type, [[Fixed: author]], [[The AI model authored the targets: provenance-participant-type#author.]])
* insert Doc(agent[aiModel], [[The AI model as author]], [[The AI model that created the targets, as agent of type author.]])
* agent[aiModel].who only Reference(AIModelDevice)
* insert Doc(agent[aiModel].who, [[The AI model Device]], [[The ai-model-device Device.]])
* entity ^slicing.discriminator.type = #value
* entity ^slicing.discriminator.path = "role"
* entity ^slicing.rules = #open
* entity ^slicing.description = "Slice on the entity role."
* insert Doc(entity, [[Inputs of the model]], [[The inputs of the model: the source image (role source) and others.]])
* entity contains sourceImage 1..*
* entity[sourceImage].role = #source
* entity[sourceImage].what only Reference(DocumentReference or Media or ImagingStudy)
* insert Doc(entity[sourceImage].role, [[Fixed: source]], [[The image is the source of the AI output.]])
* insert Doc(entity[sourceImage].what, [[The image]], [[Reference to the source image (DocumentReference | Media | ImagingStudy).]])
* insert Doc(entity[sourceImage], [[The source image]], [[The image the model analysed, as entity of role source.]])
// must support
* target and recorded and reason and reason[aiast] and activity and agent and agent[aiModel] and entity and entity[sourceImage] MS

Invariant: aiprov-reason-aiast
Description: "The reason of an AI Provenance includes v3-ObservationValue#AIAST."
Severity: #error
Expression: "reason.coding.exists(system = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue' and code = 'AIAST')"


Profile: ReviewProvenance
// Provenance: who verified, confirmed or corrected an AI prediction, and from what
Parent: Provenance
Id: review-provenance
Title: "Review Provenance"
Description: "Completion: not in the published guide 0.1.0, which leaves the review workflow open. Records a clinician's review of an AI prediction (AI Transparency pattern for human review): the clinician as verifier, the AI model as informant, the AI prediction as entity (role derivation when an annotation was created from it, revision when the prediction itself was updated, e.g. cancelled on rejection), activity CREATE or UPDATE."
* insert DraftDefinition
* obeys revprov-activity and revprov-prediction-entity
* target only Reference(DermatologyImageAnnotation or AIPrediction)
* insert Doc(target, [[The resulting annotation, or the rejected prediction]], [[The annotation the review created (confirm / correct) or the AI prediction it updated (reject).]])
* insert Doc(recorded, [[When the review was recorded]], [[When the review was recorded.]])
* activity 1..1
// extensible core binding kept; the invariant limits the code to v3-DataOperation CREATE or UPDATE
* insert Doc(activity, [[v3-DataOperation CREATE | UPDATE]], [[CREATE when the review created an annotation, UPDATE when it changed the prediction.]])
* agent ^slicing.discriminator.type = #pattern
* agent ^slicing.discriminator.path = "type"
* agent ^slicing.rules = #open
* agent ^slicing.description = "Slice on the agent type."
* insert Doc(agent, [[Who: the reviewing clinician, the AI model]], [[The reviewing clinician (verifier) and the AI model (informant).]])
* agent contains verifier 1..1 and aiModel 0..1
* agent[verifier].type 1..1
* agent[verifier].type = $provenance-participant-type#verifier
* insert Doc(agent[verifier].type, [[Fixed: verifier]], [[The clinician verified the AI output: provenance-participant-type#verifier.]])
* agent[verifier].who only Reference(Practitioner or PractitionerRole)
* insert Doc(agent[verifier], [[The reviewing clinician]], [[The clinician who reviewed the AI prediction, as agent of type verifier.]])
* insert Doc(agent[verifier].who, [[The clinician]], [[The reviewing Practitioner or PractitionerRole.]])
* agent[aiModel].type 1..1
* agent[aiModel].type = $provenance-participant-type#informant
* insert Doc(agent[aiModel].type, [[Fixed: informant]], [[The AI model informed the human author: provenance-participant-type#informant.]])
* agent[aiModel].who only Reference(AIModelDevice)
* insert Doc(agent[aiModel], [[The AI model as informant]], [[The AI model whose prediction was reviewed, as agent of type informant (a human authors the result).]])
* insert Doc(agent[aiModel].who, [[The AI model Device]], [[The ai-model-device Device.]])
* entity 1..*
* entity.what only Reference(AIPrediction or DermatologyImageAnnotation or DocumentReference or Media or ImagingStudy)
* insert Doc(entity.what, [[The AI prediction or the image]], [[Reference to the reviewed AI prediction (clinician review), the reviewed annotation (QA review, role revision) or the source image.]])
* insert Doc(entity, [[The AI prediction (and image) reviewed]], [[The AI prediction reviewed (role derivation or revision) and optionally the source image (role source).]])
// must support
* target and recorded and activity and agent and agent[verifier] and agent[aiModel] and entity MS

Invariant: revprov-activity
Description: "The review activity is v3-DataOperation CREATE or UPDATE."
Severity: #error
Expression: "activity.coding.exists(system = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation' and (code = 'CREATE' or code = 'UPDATE'))"

Invariant: revprov-prediction-entity
Description: "The reviewed AI prediction is an entity of role derivation or revision."
Severity: #error
Expression: "entity.where(role = 'derivation' or role = 'revision').exists()"
