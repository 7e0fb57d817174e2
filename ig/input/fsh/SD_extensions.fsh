// Extensions of the guide. The published guide 0.1.0 has no extensions; both are completions, defined only
// where R4 has no element for the data.

Extension: OverlayImage
Id: overlay-image
Title: "Overlay Image"
Description: "Completion: not in the published guide 0.1.0, which leaves the value types of segmentation-mask and heatmap open. A derived image aligned pixel-for-pixel with the source image of an annotation: the segmentation mask of the lesion or the heatmap of an AI model. Used on Observation.component because R4 Observation.component.value[x] can hold neither an Attachment nor a Reference. The image is a DocumentReference (as in R5, where Media is gone)."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "Observation.component"
* value[x] 1..1
// DocumentReference rather than Media: forward-compatible with R5
* value[x] only Reference(DocumentReference)
* insert Doc(value[x], [[The mask or heatmap image]], [[Reference to the DocumentReference holding the mask or heatmap image (e.g. image/png), on the pixel grid of the source image.]])

Extension: ImageSize
Id: image-size
Title: "Image Size (pixels)"
Description: "Completion: not in the published guide 0.1.0. Width and height in pixels of an image attachment; R4 Attachment has no such elements (R5 adds Attachment.width and Attachment.height, R4 Media has width and height). Region coordinates of annotations refer to this pixel grid."
* insert DraftDefinition
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference.content.attachment"
* extension contains width 1..1 and height 1..1
* insert Doc(extension[width], [[Width in pixels]], [[Number of pixel columns of the image.]])
* extension[width].value[x] only positiveInt
* insert Doc(extension[width].value[x], [[Width in pixels]], [[Number of pixel columns of the image.]])
* insert Doc(extension[height], [[Height in pixels]], [[Number of pixel rows of the image.]])
* extension[height].value[x] only positiveInt
* insert Doc(extension[height].value[x], [[Height in pixels]], [[Number of pixel rows of the image.]])
