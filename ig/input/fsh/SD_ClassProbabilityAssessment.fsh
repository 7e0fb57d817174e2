Profile: ClassProbabilityAssessment
// RiskAssessment: prediction[].outcome + probabilityDecimal is R4's element for a distribution over outcomes
Parent: RiskAssessment
Id: class-probability-assessment
Title: "Class Probability Assessment"
Description: "Completion: not in the published guide 0.1.0. The probability distribution an AI classifier computed over skin-finding classes (e.g. the ISIC challenge classes mapped to SNOMED CT) for one image. The top class is also sent as the skin finding of the AI prediction; basis references the prediction and the image. Classes with no SNOMED CT code (e.g. dermatofibroma) are sent with outcome text only."
* insert DraftDefinition
* obeys classprob-range and classprob-sum-max and classprob-sum-complete and classprob-distinct-outcomes
* insert AIASTSecurityLabel
// required: same rule as AI predictions (never final)
* status from AIPredictionStatusVS (required)
* insert Doc(status, [[preliminary | cancelled | entered-in-error]], [[Status: the distribution is AI output and never final.]])
* method 1..1
* method = $annotation-method#ai-inference
* insert Doc(method, [[Fixed: ai-inference]], [[The distribution was computed by AI model inference.]])
// extensible: same kinds as annotations
* code from AnnotationKindsVS (extensible)
* insert Doc(code, [[Kind of classification (annotation-type)]], [[The kind of annotation, normally lesion-classification.]])
* subject only Reference(Patient)
* insert Doc(subject, [[The patient]], [[The patient shown in the image.]])
* insert Doc(occurrence[x], [[When the model ran]], [[When the distribution was computed.]])
* performer 1..1
* performer only Reference(AIModelDevice)
* insert Doc(performer, [[The AI model]], [[The AI model that computed the distribution.]])
* basis 2..*
* basis only Reference(AIPrediction or DocumentReference or Media or ImagingStudy)
* insert Doc(basis, [[The AI prediction and the source image]], [[The AI prediction whose class distribution this is, and its source image.]])
* prediction 1..*
* insert Doc(prediction, [[One class with its probability]], [[One entry per class of the classifier.]])
* prediction.outcome 1..1
// extensible: classes without a sourced SNOMED CT code are sent as text
* prediction.outcome from DermatologyFindings (extensible)
* insert Doc(prediction.outcome, [[The class as a SNOMED CT skin finding]], [[The class, as a concept from DermatologyFindings; the classifier's own class label may be added as text.]])
* prediction.probability[x] 1..1
* prediction.probability[x] only decimal
* insert Doc(prediction.probability[x], [[Probability 0-1]], [[The probability of the class, a decimal from 0 to 1.]])
* insert Doc(prediction.rationale, [[Classifier class label]], [[The classifier's own class label, e.g. the ISIC challenge class.]])
// must support
* meta.security and meta.security[aiast] and status and method and code and subject and occurrence[x] and performer and basis MS
* prediction and prediction.outcome and prediction.probability[x] and prediction.rationale MS

Invariant: classprob-range
Description: "Every class probability is between 0 and 1."
Severity: #error
Expression: "prediction.all(probability >= 0 and probability <= 1)"

Invariant: classprob-sum-max
Description: "The class probabilities sum to at most 1 (0.01 allowed for rounding)."
Severity: #error
Expression: "prediction.probability.aggregate($this + $total, 0) <= 1.01"

Invariant: classprob-sum-complete
Description: "The class probabilities should sum to 1 (0.01 allowed for rounding); a lower sum means classes were left out."
Severity: #warning
Expression: "prediction.probability.aggregate($this + $total, 0) >= 0.99"

Invariant: classprob-distinct-outcomes
Description: "Each class appears once."
Severity: #error
Expression: "prediction.outcome.coding.code.isDistinct()"
