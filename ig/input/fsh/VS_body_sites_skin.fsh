ValueSet: BodySitesSkinVS
Id: body-sites-skin
Title: "Body Sites - Skin"
Description: "SNOMED CT body site codes relevant to dermatology. Extensible — implementations may add any SNOMED CT body structure code."
* ^url = "https://annotatemd.com/fhir/ig/ValueSet/body-sites-skin"
* insert PublishedTerminology(BodySitesSkin)
* ^purpose = "The 23 SNOMED CT body structures of the published guide 0.1.0, in the published order, and (completion) the value set body-sites-skin-completion: the further body structures the importers' site maps need, and the dataset sites for which no SNOMED CT body structure is sourced (sent with their dataset code). 72651009 |Nail| is inactive in SNOMED CT; it is kept because the published guide lists it, and flagged (completion: valueset-concept-comments and valueset-deprecated extensions). Senders should prefer an active concept."
// codes and order as published; displays as the published compose gives them where the stored pages show it
* $SCT#41695006 "Scalp structure" // source: the guide (published compose display)
* $SCT#89545001 "Face structure" // source: the guide (published compose display)
* $SCT#52795006 "Forehead structure" // source: the guide (published compose display)
* $SCT#60819002 "Cheek structure" // source: the guide (published compose display)
* $SCT#45206002 "Nasal structure" // source: the guide (published compose display)
* $SCT#30291003 "Chin structure" // source: the guide (published compose display)
* $SCT#1910005 "Ear structure" // source: the guide (published compose display)
* $SCT#45048000 "Neck structure" // source: the guide (published compose display)
* $SCT#51185008 "Thoracic structure" // source: the guide (published compose display)
* $SCT#818983003 "Abdomen" // source: the guide (published compose display)
* $SCT#77568009 "Back" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#16982005 "Shoulder" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#40983000 "Upper arm structure" // source: the guide (published compose, display as the published example gives it)
* $SCT#14975008 "Forearm" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#85562004 "Hand" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#7569003 "Finger" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#68367000 "Thigh" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#72696002 "Knee" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#30021000 "Lower leg" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#56459004 "Foot" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#29707007 "Toe" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#72651009 "Nail" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
* $SCT#182325008 "Entire cheek" // source: the guide (published expansion display; the published compose display was not readable in the stored pages)
// 72651009 is inactive in SNOMED CT; kept (published) and flagged (completion)
* $SCT#72651009 ^extension[0].url = "http://hl7.org/fhir/StructureDefinition/valueset-concept-comments"
* $SCT#72651009 ^extension[0].valueString = "Inactive in SNOMED CT. Kept because the published guide 0.1.0 lists it; prefer an active concept."
* $SCT#72651009 ^extension[1].url = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
* $SCT#72651009 ^extension[1].valueBoolean = true
// Completion: the sites the importers' site maps need and the published list lacks (generated value set).
* include codes from valueset https://annotatemd.com/fhir/ig/ValueSet/body-sites-skin-completion

