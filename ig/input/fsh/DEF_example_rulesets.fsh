// Rule sets used by the examples.

RuleSet: ExampleCategories
* category[imaging] = $obs-category#imaging "Imaging"
* category[dermatologyAnnotation] = $annotation-type#dermatology-annotation "Dermatology Annotation"

// one bounding box (x y width height, pixels of the source image)
RuleSet: ExampleBoxes(data)
* component[boundingBoxes].code = $annotation-type#bounding-boxes "Bounding Boxes"
* component[boundingBoxes].valueSampledData.origin = 0 '{px}' "px"
* component[boundingBoxes].valueSampledData.period = 0
* component[boundingBoxes].valueSampledData.dimensions = 4
* component[boundingBoxes].valueSampledData.data = "{data}"

RuleSet: ExampleImageSize(w, h)
* component[imageWidth].code = $annotation-type#image-width "Image Width"
* component[imageWidth].valueQuantity = {w} '{px}' "px"
* component[imageHeight].code = $annotation-type#image-height "Image Height"
* component[imageHeight].valueQuantity = {h} '{px}' "px"

RuleSet: ExampleSkinFinding(finding)
* component[skinFinding].code = $SCT#106076001 "Skin finding" // source: the guide
* component[skinFinding].valueCodeableConcept = {finding}

RuleSet: ExampleClassProbability(outcome, p, isic)
* prediction[+].outcome = {outcome}
* prediction[=].probabilityDecimal = {p}
* prediction[=].rationale = "ISIC 2019 class {isic}"
