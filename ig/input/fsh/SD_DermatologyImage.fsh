Profile: DermatologyImage
// DocumentReference rather than Media: it is forward-compatible with R5 (where Media is gone) and is what
// SMART Imaging Access returns for non-DICOM images
Parent: DocumentReference
Id: dermatology-image
Title: "Dermatology Image"
Description: "Completion: not in the published guide 0.1.0, which leaves the image open. A clinical photograph or dermoscopic image of a patient's skin: the image file (url or inline data, an image/* media type), its pixel size, the DICOM acquisition modality (dermoscopy DMS or external-camera photography XC) and the lesion shown. Systems implementing the guide also accept an R4 Media (modality, width, height, bodySite, subject, content) or an ImagingStudy as annotation source; Media is converted to this profile on input."
* insert DraftDefinition
* obeys dermimg-content-image and dermimg-attachment-location
* insert Doc(status, [[current | superseded | entered-in-error]], [[Status of the image reference.]])
* type 1..1
// LOINC 72170-4 "Photographic image" (source: public HL7 v2 examples; the same number is seen
// elsewhere with other displays, so it is used as pattern of this profile only and must be verified in LOINC)
* type = $LOINC#72170-4
* insert Doc(type, [[Photographic image (LOINC 72170-4)]], [[The kind of document: LOINC 72170-4 Photographic image.]])
* subject 1..1
* subject only Reference(Patient)
* insert Doc(subject, [[The patient shown]], [[The patient whose skin is shown in the image.]])
* insert Doc(date, [[When the reference was created]], [[When this DocumentReference was created.]])
* content 1..1
* insert Doc(content, [[The image file]], [[Exactly one image file per DocumentReference.]])
* content.attachment.contentType 1..1
* insert Doc(content.attachment.contentType, [[image/* media type]], [[The media type of the image, e.g. image/jpeg or image/png.]])
* insert Doc(content.attachment.url, [[Where the image is]], [[URL of the image (e.g. WADO-RS rendered or a file server); url or data is required.]])
* insert Doc(content.attachment.data, [[Inline image]], [[The image bytes (base64); url or data is required.]])
* insert Doc(content.attachment.creation, [[Acquisition time]], [[When the image was taken.]])
* content.attachment.extension contains ImageSize named imageSize 1..1
* insert Doc(content.attachment.extension, [[Extensions; includes image-size]], [[Extensions of the attachment; image-size gives the pixel width and height.]])
* insert Doc(content.attachment.extension[imageSize], [[Pixel width and height]], [[The pixel grid that annotation region coordinates refer to.]])
* context 1..1
* insert Doc(context, [[Clinical context]], [[Acquisition modality and the lesion shown.]])
* context.event 1..1
// required: two DICOM modalities cover dermatology photography; other codes may be added as extra codings
* context.event from DermatologyImagingModalityVS (required)
* insert Doc(context.event, [[DICOM modality: DMS | XC]], [[The acquisition modality (DICOM DCM DMS dermoscopy or XC external-camera photography), as IHE XDS carries DICOM modalities in the event code list.]])
* insert Doc(context.related, [[The lesion shown (skin-lesion BodyStructure)]], [[The skin-lesion BodyStructure shown in the image, when known.]])
// must support
* status and type and subject and date and content.attachment.contentType and content.attachment.url MS
* content.attachment.data and content.attachment.creation and content.attachment.extension[imageSize] MS
* context.event and context.related MS

Invariant: dermimg-content-image
Description: "The attachment is an image (media type image/*)."
Severity: #error
Expression: "content.attachment.all(contentType.startsWith('image/'))"

Invariant: dermimg-attachment-location
Description: "The attachment gives the image by url or inline data."
Severity: #error
Expression: "content.attachment.all(url.exists() or data.exists())"
