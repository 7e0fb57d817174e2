// The AI part of the example case: the model, its model card, its prediction, class distribution and provenance.

Instance: ExampleAIDevice
InstanceOf: AIModelDevice
Usage: #example
Title: "AI model DermAI Classifier v2.1"
Description: "The dermoscopic image classifier that produced ExampleAIPrediction, described with the AI Transparency on FHIR AI-Device pattern."
// AI Transparency extensions by canonical URL (their package is not a dependency of this guide)
* extension[0].url = "http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind"
* extension[0].valueCodeableConcept = $AIDeviceType#Medical-Image-Analysis // source: the guide (AI Transparency AIdeviceTypeCS)
* extension[1].url = "http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription"
* extension[1].valueReference = Reference(ExampleAIModelCard)
* identifier[0].system = "https://example.org/fhir/sid/ai-model"
* identifier[0].value = "dermai-classifier-2.1.0"
* status = #active
* type = $AIDeviceType#Artificial-Intelligence // source: the guide (AI Transparency AIdeviceTypeCS)
* manufacturer = "DermAI Labs"
* deviceName[0].name = "DermAI Classifier v2.1"
* deviceName[0].type = $device-nametype#model-name "Model name"
* modelNumber = "DAI-CLS"
* version[0].value = "2.1.0"
* url = "https://dermai.example.org/models/classifier/2.1"
* safety[0].text = "Decision support only: every prediction requires clinician review."

Instance: ExampleAIModelCard
InstanceOf: DocumentReference
Usage: #example
Title: "Model card of DermAI Classifier v2.1"
Description: "The model card (Hugging Face style markdown) referenced by the AI Transparency modelCardDescription extension of ExampleAIDevice."
* status = #current
* type.text = "AI model card"
* date = "2025-12-01T00:00:00Z"
* description = "Model card of DermAI Classifier v2.1"
* content[0].attachment.contentType = #text/markdown
* content[0].attachment.title = "DermAI Classifier v2.1 model card"
* content[0].attachment.data = "IyBEZXJtQUkgQ2xhc3NpZmllciB2Mi4xCgpNb2RlbCB0eXBlOiBjb252b2x1dGlvbmFsIG5ldXJhbCBuZXR3b3JrIGZvciBkZXJtb3Njb3BpYyBpbWFnZSBjbGFzc2lmaWNhdGlvbi4KQ2xhc3NlczogSVNJQyAyMDE5IGNoYWxsZW5nZSBkaWFnbm9zaXMgY2xhc3Nlcy4KSW50ZW5kZWQgdXNlOiBkZWNpc2lvbiBzdXBwb3J0OyBldmVyeSBwcmVkaWN0aW9uIHJlcXVpcmVzIGNsaW5pY2lhbiByZXZpZXcuCg=="

Instance: ExampleAIPrediction
InstanceOf: AIPrediction
Usage: #example
Title: "AI prediction: malignant melanoma, confidence 0.89"
Description: "DermAI Classifier v2.1 classifies ExampleDermoscopyImage as malignant melanoma (confidence 0.89, 245 ms) with a bounding box and a heatmap. Preliminary until the clinician review (ExampleReviewTask)."
* meta.security[aiast] = $v3-ObservationValue#AIAST "artificial intelligence asserted" // source: the guide (AI Transparency)
* status = #preliminary
* insert ExampleCategories
* code = $annotation-type#lesion-classification "Lesion classification"
* subject = Reference(example-patient)
* focus[0] = Reference(ExampleLesion)
* effectiveDateTime = "2026-01-15T09:05:00Z"
* device = Reference(ExampleAIDevice) "DermAI Classifier v2.1"
* derivedFrom[0] = Reference(ExampleDermoscopyImage)
* method = $annotation-method#ai-inference "AI Model Inference"
* bodySite = $SCT#40983000 "Upper arm" // source: the guide (body-sites-skin)
* component[skinFinding].code = $SCT#106076001 "Skin finding" // source: the guide
* component[skinFinding].valueCodeableConcept = $SCT#372244006 "Malignant melanoma (disorder)" // source: the guide (published example)
* component[predictionConfidence].code = $annotation-type#prediction-confidence "Prediction confidence"
* component[predictionConfidence].valueQuantity = 0.89 '1' "1"
* component[inferenceTimeMs].code = $annotation-type#inference-time-ms "Inference time"
* component[inferenceTimeMs].valueQuantity = 245 'ms' "ms"
* component[heatmap].code = $annotation-type#heatmap "Heatmap"
* component[heatmap].extension[overlayImage].valueReference = Reference(ExampleAIHeatmap)
* insert ExampleBoxes(398 282 230 196)
* insert ExampleImageSize(1024, 768)

Instance: ExampleClassProbabilities
InstanceOf: ClassProbabilityAssessment
Usage: #example
Title: "AI class probabilities for the dermoscopic image"
Description: "The distribution DermAI Classifier v2.1 computed over the ISIC 2019 classes for ExampleDermoscopyImage, each class given as its SNOMED CT concept from DermatologyFindings. The classes DF (no SNOMED CT code in the cited sources) and SCC had probability 0.00 and are left out."
* meta.security[aiast] = $v3-ObservationValue#AIAST "artificial intelligence asserted"
* status = #preliminary
* method = $annotation-method#ai-inference "AI Model Inference"
* code = $annotation-type#lesion-classification "Lesion classification"
* subject = Reference(example-patient)
* occurrenceDateTime = "2026-01-15T09:05:00Z"
* performer = Reference(ExampleAIDevice)
* basis[0] = Reference(ExampleAIPrediction)
* basis[1] = Reference(ExampleDermoscopyImage)
* insert ExampleClassProbability([[$SCT#372244006 "Malignant melanoma (disorder)"]], 0.89, MEL) // source: the guide
* insert ExampleClassProbability([[$SCT#1163403006 "Pigmented nevus"]], 0.06, NV) // source: eHDSI-M
* insert ExampleClassProbability([[$SCT#25499005 "Seborrheic keratosis"]], 0.02, BKL) // source: eHDSI-M
* insert ExampleClassProbability([[$SCT#254701007 "Basal cell carcinoma of skin (disorder)"]], 0.01, BCC) // source: APP; FHIR-EV
* insert ExampleClassProbability([[$SCT#201101007 "Actinic keratosis"]], 0.01, AK) // source: DICOM CID 4405
* insert ExampleClassProbability([[$SCT#253053003 "Benign hemangioma"]], 0.01, VASC) // source: eHDSI-M

Instance: ExampleAIPredictionProvenance
InstanceOf: AIProvenance
Usage: #example
Title: "Provenance of the AI prediction"
Description: "DermAI Classifier v2.1 (author) created ExampleAIPrediction and ExampleClassProbabilities from ExampleDermoscopyImage (source); reason AIAST."
* target[0] = Reference(ExampleAIPrediction)
* target[1] = Reference(ExampleClassProbabilities)
* recorded = "2026-01-15T09:05:01Z"
* reason[aiast] = $v3-ObservationValue#AIAST "artificial intelligence asserted"
* activity = $v3-DataOperation#CREATE "create"
* agent[aiModel].type = $provenance-participant-type#author "Author"
* agent[aiModel].who = Reference(ExampleAIDevice)
* entity[sourceImage].role = #source
* entity[sourceImage].what = Reference(ExampleDermoscopyImage)
