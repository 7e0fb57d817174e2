// Extensions for the data of public dermatology datasets that R4 DocumentReference has no element for. All are
// completions (the published guide 0.1.0 has no extensions); the importers set them on the dermatology-image
// DocumentReference, so that an image keeps its licence, split, age, skin tone and quality flags even when it has
// no annotation.

Extension: ImageLicense
Id: image-license
Title: "Image Licence"
Description: "Completion: not in the published guide 0.1.0. The licence under which the dataset publishes the image, as the source gives it (e.g. ISIC copyright_license 'CC-BY-NC'). R4 DocumentReference has no copyright element."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* value[x] 1..1
* value[x] only string
* insert Doc(value[x], [[Licence of the image]], [[The licence name or identifier as the dataset states it, e.g. CC-BY, CC-BY-NC, CC-0.]])

Extension: ImageAttribution
Id: image-attribution
Title: "Image Attribution"
Description: "Completion: not in the published guide 0.1.0. The attribution the dataset asks users of the image to give (e.g. ISIC attribution 'Hospital Clínic de Barcelona')."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* value[x] 1..1
* value[x] only string
* insert Doc(value[x], [[Attribution text]], [[The attribution as the dataset states it.]])

Extension: DatasetSplit
Id: dataset-split
Title: "Dataset Split"
Description: "Completion: not in the published guide 0.1.0. The subset of a published dataset an image belongs to (e.g. train, valid, test; the ISIC release it came from), so that benchmark splits survive the import."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* extension contains dataset 0..1 and split 1..1
* insert Doc(extension[dataset], [[Dataset or release]], [[The dataset or release the split belongs to, e.g. 'derm7pt', 'BCN20000', 'ISIC 2020 training'.]])
* extension[dataset].value[x] only string
* insert Doc(extension[split], [[Split name]], [[The split as the dataset names it, e.g. train, valid, test.]])
* extension[split].value[x] only string

Extension: ImageManipulation
Id: image-manipulation
Title: "Image Manipulation"
Description: "Completion: not in the published guide 0.1.0. Whether and how the image was altered after capture, as ISIC image_manipulation gives it: 'instrument only', 'altered' or 'synthetic'."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* value[x] 1..1
* value[x] only string
* insert Doc(value[x], [[instrument only | altered | synthetic]], [[The ISIC image_manipulation value, verbatim.]])

Extension: AgeAtImaging
Id: age-at-imaging
Title: "Age at Imaging"
Description: "Completion: not in the published guide 0.1.0. The (approximate) age of the patient when the image was taken, as the dataset gives it (ISIC age_approx is rounded to 5 years). Kept on the image because the datasets publish no birth dates; the annotation's age-at-imaging component repeats it."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* value[x] 1..1
* value[x] only Quantity
* insert Doc(value[x], [[Age in years]], [[Age in years (UCUM a); 0 for a child under one year (R4 Age must be positive, so a Quantity is used).]])

Extension: SkinTone
Id: skin-tone
Title: "Skin Tone"
Description: "Completion: not in the published guide 0.1.0. The skin tone of the imaged skin on the scale the dataset uses: Fitzpatrick types 1-6 (one type or a range, e.g. DDI's groups), MILK10k skin_tone_class 0 (very dark) to 5 (very light), or another named scale. The annotation's fitzpatrickSkinType component carries Fitzpatrick types as the guide defines them; this extension keeps every scale, also on images without an annotation."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* extension contains scale 1..1 and value 1..1 and rater 0..1
* insert Doc(extension[scale], [[Scale]], [[The scale, e.g. 'Fitzpatrick', 'MILK10k skin_tone_class (0 very dark - 5 very light)'.]])
* extension[scale].value[x] only string
* insert Doc(extension[value], [[Value on the scale]], [[One value (integer), a range of values (Range), or a coded text (string).]])
* extension[value].value[x] only integer or Range or string
* insert Doc(extension[rater], [[Who rated it]], [[The rater or method of the rating when the dataset names one (e.g. Fitzpatrick17k's Centaur Labs annotators).]])
* extension[rater].value[x] only string

Extension: ConceptScore
Id: concept-score
Title: "Concept Score"
Description: "Completion: not in the published guide 0.1.0. A score of a human-interpretable concept computed for the image by a named method (e.g. the MONET concept probabilities MILK10k publishes for ulceration, hair, erythema …). Machine-computed: not an annotation of the lesion."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* extension contains concept 1..1 and score 1..1 and method 0..1
* insert Doc(extension[concept], [[Concept]], [[The concept scored, as the dataset names it.]])
* extension[concept].value[x] only string
* insert Doc(extension[score], [[Score]], [[The score as published (MONET: a probability 0-1).]])
* extension[score].value[x] only decimal
* insert Doc(extension[method], [[Method]], [[The method that computed the score, e.g. MONET.]])
* extension[method].value[x] only string

Extension: QualityControl
Id: quality-control
Title: "Quality Control"
Description: "Completion: not in the published guide 0.1.0. A quality-control verdict the dataset publishes for the image or its label (e.g. Fitzpatrick17k qc '1 Diagnostic', '3 Wrongly labelled'), verbatim."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference"
* value[x] 1..1
* value[x] only string
* insert Doc(value[x], [[Quality-control verdict]], [[The verdict as the dataset gives it.]])
