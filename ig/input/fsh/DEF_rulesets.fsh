// Rule sets shared by the profiles of the guide.

// Status of every conformance resource of this draft guide.
RuleSet: DraftDefinition
* ^status = #draft
* ^experimental = false
* insert GuideMetadata

// Version, publisher and contact of every artifact of the guide (as the published pages give them).
RuleSet: GuideMetadata
* ^version = "0.1.0"
* ^publisher = "Annotate MD"
* ^contact[0].name = "Annotate MD"
* ^contact[0].telecom[0].system = #email
* ^contact[0].telecom[0].value = "fhir@annotatemd.com"

// The same, for conformance resources written as instances (CapabilityStatement, SearchParameter).
RuleSet: GuideInstanceMetadata
* version = "0.1.0"
* publisher = "Annotate MD"
* contact[0].name = "Annotate MD"
* contact[0].telecom[0].system = #email
* contact[0].telecom[0].value = "fhir@annotatemd.com"

// A CodeSystem or ValueSet published in the guide 0.1.0: active as of 2026-04-04, with its published
// computable name (no CS / VS suffix).
RuleSet: PublishedTerminology(name)
* ^name = "{name}"
* ^status = #active
* ^date = "2026-04-04"
* ^experimental = false
* insert GuideMetadata

// A CodeSystem or ValueSet this project adds (a completion): draft, with the guide's version and publisher.
RuleSet: CompletionTerminology
* ^status = #draft
* ^experimental = false
* insert GuideMetadata

// ^short and ^definition of one constrained element.
RuleSet: Doc(path, short, definition)
* {path} ^short = "{short}"
* {path} ^definition = "{definition}"

// The two required categories of every annotation Observation of the guide (published rule of
// dermatology-image-annotation; reused by ai-prediction and annotation-series).
RuleSet: DermAnnotationCategory
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "Slice on the coding of the category: imaging plus the guide's dermatology-annotation category."
* insert Doc(category, [[Imaging + dermatology-annotation categories]], [[The category of the Observation. Must contain observation-category#imaging and annotation-type#dermatology-annotation; other categories may be added.]])
* category contains imaging 1..1 and dermatologyAnnotation 1..1
* category[imaging] = $obs-category#imaging
* insert Doc(category[imaging], [[Imaging category]], [[The observation-category code imaging: the Observation is a finding made from an image.]])
* category[dermatologyAnnotation] = $annotation-type#dermatology-annotation
* insert Doc(category[dermatologyAnnotation], [[Dermatology annotation category]], [[The guide's category code dermatology-annotation, which lets a server find every annotation of the guide.]])

// The source image of an annotation (published rule): the reference obtained when the image was retrieved,
// e.g. through SMART Imaging Access, is used unchanged.
RuleSet: SourceImage
* derivedFrom 1..*
* derivedFrom only Reference(ImagingStudy or DocumentReference or Media)
* insert Doc(derivedFrom, [[Source image (ImagingStudy | DocumentReference | Media)]], [[The image the annotation was made from. A DocumentReference should conform to the dermatology-image profile. When the image was retrieved through SMART Imaging Access, the reference obtained there is used unchanged. Region coordinates refer to the first derivedFrom image.]])

// Component slicing by the pattern on component.code (published rule).
RuleSet: ComponentSlicing
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #open
* component ^slicing.description = "Slice on component.code (pattern)."
* insert Doc(component, [[Annotation components]], [[The parts of the annotation, each identified by its code: skin finding, confidence, regions, QA and agreement values.]])

// One component slice identified by an annotation-type code.
RuleSet: ComponentSlice(name, code, card, short, definition)
* component contains {name} {card}
* component[{name}].code = $annotation-type#{code}
* insert Doc(component[{name}], [[{short}]], [[{definition}]])
* insert Doc(component[{name}].code, [[annotation-type#{code}]], [[Identifies the component: annotation-type code {code}.]])

// A Quantity value in a UCUM unit.
RuleSet: QuantityValue(name, unit, short)
* component[{name}].value[x] 1..1
* component[{name}].value[x] only Quantity
* component[{name}].valueQuantity.system = $UCUM
* component[{name}].valueQuantity.code = #{unit}
* insert Doc(component[{name}].valueQuantity.system, [[UCUM]], [[The unit system: UCUM.]])
* insert Doc(component[{name}].valueQuantity.code, [[UCUM code {unit}]], [[The UCUM unit code {unit}.]])
* insert Doc(component[{name}].value[x], [[{short}]], [[{short}. Quantity in UCUM unit {unit}.]])

// A Quantity in pixels of the source image (UCUM annotation {px}, i.e. a dimensionless count of pixels).
RuleSet: PixelValue(name, short)
* component[{name}].value[x] 1..1
* component[{name}].value[x] only Quantity
* component[{name}].valueQuantity.system = $UCUM
* component[{name}].valueQuantity.code = #{px}
* insert Doc(component[{name}].value[x], [[{short}]], [[{short}, a whole number of pixels: Quantity with UCUM code {px}.]])
* insert Doc(component[{name}].valueQuantity.system, [[UCUM]], [[The unit system: UCUM.]])
* insert Doc(component[{name}].valueQuantity.code, [[UCUM code {px} (pixels)]], [[The UCUM code {px}: a count of pixels.]])

// A region as a list of pixel coordinates of the source image: SampledData with origin 0 px, no scaling,
// period fixed to 0 (the data is not a time series) and `dims` numbers per sample.
RuleSet: PixelCoordinates(name, dims, short)
* component[{name}].value[x] 1..1
* component[{name}].value[x] only SampledData
* component[{name}].valueSampledData.origin.value = 0
* component[{name}].valueSampledData.origin.system = $UCUM
* component[{name}].valueSampledData.origin.code = #{px}
* component[{name}].valueSampledData.period = 0
* component[{name}].valueSampledData.factor 0..0
* component[{name}].valueSampledData.lowerLimit 0..0
* component[{name}].valueSampledData.upperLimit 0..0
* component[{name}].valueSampledData.dimensions = {dims}
* component[{name}].valueSampledData.data 1..1
* insert Doc(component[{name}].valueSampledData.origin.value, [[0]], [[Coordinates are not offset: origin value 0.]])
* insert Doc(component[{name}].valueSampledData.origin.system, [[UCUM]], [[The unit system: UCUM.]])
* insert Doc(component[{name}].valueSampledData.origin.code, [[{px} (pixels)]], [[Coordinates are in pixels: UCUM code {px}.]])
* insert Doc(component[{name}].valueSampledData.period, [[0 (not a time series)]], [[Fixed to 0: the numbers are coordinates, not samples over time (R4 requires the element).]])
* insert Doc(component[{name}].valueSampledData.factor, [[Not used]], [[Not used: coordinates are not scaled.]])
* insert Doc(component[{name}].valueSampledData.lowerLimit, [[Not used]], [[Not used.]])
* insert Doc(component[{name}].valueSampledData.upperLimit, [[Not used]], [[Not used.]])
* insert Doc(component[{name}].valueSampledData.dimensions, [[{dims} numbers per sample]], [[Number of numbers per sample: {dims}.]])
* insert Doc(component[{name}].valueSampledData.data, [[Space-separated pixel coordinates]], [[The coordinates, space-separated decimals, {dims} per sample.]])
* insert Doc(component[{name}].value[x], [[{short}]], [[{short}. Pixel coordinates of the source image (origin at its top-left pixel, x to the right, y downwards), written as space-separated numbers in SampledData.data, {dims} numbers per sample; origin 0 {px}, period 0 (not a time series), no factor or limits.]])

// A component whose value is a derived image aligned with the source image (mask or heatmap): R4
// Observation.component.value[x] cannot hold a Reference, so the image is referenced by the overlay-image extension.
RuleSet: OverlayImageValue(name, short)
* component[{name}].extension contains OverlayImage named overlayImage 1..1
* insert Doc(component[{name}].extension, [[Extensions; includes overlay-image]], [[Extensions of the component; the overlay-image extension references the image.]])
* insert Doc(component[{name}].extension[overlayImage], [[{short}]], [[{short}: a DocumentReference of an image on the pixel grid of the source image.]])
* component[{name}].value[x] 0..0
* insert Doc(component[{name}].value[x], [[Not used: the image is in the overlay-image extension]], [[Not used: the image is referenced by the overlay-image extension.]])

// The skin finding: SNOMED CT 106076001 |Skin finding| with a value from DermatologyFindings.
RuleSet: SkinFindingComponent(card, short, definition)
* component contains skinFinding {card}
* component[skinFinding].code = $SCT#106076001 // source: the guide (106076001 |Skin finding|, root of DermatologyFindings)
* insert Doc(component[skinFinding], [[{short}]], [[{definition}]])
* insert Doc(component[skinFinding].code, [[SNOMED CT 106076001 Skin finding]], [[Identifies the component: SNOMED CT 106076001 |Skin finding|.]])
* component[skinFinding].value[x] 1..1
* component[skinFinding].value[x] only CodeableConcept
// extensible: DermatologyFindings enumerates the sourced concepts; other SNOMED CT skin findings may be needed
* component[skinFinding].valueCodeableConcept from DermatologyFindings (extensible)
* insert Doc(component[skinFinding].value[x], [[The skin finding (SNOMED CT)]], [[The skin finding as a SNOMED CT concept from DermatologyFindings; text only when no code fits.]])

// Region components shared by annotations and AI predictions (completion of the published value types).
RuleSet: RegionComponents
* insert ComponentSlice(boundingBoxes, bounding-boxes, 0..1, [[Bounding boxes of the lesion]], [[Axis-aligned boxes around the lesion in pixel coordinates of the source image, one box per 4 numbers: x y width height (x y of the top-left corner).]])
* insert PixelCoordinates(boundingBoxes, 4, [[Boxes as x y width height]])
* insert ComponentSlice(polygon, polygon, 0..*, [[Polygon outline of the lesion]], [[A closed polygon outlining the lesion (completion), as x y pixel pairs of the source image; at least 3 points, the last point joins the first.]])
* insert PixelCoordinates(polygon, 2, [[Polygon as x y pairs]])
* insert ComponentSlice(segmentationMask, segmentation-mask, 0..1, [[Segmentation mask of the lesion]], [[A binary mask image of the lesion (same pixel grid as the source image), referenced by the overlay-image extension.]])
* insert OverlayImageValue(segmentationMask, [[Mask image]])
* insert ComponentSlice(imageWidth, image-width, 0..1, [[Width of the source image in pixels]], [[Width in pixels of the source image the coordinates refer to (completion); required when bounding boxes or polygons are given.]])
* insert PixelValue(imageWidth, [[Image width in pixels]])
* insert ComponentSlice(imageHeight, image-height, 0..1, [[Height of the source image in pixels]], [[Height in pixels of the source image the coordinates refer to (completion); required when bounding boxes or polygons are given.]])
* insert PixelValue(imageHeight, [[Image height in pixels]])

// meta.security must carry AIAST (AI Transparency: the whole resource is produced by AI).
RuleSet: AIASTSecurityLabel
* meta.security ^slicing.discriminator.type = #pattern
* meta.security ^slicing.discriminator.path = "$this"
* meta.security ^slicing.rules = #open
* meta.security ^slicing.description = "Slice on the security label coding."
* insert Doc(meta.security, [[Security labels; must include AIAST]], [[Security labels of the resource. Must include v3-ObservationValue#AIAST: the whole resource was asserted by artificial intelligence (HL7 AI Transparency on FHIR).]])
* meta.security contains aiast 1..1
* meta.security[aiast] = $v3-ObservationValue#AIAST
* insert Doc(meta.security[aiast], [[AIAST: artificial intelligence asserted]], [[The AI Transparency label v3-ObservationValue#AIAST (artificial intelligence asserted).]])
