Profile: SkinLesion
// BodyStructure: R4's resource for a specific, identified anatomical structure such as one lesion
Parent: BodyStructure
Id: skin-lesion
Title: "Skin Lesion"
Description: "Completion: not in the published guide 0.1.0, which leaves lesion identity open. One identified skin lesion of a patient, the focus of its annotations, AI predictions and annotation series, so the same lesion can be followed over time."
* insert DraftDefinition
* identifier 1..*
* insert Doc(identifier, [[Lesion identifier]], [[Identifier of the lesion, stable over time (e.g. the lesion label of a body map).]])
* insert Doc(active, [[Whether the lesion is still present]], [[False once the lesion was excised or resolved.]])
// extensible: skin-lesion-morphology holds the sourced morphologic-abnormality concepts of the common lesion types
* morphology from SkinLesionMorphology (extensible)
* insert Doc(morphology, [[Kind of lesion (SNOMED CT morphologic abnormality)]], [[The kind of lesion, a morphologic-abnormality concept from skin-lesion-morphology.]])
* location 1..1
// extensible: the 23 published sites do not cover every skin site
* location from BodySitesSkinVS (extensible)
* insert Doc(location, [[Body site of the lesion]], [[Body site of the lesion, from body-sites-skin.]])
* insert Doc(locationQualifier, [[Site qualifiers]], [[Qualifiers of the site (e.g. laterality) when a sourced code exists; otherwise use description.]])
* insert Doc(description, [[Lesion description]], [[Free-text description, e.g. laterality and position for which no code is sourced.]])
* patient only Reference(Patient)
* insert Doc(patient, [[The patient]], [[The patient who has the lesion.]])
// must support
* identifier and active and morphology and location and locationQualifier and description and patient MS
