ValueSet: BodySitesSkinVS
Id: body-sites-skin
Title: "Body Sites (Skin)"
Description: "The 23 SNOMED CT body structures published by the guide 0.1.0 for the site of a skin finding. 72651009 |Nail| is inactive in SNOMED CT; it is kept because the published guide lists it and is flagged with the valueset-concept-comments and valueset-deprecated extensions. Senders should prefer an active concept."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/body-sites-skin"
* ^status = #draft
* ^experimental = false
// all codes and displays: source the guide (published body-sites-skin value set)
* $SCT#41695006 "Scalp"
* $SCT#89545001 "Face"
* $SCT#52795006 "Forehead"
* $SCT#60819002 "Cheek"
* $SCT#45206002 "Nose"
* $SCT#30291003 "Chin"
* $SCT#1910005 "Ear"
* $SCT#45048000 "Neck"
* $SCT#51185008 "Thorax"
* $SCT#818983003 "Abdomen"
* $SCT#77568009 "Back"
* $SCT#16982005 "Shoulder"
* $SCT#40983000 "Upper arm"
* $SCT#14975008 "Forearm"
* $SCT#85562004 "Hand"
* $SCT#7569003 "Finger"
* $SCT#68367000 "Thigh"
* $SCT#72696002 "Knee"
* $SCT#30021000 "Lower leg"
* $SCT#56459004 "Foot"
* $SCT#29707007 "Toe"
* $SCT#72651009 "Nail"
* $SCT#182325008 "Entire cheek"
// Completion: the sites the importers' site maps need and the published list lacks (generated value set).
* include codes from valueset https://annotatemd.com/fhir/ig/ValueSet/body-sites-skin-completion
// 72651009 is inactive in SNOMED CT; kept (published) and flagged
* $SCT#72651009 ^extension[0].url = "http://hl7.org/fhir/StructureDefinition/valueset-concept-comments"
* $SCT#72651009 ^extension[0].valueString = "Inactive in SNOMED CT. Kept because the published guide 0.1.0 lists it; prefer an active concept."
* $SCT#72651009 ^extension[1].url = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
* $SCT#72651009 ^extension[1].valueBoolean = true
