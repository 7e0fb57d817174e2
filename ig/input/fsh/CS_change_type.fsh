CodeSystem: ChangeTypeCS
Id: change-type
Title: "Lesion Change Type"
Description: "Completion: not in the published guide 0.1.0, which names a change-type vocabulary without publishing its content. Kinds of change of a skin lesion between annotations of a series."
* ^url = "https://annotatemd.com/fhir/ig/CodeSystem/change-type"
* ^status = #draft
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete
* #new-lesion "New lesion" "The lesion was not present in earlier images of the same site."
* #size-increase "Size increase" "The lesion grew."
* #size-decrease "Size decrease" "The lesion shrank."
* #color-change "Color change" "The lesion's colour or colour distribution changed."
* #shape-change "Shape change" "The lesion's shape or symmetry changed."
* #border-change "Border change" "The lesion's border changed (e.g. became irregular or blurred)."
* #structure-change "Structure change" "Dermoscopic structures of the lesion changed (e.g. new streaks, globules or regression)."
* #diagnosis-change "Diagnosis change" "The skin finding recorded for the lesion changed between consecutive annotations."
* #resolved "Resolved" "The lesion is no longer visible."
* #no-change "No change" "No change was found between the compared annotations."
